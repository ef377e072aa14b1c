import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AMQPWebSocketClient, type AMQPChannel, type AMQPMessage } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import {
  decodeContentHeader,
  Decimal,
  FrameType,
  FrameWriter,
  ReplyCode,
  Typed,
  type FieldTable,
} from '../../shared/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { declareQueue, handshake, RawClient, UpgradeRefused } from '../helpers/raw-client.js';

// amqp-client.js's WebSocket client expects a browser's global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.stop();
});

const unique = (what: string) => `warren-test-${what}-${randomBytes(4).toString('hex')}`;

async function withChannel(body: (ch: AMQPChannel) => Promise<void>): Promise<void> {
  const client = new AMQPWebSocketClient(gw.url, '/', '', await gw.token());
  const conn = await client.connect();
  try {
    await body(await conn.channel());
  } finally {
    await conn.close();
  }
}

/** Resolves with the next `n` deliveries of a consumer on `queue`. */
async function consumeN(ch: AMQPChannel, queue: string, n: number, noAck = true): Promise<AMQPMessage[]> {
  const got: AMQPMessage[] = [];
  let consumerTag = '';
  await new Promise<void>((resolve, reject) => {
    ch.basicConsume(queue, { noAck }, (msg) => {
      got.push(msg);
      if (got.length === n) resolve();
    }).then((c) => (consumerTag = c.tag), reject);
  });
  await ch.basicCancel(consumerTag);
  return got;
}

test('declares, binds queue and exchange-to-exchange, publishes, consumes, unbinds and deletes', async () => {
  await withChannel(async (ch) => {
    const source = unique('src');
    const dest = unique('dst');
    const queue = unique('q');
    await ch.exchangeDeclare(source, 'topic', { durable: false, autoDelete: false });
    await ch.exchangeDeclare(dest, 'direct', { durable: false, autoDelete: false });
    await ch.queueDeclare(queue, { durable: false, exclusive: true });
    await ch.exchangeBind(dest, source, 'route.#');
    await ch.queueBind(queue, dest, 'route.a');

    // source --route.#--> dest --route.a--> queue
    await ch.basicPublish(source, 'route.a', 'via two exchanges');
    await ch.basicPublish(source, 'route.b', 'dropped by dest');
    const [msg] = await consumeN(ch, queue, 1);
    assert.equal(msg?.bodyToString(), 'via two exchanges');
    assert.equal(msg?.exchange, source);
    assert.equal(msg?.routingKey, 'route.a');

    await ch.queueUnbind(queue, dest, 'route.a');
    await ch.exchangeUnbind(dest, source, 'route.#');
    await ch.basicPublish(source, 'route.a', 'nowhere to go');
    await ch.basicPublish('', queue, 'direct');
    const direct = await ch.basicGet(queue, { noAck: true });
    assert.equal(direct?.bodyToString(), 'direct', 'after unbinding only the direct publish arrives');
    assert.equal(await ch.basicGet(queue, { noAck: true }), null);

    await ch.exchangeDelete(source);
    await ch.exchangeDelete(dest);
    const deleted = await ch.queueDelete(queue);
    assert.equal(deleted.messageCount, 0);
  });
});

