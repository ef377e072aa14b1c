import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, Message, WarrenError, type Channel, type Connection } from '../../browser/index.js';
import { startBarePipe, type BarePipe } from '../helpers/bare-pipe.js';
import { connectPipe, delay, nextEvent, unique } from './helpers.js';

let pipe: BarePipe;
let conn: Connection;
before(async () => {
  pipe = await startBarePipe();
  conn = await connectPipe(pipe);
});
after(async () => {
  await conn.close();
  await pipe.close();
});

/** A fresh channel and an exclusive server-named queue on it. */
async function withQueue(): Promise<{ ch: Channel; queue: string }> {
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  return { ch, queue };
}

test('publish with every property, string and byte bodies, then basicGet', async () => {
  const { ch, queue } = await withQueue();
  const properties = {
    contentType: 'application/json',
    contentEncoding: 'identity',
    headers: { a: 1, b: 'two', c: true },
    deliveryMode: 2,
    priority: 3,
    correlationId: 'corr',
    replyTo: 'back',
    expiration: '60000',
    messageId: 'id-1',
    timestamp: new Date(1_700_000_000_000),
    type: 'kind',
    userId: 'guest',
    appId: 'warren-test',
    clusterId: 'c1',
  };
  await ch.basicPublish('', queue, '{"hello":"wörld"}', properties);
  await ch.basicPublish('', queue, Uint8Array.of(0, 1, 2, 255));
  const first = await ch.basicGet(queue, { noAck: true });
  assert.ok(first instanceof Message);
  assert.deepEqual(first.json(), { hello: 'wörld' });
  assert.deepEqual(first.properties, properties);
  assert.equal(first.routingKey, queue);
  assert.equal(first.messageCount, 1);
  const second = await ch.basicGet(queue, { noAck: true });
  assert.deepEqual(second?.body, Uint8Array.of(0, 1, 2, 255));
  assert.equal(await ch.basicGet(queue), null);
  await ch.close();
});

test('an ArrayBuffer, a DataView and a Uint16Array are published as their bytes', async () => {
  const { ch, queue } = await withQueue();
  const words = Uint16Array.of(0x0102, 0xfffe);
  const bytes = new Uint8Array(words.buffer);
  await ch.basicPublish('', queue, words.buffer);
  await ch.basicPublish('', queue, new DataView(words.buffer, 2, 2));
  await ch.basicPublish('', queue, words);
  assert.deepEqual((await ch.basicGet(queue, { noAck: true }))?.body, bytes);
  assert.deepEqual((await ch.basicGet(queue, { noAck: true }))?.body, bytes.subarray(2));
  assert.deepEqual((await ch.basicGet(queue, { noAck: true }))?.body, bytes, 'all four bytes, not two cut to one each');
  await ch.close();
});

