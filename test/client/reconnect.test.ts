import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, type WarrenError, type Connection, type Message } from '../../browser/index.js';
import { startBarePipe } from '../helpers/bare-pipe.js';
import { connectPipe, delay, nextEvent, unique } from './helpers.js';

const fast = { reconnect: { initialDelay: 50, maxDelay: 200 } };

/** Resolves when `count` messages have arrived in `box`. */
async function until(box: unknown[], count: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (box.length < count) {
    if (Date.now() > end) throw new Error(`only ${box.length} of ${count} messages`);
    await delay(10);
  }
}

test('after the pipe drops, channels, qos, exchanges, server-named queues, bindings and consumers come back', async () => {
  const pipe = await startBarePipe();
  const conn = await connectPipe(pipe, fast);
  try {
    const ch = await conn.channel();
    const exchange = unique('ex');
    await ch.exchangeDeclare(exchange, 'topic', { autoDelete: true });
    const { queue } = await ch.queueDeclare('', { exclusive: true });
    await ch.queueBind(queue, exchange, 'chat.#');
    await ch.basicQos(1);
    const got: Message[] = [];
    const consumer = await ch.basicConsume(queue, {}, (m) => got.push(m));
    await ch.basicPublish(exchange, 'chat.a', 'before');
    await until(got, 1);
    got[0]!.ack();

    const events: string[] = [];
    conn.on('reconnecting', ({ attempt }) => events.push(`reconnecting:${attempt}`));
    const reconnected = nextEvent<[{ renamedQueues: Map<string, string> }]>(conn, 'reconnected');
    pipe.dropConnections();
    const [{ renamedQueues }] = await reconnected;
    assert.deepEqual(events, ['reconnecting:1']);

    const renamed = renamedQueues.get(queue);
    assert.ok(renamed !== undefined && renamed !== queue, 'the exclusive server-named queue has a new name');
    assert.equal(consumer.queue, renamed);
    const pub = await conn.channel();
    await pub.basicPublish(exchange, 'chat.b', 'after 1');
    await pub.basicPublish(exchange, 'chat.c', 'after 2');
    await until(got, 2);
    // qos 1 is back: the second waits for the first's ack.
    await delay(100);
    assert.equal(got.length, 2);
    got[1]!.ack();
    await until(got, 3);
    assert.deepEqual(
      got.map((m) => m.text),
      ['before', 'after 1', 'after 2'],
    );
    // Settling a delivery of the lost connection does nothing (its tag means nothing now).
    got[0]!.ack();
    got[2]!.ack();
    assert.equal((await pub.queueDeclare(renamed, { passive: true })).messageCount, 0);
  } finally {
    await conn.close();
    await pipe.close();
  }
});