test('get, ack, nack with requeue, reject, qos and purge', async () => {
  await withChannel(async (ch) => {
    const { name: queue } = await ch.queueDeclare(unique('acks'), { durable: false, exclusive: true });
    for (const body of ['one', 'two', 'three']) await ch.basicPublish('', queue, body);

    const one = await ch.basicGet(queue, { noAck: false });
    assert.equal(one?.bodyToString(), 'one');
    await ch.basicAck(one!.deliveryTag);

    const two = await ch.basicGet(queue, { noAck: false });
    assert.equal(two?.bodyToString(), 'two');
    await ch.basicNack(two!.deliveryTag, true);

    // RabbitMQ puts a requeued message back at its place, ahead of 'three'.
    const again = await ch.basicGet(queue, { noAck: false });
    assert.equal(again?.bodyToString(), 'two', 'the nacked message came back');
    assert.equal(again?.redelivered, true);
    await ch.basicReject(again!.deliveryTag, false);

    const three = await ch.basicGet(queue, { noAck: false });
    assert.equal(three?.bodyToString(), 'three');
    assert.equal(three?.redelivered, false);
    await ch.basicAck(three!.deliveryTag);
    assert.equal(await ch.basicGet(queue, { noAck: true }), null, 'the rejected message is gone');

    // With prefetch 2 and no acks, a consumer holds exactly two of five messages.
    await ch.basicQos(2);
    for (let i = 0; i < 5; i++) await ch.basicPublish('', queue, `m${i}`);
    const held = await consumeN(ch, queue, 2, false);
    assert.deepEqual(
      held.map((m) => m.bodyToString()),
      ['m0', 'm1'],
    );
    const { messageCount } = await ch.queuePurge(queue);
    assert.equal(messageCount, 3, 'the three not delivered are purged; two are still unacked');
    await held[1]!.ack(true);
    assert.equal(await ch.basicGet(queue, { noAck: true }), null);
  });
});

test('publisher confirms and transactions (commit and rollback)', async () => {
  await withChannel(async (ch) => {
    const { name: queue } = await ch.queueDeclare(unique('tx'), { durable: false, exclusive: true });
    await ch.confirmSelect();
    const tags = await Promise.all([1, 2, 3].map((i) => ch.basicPublish('', queue, `c${i}`)));
    assert.deepEqual(tags, [1, 2, 3], 'each publish resolved by its own confirm');
    assert.equal((await ch.queuePurge(queue)).messageCount, 3);
  });
  await withChannel(async (ch) => {
    const { name: queue } = await ch.queueDeclare(unique('tx'), { durable: false, exclusive: true });
    await ch.txSelect();
    await ch.basicPublish('', queue, 'rolled back');
    await ch.txRollback();
    await ch.basicPublish('', queue, 'committed');
    assert.equal(await ch.basicGet(queue, { noAck: true }), null, 'nothing visible before commit');
    await ch.txCommit();
    const got = await ch.basicGet(queue, { noAck: true });
    assert.equal(got?.bodyToString(), 'committed');
    assert.equal(await ch.basicGet(queue, { noAck: true }), null);
  });
});

test('a 5 MiB message arrives byte for byte', async () => {
  await withChannel(async (ch) => {
    const { name: queue } = await ch.queueDeclare(unique('big'), { durable: false, exclusive: true });
    const body = randomBytes(5 * 1024 * 1024);
    await ch.basicPublish('', queue, body);
    const [msg] = await consumeN(ch, queue, 1);
    assert.equal(msg?.bodySize, body.length);
    assert.ok(Buffer.from(msg!.body!).equals(body), 'body identical');
  });
});

test('headers of the types amqp-client.js writes come back intact through the gateway', async () => {
  await withChannel(async (ch) => {
    const { name: queue } = await ch.queueDeclare(unique('hdr'), { durable: false, exclusive: true });
    const headers = {
      str: 'héllo',
      yes: true,
      no: false,
      int: -123456,
      big: 2 ** 40,
      float: 1.25,
      nothing: null,
      table: { nested: 'x', n: 7 },
      array: ['a', 1, true],
    };
    await ch.basicPublish('', queue, 'h', { headers, contentType: 'text/plain', messageId: 'id-1', priority: 3 });
    const msg = await ch.basicGet(queue, { noAck: true });
    const got = { ...msg?.properties.headers };
    assert.equal(got['x-warren-user'], 'alice');
    delete got['x-warren-user'];
    assert.deepEqual(got, headers);
    assert.equal(msg?.properties.contentType, 'text/plain');
    assert.equal(msg?.properties.messageId, 'id-1');
    assert.equal(msg?.properties.priority, 3);
  });
});