test('a body that is not text or bytes, or a number out of its field, rejects ERR_INVALID_VALUE; nothing is sent', async () => {
  const { ch, queue } = await withQueue();
  await ch.confirmSelect();
  const invalid = async (publish: Promise<unknown>) => {
    const err = await publish.then(
      () => assert.fail('published'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WarrenError, String(err));
    assert.equal(err.code, ErrorCode.InvalidValue);
  };
  for (const body of [42, null, {}, [1, 2]]) await invalid(ch.basicPublish('', queue, body as unknown as string));
  await invalid(ch.basicPublish('', queue, 'x', { deliveryMode: 'persistent' as unknown as number }));
  await invalid(ch.basicPublish('', queue, 'x', { priority: 300 }));
  await invalid(ch.basicQos(70_000));
  // The channel is still open and only this message reached the queue.
  await ch.basicPublish('', queue, 'fine', { priority: 255 });
  assert.equal((await ch.queueDeclare(queue, { passive: true })).messageCount, 1);
  assert.equal((await ch.basicGet(queue, { noAck: true }))?.text, 'fine');
  await ch.close();
});

test('a body larger than frame_max arrives whole, and an empty body too', async () => {
  const { ch, queue } = await withQueue();
  const big = new Uint8Array(1_000_000).map((_, i) => i % 251);
  await ch.basicPublish('', queue, big);
  await ch.basicPublish('', queue, '');
  assert.deepEqual((await ch.basicGet(queue, { noAck: true }))?.body, big);
  assert.equal((await ch.basicGet(queue, { noAck: true }))?.body.length, 0);
  await ch.close();
});

test('exchanges: declare, bind, unbind, delete, exchange-to-exchange bindings', async () => {
  const ch = await conn.channel();
  const source = unique('src');
  const dest = unique('dst');
  await ch.exchangeDeclare(source, 'topic', { autoDelete: false });
  await ch.exchangeDeclare(dest, 'fanout');
  await ch.exchangeDeclare(source, 'topic', { passive: true });
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  await ch.queueBind(queue, dest);
  await ch.exchangeBind(dest, source, 'a.*');
  await ch.basicPublish(source, 'a.b', 'routed');
  await ch.basicPublish(source, 'x.y', 'not routed');
  await delay(50);
  assert.equal((await ch.basicGet(queue, { noAck: true }))?.text, 'routed');
  assert.equal(await ch.basicGet(queue), null);
  await ch.exchangeUnbind(dest, source, 'a.*');
  await ch.basicPublish(source, 'a.b', 'after unbind');
  await ch.queueUnbind(queue, dest);
  await ch.basicPublish(dest, '', 'after queue unbind');
  await delay(50);
  assert.equal(await ch.basicGet(queue), null);
  await ch.exchangeDelete(source);
  await ch.exchangeDelete(dest, { ifUnused: false });
  const err = await ch.exchangeDeclare(source, 'topic', { passive: true }).catch((e: unknown) => e);
  assert.ok(err instanceof WarrenError);
  assert.equal(err.code, ErrorCode.ChannelClosed);
  assert.equal(err.replyCode, 404);
  assert.equal(err.classId, 40);
  assert.equal(err.methodId, 10);
});

test('queues: declare counts, purge and delete report message counts', async () => {
  const ch = await conn.channel();
  const name = unique('q');
  const ok = await ch.queueDeclare(name, { durable: false, autoDelete: false, arguments: { 'x-max-length': 10 } });
  assert.deepEqual(ok, { queue: name, messageCount: 0, consumerCount: 0 });
  await ch.confirmSelect();
  for (let i = 0; i < 3; i++) await ch.basicPublish('', name, `m${i}`);
  assert.equal((await ch.queueDeclare(name, { passive: true })).messageCount, 3);
  assert.equal(await ch.queuePurge(name), 3);
  await ch.basicPublish('', name, 'left');
  assert.equal(await ch.queueDelete(name, { ifUnused: true }), 1);
  await ch.close();
});

test('a channel closed by the broker rejects pending and later calls and emits close', async () => {
  const ch = await conn.channel();
  const closed = nextEvent<[WarrenError | undefined]>(ch, 'close');
  const missing = ch.queueDeclare(unique('missing'), { passive: true });
  const behind = ch.queuePurge('whatever');
  await assert.rejects(missing, { code: ErrorCode.ChannelClosed, replyCode: 404 });
  await assert.rejects(behind, { code: ErrorCode.ChannelClosed, replyCode: 404 });
  const [err] = await closed;
  assert.equal(err?.replyCode, 404);
  await assert.rejects(ch.basicPublish('', 'x', 'y'), { code: ErrorCode.ChannelClosed });
  // The connection and its other channels live on.
  const other = await conn.channel();
  await other.queueDeclare('', { exclusive: true });
  await other.close();
});

test('consume with a callback; ack, nack with requeue and reject', async () => {
  const { ch, queue } = await withQueue();
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    void ch.basicConsume(queue, {}, (msg) => {
      seen.push(`${msg.text}${msg.redelivered ? '*' : ''}`);
      if (msg.text === 'b' && !msg.redelivered) msg.nack(true);
      else if (msg.text === 'c') msg.reject(false);
      else msg.ack();
      if (seen.includes('b*') && seen.includes('c')) resolve();
    });
  });
  for (const text of ['a', 'b', 'c']) await ch.basicPublish('', queue, text);
  await done;
  await delay(100);
  assert.deepEqual(seen.slice(0, 3), ['a', 'b', 'c']);
  assert.deepEqual(seen.slice(3), ['b*'], 'only the nacked message comes back');
  assert.equal((await ch.queueDeclare(queue, { passive: true })).messageCount, 0);
  await ch.close();
});

test('consume as an async iterator; leaving the loop cancels the consumer', async () => {
  const { ch, queue } = await withQueue();
  const consumer = await ch.basicConsume(queue, { noAck: true });
  for (let i = 0; i < 5; i++) await ch.basicPublish('', queue, `n${i}`);
  const got: string[] = [];
  for await (const msg of consumer) {
    got.push(msg.text);
    if (got.length === 3) break;
  }
  assert.deepEqual(got, ['n0', 'n1', 'n2']);
  // Cancelled: the rest stay in the queue (or were already buffered and dropped with the consumer).
  assert.equal((await ch.queueDeclare(queue, { passive: true })).consumerCount, 0);
  await ch.close();
});