test('the pipe restarts on the same port: consumers resume and nothing confirmed is lost', async () => {
  let pipe = await startBarePipe();
  const port = pipe.port;
  const conn = await connectPipe(pipe, fast);
  const queue = unique('durable');
  try {
    const ch = await conn.channel();
    await ch.queueDeclare(queue, { durable: true });
    await ch.confirmSelect();

    // Confirmed publishes racing the drop: each settles, and every one that resolved is in the queue.
    // One confirmed before; thousands in flight when the pipe goes down.
    await ch.basicPublish('', queue, 'first', { deliveryMode: 2 });
    const outcomes = Array.from({ length: 5000 }, (_, i) =>
      ch.basicPublish('', queue, `${i}`, { deliveryMode: 2 }).then(
        () => 'ok',
        (e: WarrenError) => e.code,
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const down = pipe.close();
    const settled = await Promise.all(outcomes);
    await down;
    const confirmed = settled.filter((s) => s === 'ok').length;
    assert.ok(confirmed < settled.length, 'the drop raced nothing');
    for (const s of settled) assert.ok(s === 'ok' || s === ErrorCode.ConnectionLost, s);

    // Published while down: waits for the reconnect, then goes out.
    const late = ch.basicPublish('', queue, 'late', { deliveryMode: 2 });
    await delay(300);
    const reconnected = nextEvent(conn, 'reconnected');
    pipe = await startBarePipe({ port });
    await reconnected;
    await late;

    const got: string[] = [];
    await ch.basicConsume(queue, { noAck: true }, (m) => got.push(m.text));
    await delay(300);
    assert.ok(got.includes('late'));
    assert.ok(got.includes('first'));
    const numbers = new Set(got.filter((t) => t !== 'late' && t !== 'first'));
    assert.ok(numbers.size >= confirmed, `${numbers.size} in the queue, ${confirmed} confirmed`);
    for (const [i, s] of settled.entries()) if (s === 'ok') assert.ok(numbers.has(`${i}`), `confirmed ${i} lost`);
  } finally {
    const cleanup = await conn.channel().catch(() => undefined);
    await cleanup?.queueDelete(queue).catch(() => undefined);
    await conn.close();
    await pipe.close();
  }
});

test('an RPC in flight when the socket drops rejects with ERR_CONNECTION_LOST; the channel works after', async () => {
  const pipe = await startBarePipe();
  const conn = await connectPipe(pipe, fast);
  try {
    const ch = await conn.channel();
    const pending = ch.queueDeclare('', { exclusive: true });
    pipe.dropConnections();
    // The declare may or may not have been answered before the drop.
    await pending.catch((e: WarrenError) => assert.equal(e.code, ErrorCode.ConnectionLost));
    const { queue } = await ch.queueDeclare('', { exclusive: true });
    assert.match(queue, /^amq\.gen-/);
  } finally {
    await conn.close();
    await pipe.close();
  }
});

test('with reconnect off, a drop closes the connection and its channels with ERR_CONNECTION_LOST', async () => {
  const pipe = await startBarePipe();
  const conn = await connectPipe(pipe, { reconnect: false });
  try {
    const ch = await conn.channel();
    const consumer = await ch.basicConsume((await ch.queueDeclare('', { exclusive: true })).queue);
    const closed = nextEvent<[WarrenError | undefined]>(conn, 'close');
    const chClosed = nextEvent<[WarrenError | undefined]>(ch, 'close');
    pipe.dropConnections();
    assert.equal((await closed)[0]?.code, ErrorCode.ConnectionLost);
    assert.equal((await chClosed)[0]?.code, ErrorCode.ConnectionLost);
    await assert.rejects(
      (async () => {
        for await (const _ of consumer);
      })(),
      { code: ErrorCode.ConnectionLost },
    );
    await assert.rejects(ch.basicPublish('', 'q', 'x'), { code: ErrorCode.ConnectionLost });
  } finally {
    await conn.close();
    await pipe.close();
  }
});

test('while down, a publish waits up to waitTimeout; after maxAttempts the connection closes', async () => {
  const pipe = await startBarePipe();
  const conn: Connection = await connectPipe(pipe, {
    waitTimeout: 100,
    reconnect: { initialDelay: 100, maxDelay: 100, maxAttempts: 3 },
  });
  const ch = await conn.channel();
  const attempts: number[] = [];
  conn.on('reconnecting', ({ attempt }) => attempts.push(attempt));
  const closed = nextEvent<[WarrenError | undefined]>(conn, 'close');
  const reconnecting = nextEvent(conn, 'reconnecting');
  await pipe.close();
  await reconnecting;
  await assert.rejects(ch.basicPublish('', 'q', 'x'), { code: ErrorCode.Timeout });
  const [err] = await closed;
  assert.equal(err?.code, ErrorCode.ConnectionLost);
  assert.deepEqual(attempts, [1, 2, 3]);
  // Later calls fail with the reason the connection ended.
  await assert.rejects(conn.channel(), { code: ErrorCode.ConnectionLost });
});

test('what waits when reconnecting gives up rejects at once, with the reason the connection ended', async () => {
  const pipe = await startBarePipe();
  const conn: Connection = await connectPipe(pipe, {
    waitTimeout: 20_000,
    reconnect: { initialDelay: 50, maxDelay: 50, maxAttempts: 2 },
  });
  const ch = await conn.channel();
  const closed = nextEvent<[WarrenError | undefined]>(conn, 'close');
  const reconnecting = nextEvent(conn, 'reconnecting');
  await pipe.close();
  await reconnecting;
  const waiting = [ch.basicPublish('', 'q', 'x'), ch.queueDeclare('', { exclusive: true }), conn.channel()];
  const outcomes = waiting.map((call) =>
    call.then(
      () => 'resolved',
      (err: WarrenError) => err.code,
    ),
  );
  const started = Date.now();
  const [err] = await closed;
  assert.equal(err?.code, ErrorCode.ConnectionLost);
  assert.deepEqual(await Promise.all(outcomes), Array(3).fill(ErrorCode.ConnectionLost));
  assert.ok(Date.now() - started < 5000, 'they did not wait for waitTimeout');
});

test('close() during reconnecting stops it', async () => {
  const pipe = await startBarePipe();
  const conn = await connectPipe(pipe, { reconnect: { initialDelay: 5000 } });
  const reconnecting = nextEvent(conn, 'reconnecting');
  await pipe.close();
  await reconnecting;
  const closed = nextEvent<[WarrenError | undefined]>(conn, 'close');
  await conn.close();
  assert.deepEqual(await closed, [undefined]);
});