/** Every AMQP 0-9-1 field type RabbitMQ accepts, each pinned to its type octet. */
const EVERY_FIELD_TYPE: FieldTable = {
  t: true,
  b: new Typed('b', -5),
  B: new Typed('B', 250),
  s: new Typed('s', -30000),
  u: new Typed('u', 60000),
  I: -2000000000,
  i: new Typed('i', 4000000000),
  l: -(2n ** 62n),
  f: new Typed('f', 1.5),
  d: Math.PI,
  D: new Decimal(2, 12345),
  S: 'long string ✓',
  x: Uint8Array.of(0, 1, 254, 255),
  A: [1, 'two', [3n ** 30n], { four: null }],
  T: new Date(1700000000000),
  F: { inner: { deeper: new Typed('u', 1) } },
  V: null,
};

test('headers of every field type survive the gateway (raw client publishes and consumes)', async () => {
  const client = await RawClient.connect(gw.url);
  try {
    const tune = await handshake(client, await gw.token());
    const queue = unique('types');
    const w = new FrameWriter();
    w.method(1, { name: 'channel.open', args: {} });
    w.method(1, declareQueue(queue));
    client.send(w.take());
    await client.waitFor('queue.declareOk');
    w.message(
      1,
      { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
      { headers: EVERY_FIELD_TYPE },
      Uint8Array.of(1, 2, 3),
      tune.args.frameMax,
    );
    w.method(1, { name: 'basic.get', args: { queue, noAck: true } });
    client.send(w.take());
    await client.waitFor('basic.getOk');
    const header = await client.waitForFrame((e) => e.frame.type === FrameType.Header, 'content header');
    const headers = { ...decodeContentHeader(header.frame.payload).properties.headers };
    assert.equal(headers['x-warren-user'], 'alice');
    delete headers['x-warren-user'];
    assert.deepEqual(headers, EVERY_FIELD_TYPE);
  } finally {
    client.terminate();
  }
});

test('the token may come at the upgrade as ?access_token= or an Authorization: Bearer header', async () => {
  const jwt = await gw.token();
  const byQuery = await RawClient.connect(`${gw.url}?access_token=${encodeURIComponent(jwt)}`, {
    protocols: 'amqp',
  });
  const byHeader = await RawClient.connect(gw.url, { headers: { authorization: `Bearer ${jwt}` } });
  try {
    assert.equal(byQuery.protocol, 'amqp', 'the amqp subprotocol is accepted');
    assert.equal(byHeader.protocol, '', 'a client that offers no subprotocol is let in');
    // start-ok then carries no password: the upgrade's token is the one that counts.
    await handshake(byQuery, 'not-a-token');
    await handshake(byHeader, '');
  } finally {
    byQuery.terminate();
    byHeader.terminate();
  }
});

test('a bad token at the upgrade is refused with HTTP 401', async () => {
  await assert.rejects(RawClient.connect(`${gw.url}?access_token=garbage`), (err: unknown) => {
    assert.ok(err instanceof UpgradeRefused);
    assert.equal(err.status, 401);
    return true;
  });
  const expired = await gw.token({ expiresIn: -600 });
  await assert.rejects(
    RawClient.connect(gw.url, { headers: { authorization: `Bearer ${expired}` } }),
    (err: unknown) => err instanceof UpgradeRefused && err.status === 401,
  );
});

test('closing through the client answers with close-ok (200)', async () => {
  const client = await RawClient.connect(gw.url);
  await handshake(client, await gw.token());
  client.send(
    new FrameWriter()
      .method(0, {
        name: 'connection.close',
        args: { replyCode: ReplyCode.Success, replyText: 'bye', classId: 0, methodId: 0 },
      })
      .take(),
  );
  await client.waitFor('connection.closeOk');
  assert.equal(await client.closed, 1000);
});