test('basicCancel ends the iterator; a broker-side cancel (queue deleted) does too, with a cancel event', async () => {
  const ch = await conn.channel();
  const q1 = (await ch.queueDeclare('', { exclusive: true })).queue;
  const c1 = await ch.basicConsume(q1, { consumerTag: 'mine' });
  assert.equal(c1.tag, 'mine');
  const loop = (async () => {
    let n = 0;
    for await (const _ of c1) n++;
    return n;
  })();
  await ch.basicCancel('mine');
  assert.equal(await loop, 0);

  const q2 = (await ch.queueDeclare('', { exclusive: true })).queue;
  const c2 = await ch.basicConsume(q2, { noAck: true });
  const cancelled = nextEvent<[string]>(ch, 'cancel');
  const other = await conn.channel();
  await other.queueDelete(q2);
  assert.deepEqual(await cancelled, [c2.tag]);
  const rest: unknown[] = [];
  for await (const m of c2) rest.push(m);
  assert.deepEqual(rest, []);
  await other.close();
  await ch.close();
});

test('basicQos limits unacknowledged deliveries; basicRecover redelivers them', async () => {
  const { ch, queue } = await withQueue();
  await ch.basicQos(2);
  const got: Message[] = [];
  await ch.basicConsume(queue, {}, (m) => got.push(m));
  for (let i = 0; i < 5; i++) await ch.basicPublish('', queue, `${i}`);
  await delay(150);
  assert.equal(got.length, 2);
  await ch.basicRecover(true);
  await delay(150);
  assert.equal(got.length, 4);
  assert.ok(got[2]!.redelivered && got[3]!.redelivered);
  got[3]!.ack(true);
  await delay(150);
  assert.equal(got.length, 6);
  await ch.close();
});

test('confirms: publish resolves on ack; many in flight all resolve', async () => {
  const { ch, queue } = await withQueue();
  await ch.confirmSelect();
  await Promise.all(Array.from({ length: 500 }, (_, i) => ch.basicPublish('', queue, `${i}`)));
  assert.equal((await ch.queueDeclare(queue, { passive: true })).messageCount, 500);
  await ch.close();
});

test('confirms: a nack rejects the publish with ERR_NACKED', async () => {
  const ch = await conn.channel();
  // reject-publish overflow makes the broker nack what does not fit.
  const { queue } = await ch.queueDeclare('', {
    exclusive: true,
    arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
  });
  await ch.confirmSelect();
  await ch.basicPublish('', queue, 'fits');
  await assert.rejects(ch.basicPublish('', queue, 'does not fit'), { code: ErrorCode.Nacked });
  await ch.close();
});

test('mandatory publishes that cannot be routed come back as return events', async () => {
  const ch = await conn.channel();
  await ch.confirmSelect();
  const returned = nextEvent<[Message]>(ch, 'return');
  await ch.basicPublish('', unique('nowhere'), 'lost?', { messageId: 'r1' }, { mandatory: true });
  const [msg] = await returned;
  assert.equal(msg.replyCode, 312);
  assert.equal(msg.replyText, 'NO_ROUTE');
  assert.equal(msg.text, 'lost?');
  assert.equal(msg.properties.messageId, 'r1');
  await ch.close();
});

test('transactions: rollback discards, commit publishes', async () => {
  const { ch, queue } = await withQueue();
  await ch.txSelect();
  await ch.basicPublish('', queue, 'rolled back');
  await ch.txRollback();
  await ch.basicPublish('', queue, 'committed');
  await ch.txCommit();
  assert.equal((await ch.basicGet(queue, { noAck: true }))?.text, 'committed');
  assert.equal(await ch.basicGet(queue), null);
  await ch.close();
});

test('rpc over direct reply-to', async () => {
  const server = await conn.channel();
  const { queue } = await server.queueDeclare('', { exclusive: true });
  await server.basicConsume(queue, { noAck: true }, (req) => {
    void server.basicPublish('', req.properties.replyTo!, req.text.toUpperCase(), {
      correlationId: req.properties.correlationId!,
    });
  });
  const client = await conn.channel();
  const [a, b] = await Promise.all([client.rpc('', queue, 'ping'), client.rpc('', queue, 'pong')]);
  assert.equal(a.text, 'PING');
  assert.equal(b.text, 'PONG');
  await assert.rejects(client.rpc('', unique('nobody'), 'x', {}, 200), { code: ErrorCode.Timeout });
  await client.close();
  await server.close();
});
