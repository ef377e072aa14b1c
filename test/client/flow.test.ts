import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FrameSplitter, FrameType, encodeMethod, type Frame } from '../../shared/index.js';
import {
  Consumer,
  ErrorCode,
  type ConnectOptions,
  type Connection,
  type WarrenError,
  type WebSocketConstructor,
} from '../../browser/index.js';
import { WebSocket as NodeWebSocket } from 'ws';
import { startBarePipe, type BarePipe } from '../helpers/bare-pipe.js';
import { connectPipe, delay, nextEvent, unique, withTimersHeldBack } from './helpers.js';

let pipe: BarePipe;
/** WebSocket messages the client sent, and frames each side sent, since the last reset. */
let clientMessages: Uint8Array[] = [];
let framesFromBroker: Frame[] = [];
let framesFromClient: Frame[] = [];
before(async () => {
  pipe = await startBarePipe({
    tap: (direction, bytes) => {
      if (direction === 'toBroker') clientMessages.push(new Uint8Array(bytes));
    },
  });
});
after(() => pipe.close());

/** Splits everything the tap saw into frames (skipping the protocol header). */
function framesOf(messages: Uint8Array[]): Frame[] {
  const splitter = new FrameSplitter({ frameMax: 1 << 20 });
  const frames: Frame[] = [];
  for (const m of messages) {
    const bytes = m[0] === 0x41 ? m.subarray(8) : m;
    splitter.push(bytes, (f) => frames.push({ ...f, payload: f.payload.slice() }));
  }
  return frames;
}

/** Sends what a broker under a resource alarm sends, through the pipe, and waits for the client's event. */
async function blockFromBroker(conn: Connection, reason = 'disk'): Promise<void> {
  const blocked = nextEvent(conn, 'blocked');
  pipe.inject(encodeMethod(0, { name: 'connection.blocked', args: { reason } }));
  await blocked;
}

async function unblockFromBroker(conn: Connection): Promise<void> {
  const unblocked = nextEvent(conn, 'unblocked');
  pipe.inject(encodeMethod(0, { name: 'connection.unblocked', args: {} }));
  await unblocked;
}

/**
 * A connection through the pipe with `options`, a channel in confirm mode (so a
 * publish resolves once the broker has the message) and an exclusive queue.
 */
async function confirmingChannel(options: Partial<ConnectOptions> = {}) {
  const conn = await connectPipe(pipe, options);
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  await ch.confirmSelect();
  return { conn, ch, queue };
}

test('a burst of publishes in one tick leaves as one WebSocket message', async () => {
  const conn = await connectPipe(pipe);
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  await delay(20);
  clientMessages = [];
  const sent = Array.from({ length: 100 }, (_, i) => ch.basicPublish('', queue, `m${i}`));
  await Promise.all(sent);
  await delay(50);
  assert.equal(clientMessages.length, 1);
  const frames = framesOf(clientMessages);
  assert.equal(frames.length, 300, 'method, header and body frame per publish');
  assert.equal((await ch.queueDeclare(queue, { passive: true })).messageCount, 100);
  await conn.close();
});

test('with permessage-deflate negotiated, a burst of large publishes arrives byte for byte', async () => {
  // The client sends its frames as a view of a buffer it reuses, which is safe
  // only when the WebSocket copies them at once; ws compresses later, from the view.
  const deflating = await startBarePipe({ perMessageDeflate: true });
  try {
    const conn = await connectPipe(deflating);
    const ch = await conn.channel();
    const { queue } = await ch.queueDeclare('', { exclusive: true });
    const bodies = Array.from({ length: 12 }, (_, i) => new Uint8Array(60 * 1024).fill(i + 1));
    await Promise.all(bodies.map((body) => ch.basicPublish('', queue, body)));
    for (const body of bodies) assert.deepEqual((await ch.basicGet(queue, { noAck: true }))?.body, body);
    await conn.close();
  } finally {
    await deflating.close();
  }
});

test('above highWaterMark publishes wait for the socket to drain, and arrive in order', async () => {
  const { conn, ch, queue } = await confirmingChannel({ highWaterMark: 0 });
  const body = new Uint8Array(64 * 1024);
  const order: number[] = [];
  const all = Array.from({ length: 50 }, (_, i) => {
    body[0] = i;
    return ch.basicPublish('', queue, body.slice()).then(() => order.push(i));
  });
  await Promise.all(all);
  assert.deepEqual(
    order,
    Array.from({ length: 50 }, (_, i) => i),
  );
  for (let i = 0; i < 50; i++) assert.equal((await ch.basicGet(queue, { noAck: true }))?.body[0], i);
  await conn.close();
});

/**
 * A channel, with an exclusive queue, on a connection whose WebSocket reports
 * nothing buffered, as a peer that reads everything at once (uWS) makes it;
 * `sent()` counts the bytes sent after this returns.
 */
async function channelToPeerThatTakesEverything() {
  let sent = 0;
  class TakesEverything {
    constructor(url: string, protocols?: string | string[]) {
      const ws = new NodeWebSocket(url, protocols);
      Object.defineProperty(ws, 'bufferedAmount', { get: () => 0 });
      const send = ws.send.bind(ws);
      ws.send = ((data: Uint8Array) => {
        sent += data.length;
        send(data);
      }) as typeof ws.send;
      return ws;
    }
  }
  const WebSocket = TakesEverything as unknown as WebSocketConstructor;
  const conn = await connectPipe(pipe, { WebSocket, highWaterMark: 1 << 20 });
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  sent = 0;
  return { conn, ch, queue, sent: () => sent };
}

test('publishes to a peer that takes everything at once (uWS) leave a high-water mark per turn of the event loop', async () => {
  // uWS reads whatever a page sends, so its WebSocket never holds anything: were publishing to wait only for
  // bufferedAmount, a burst would go out in one run, and a connection.blocked sent meanwhile would be read
  // only after it.
  const { conn, ch, queue, sent } = await channelToPeerThatTakesEverything();
  const body = new Uint8Array(64 * 1024);
  const all = Array.from({ length: 200 }, () => ch.basicPublish('', queue, body));
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(sent() > 0 && sent() <= 2 << 20, `${sent()} bytes of 12.5 MiB left before the event loop turned`);
  await Promise.all(all);
  assert.ok(sent() >= 200 * body.length, 'all of it left in the end');
  await conn.close();
});

test('a burst past the high-water mark goes on at the next turn of the event loop, not at the next timer (background tabs)', async () => {
  const { conn, ch, queue, sent } = await channelToPeerThatTakesEverything();
  const body = new Uint8Array(64 * 1024);
  // A tab hidden for five minutes runs chained timers once a minute: were the burst cleared by a timer,
  // publishing would stall for that long each high-water mark's worth.
  await withTimersHeldBack(60_000, async (realSetTimeout) => {
    const all = Promise.all(Array.from({ length: 64 }, () => ch.basicPublish('', queue, body)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(sent() > 0 && sent() <= 2 << 20, `${sent()} bytes of 4 MiB left before the event loop turned`);
    let stalled: NodeJS.Timeout | undefined;
    const stall = new Promise<never>((_, reject) => {
      stalled = realSetTimeout(() => reject(new Error(`stalled after ${sent()} bytes of 4 MiB`)), 10_000);
    });
    await Promise.race([all, stall]).finally(() => clearTimeout(stalled));
  });
  assert.ok(sent() >= 64 * body.length, 'all of it left');
  await conn.close();
});

test('while connection.blocked, publishes (and calls behind them, in order) wait; unblocked lets them out', async () => {
  const { conn, ch, queue } = await confirmingChannel();
  const reason = nextEvent<[string]>(conn, 'blocked');
  await blockFromBroker(conn, 'low on memory');
  assert.deepEqual(await reason, ['low on memory']);
  const settled: string[] = [];
  const publish = ch.basicPublish('', queue, 'held').then(() => settled.push('publish'));
  const purge = ch.queuePurge(queue).then((n) => settled.push(`purge:${n}`));
  await delay(200);
  assert.deepEqual(settled, []);
  await unblockFromBroker(conn);
  await Promise.all([publish, purge]);
  // The purge found the publish, which was held in front of it.
  assert.deepEqual(settled.sort(), ['publish', 'purge:1']);
  await conn.close();
});

test('a publish held longer than waitTimeout rejects with ERR_TIMEOUT', async () => {
  const conn = await connectPipe(pipe, { waitTimeout: 150 });
  const ch = await conn.channel();
  await blockFromBroker(conn);
  await assert.rejects(ch.basicPublish('', 'x', 'y'), { code: ErrorCode.Timeout });
  await conn.close();
});

test('past maxWaitingBytes a publish rejects ERR_WAIT_FULL at once; those waiting keep their place and go', async () => {
  // Each publish counts its 1,000 bytes and 64 for waiting: two fit, with 63 bytes to spare.
  const { conn, ch, queue } = await confirmingChannel({ maxWaitingBytes: 2 * (1000 + 64) + 63 });
  await blockFromBroker(conn);
  const body = new Uint8Array(1000);
  const waiting = [ch.basicPublish('', queue, body), ch.basicPublish('', queue, body)];
  await assert.rejects(ch.basicPublish('', queue, body), { code: ErrorCode.WaitFull });
  await assert.rejects(ch.queuePurge(queue), { code: ErrorCode.WaitFull }, 'a call counts its 64 bytes');
  await unblockFromBroker(conn);
  await Promise.all(waiting);
  assert.equal((await ch.queueDeclare(queue, { passive: true })).messageCount, 2);
  await conn.close();
});

test('a publish larger than maxWaitingBytes may wait when nothing else does; what left no longer counts', async () => {
  const { conn, ch, queue } = await confirmingChannel({ maxWaitingBytes: 1024 });
  await blockFromBroker(conn);
  const large = ch.basicPublish('', queue, new Uint8Array(4096));
  await assert.rejects(ch.basicPublish('', queue, 'small'), { code: ErrorCode.WaitFull });
  await unblockFromBroker(conn);
  await large;
  await blockFromBroker(conn);
  // Two of 400 bytes (464 counted each) fit in 1,024 again: the large one no longer counts.
  const two = [ch.basicPublish('', queue, new Uint8Array(400)), ch.basicPublish('', queue, new Uint8Array(400))];
  await unblockFromBroker(conn);
  await Promise.all(two);
  assert.equal((await ch.queueDeclare(queue, { passive: true })).messageCount, 3);
  await conn.close();
});

/** Publishes `count` messages of 1,000 bytes to `queue` from a connection of its own, each confirmed. */
async function fill(queue: string, count: number): Promise<void> {
  const publisher = await connectPipe(pipe);
  const ch = await publisher.channel();
  await ch.confirmSelect();
  await Promise.all(Array.from({ length: count }, () => ch.basicPublish('', queue, new Uint8Array(1000))));
  await publisher.close();
}

/** Runs `consumer`'s loop to its end: how many messages it took, and what it threw (a loop not ended after 10 s throws too). */
async function loopToEnd(consumer: Consumer): Promise<{ taken: number; error: unknown }> {
  let taken = 0;
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the loop did not end; ${taken} taken`)), 10_000);
  });
  const loop = (async () => {
    for await (const _ of consumer) taken++;
  })();
  try {
    await Promise.race([loop, stuck]);
    return { taken, error: undefined };
  } catch (error) {
    return { taken, error };
  } finally {
    clearTimeout(timer);
  }
}

test('an iterated consumer past maxWaitingBytes is cancelled; its loop takes what came, then throws ERR_WAIT_FULL, and nothing is lost', async () => {
  const { conn, ch, queue } = await confirmingChannel({ maxWaitingBytes: 8 * 1024 });
  const total = 5000;
  // From another connection: this one's bound would refuse so many publishes waiting at once.
  await fill(queue, total);
  // noAck and no prefetch: the broker sends as fast as it can, and the loop does not start yet. Past
  // 8 KiB the consumer is cancelled; what the broker sent before it took the cancel still comes.
  const consumer = await ch.basicConsume(queue, { noAck: true });
  await delay(300);
  const { taken, error } = await loopToEnd(consumer);
  assert.equal((error as WarrenError | undefined)?.code, ErrorCode.WaitFull, String(error));
  const left = (await ch.queueDeclare(queue, { passive: true })).messageCount;
  assert.ok(taken >= 8, `${taken} taken: at least the 8 that passed 8 KiB (1,064 bytes counted each)`);
  assert.ok(taken < total, 'the broker stopped sending once the consumer was cancelled');
  assert.equal(taken + left, total, 'nothing lost: what did not come is still queued');
  await conn.close();
});

test('a consumer past maxWaitingBytes whose cancel a dropped socket lost is cancelled again once a reconnect restored it', async () => {
  // Not exclusive, so the queue and its messages outlive the dropped connection.
  const queue = unique('overflow');
  const conn = await connectPipe(pipe, { maxWaitingBytes: 8 * 1024, reconnect: { initialDelay: 50, maxDelay: 50 } });
  const ch = await conn.channel();
  await ch.queueDeclare(queue);
  await fill(queue, 2000);
  // The socket drops as the consumer sends its cancel, so no cancel-ok comes and the reconnect restores it.
  // On the prototype: deliveries that came with the consume-ok pass the bound before basicConsume resolves.
  const cancel = Consumer.prototype.cancel;
  let cancels = 0;
  Consumer.prototype.cancel = function (this: Consumer) {
    if (cancels++ === 0) pipe.dropConnections();
    return cancel.call(this);
  };
  let consumer: Consumer;
  try {
    const reconnected = nextEvent(conn, 'reconnected');
    // With acks and no prefetch the broker sends everything, and takes back what was unacked when the socket drops.
    consumer = await ch.basicConsume(queue);
    await reconnected;
    await delay(300);
  } finally {
    Consumer.prototype.cancel = cancel;
  }
  const { error } = await loopToEnd(consumer);
  assert.equal((error as WarrenError | undefined)?.code, ErrorCode.WaitFull, String(error));
  assert.equal(cancels, 2, 'cancelled once before the drop and once after the reconnect');
  await ch.queueDelete(queue);
  await conn.close();
});

test("an iterated consumer's loop that keeps up frees what it took: 50 KiB pass one bounded at 8 KiB", async () => {
  const { conn, ch, queue } = await confirmingChannel({ maxWaitingBytes: 8 * 1024 });
  const body = new Uint8Array(1000);
  const consumer = await ch.basicConsume(queue, { noAck: true });
  const loop = consumer[Symbol.asyncIterator]();
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 5 }, () => ch.basicPublish('', queue, body)));
    for (let i = 0; i < 5; i++) assert.equal((await loop.next()).value?.body.length, 1000);
  }
  await loop.return?.();
  await conn.close();
});

test('a publish that can go when a late timer checks it goes, though its waitTimeout passed (background tabs)', async () => {
  let buffered = 0;
  class Backlogged {
    constructor(url: string, protocols?: string | string[]) {
      const ws = new NodeWebSocket(url, protocols);
      Object.defineProperty(ws, 'bufferedAmount', { get: () => buffered });
      return ws;
    }
  }
  const WebSocket = Backlogged as unknown as WebSocketConstructor;
  const conn = await connectPipe(pipe, { WebSocket, waitTimeout: 100, highWaterMark: 1 << 20 });
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  // The socket holds more than the mark; it drains at 50 ms, but the timer that polls it runs at 400 ms
  // (as a background tab holds timers back), after the publish's 100 ms wait is over.
  buffered = 2 << 20;
  await withTimersHeldBack(400, async (realSetTimeout) => {
    realSetTimeout(() => (buffered = 0), 50);
    await ch.basicPublish('', queue, 'late');
  });
  assert.equal((await ch.basicGet(queue, { noAck: true }))?.text, 'late');
  await conn.close();
});

test('heartbeat frames from the peer are answered', async () => {
  const conn = await connectPipe(pipe);
  await delay(20);
  clientMessages = [];
  pipe.inject(Uint8Array.of(FrameType.Heartbeat, 0, 0, 0, 0, 0, 0, 0xce));
  await delay(100);
  framesFromClient = framesOf(clientMessages);
  assert.deepEqual(
    framesFromClient.map((f) => f.type),
    [FrameType.Heartbeat],
  );
  await conn.close();
});

test('heartbeat is 0 unless asked for; asked for, the negotiated one flows both ways', async () => {
  const tunes: number[] = [];
  const seen = await startBarePipe({
    tap: (direction, bytes) => {
      const frames = framesOf([new Uint8Array(bytes)]);
      if (direction === 'toClient') framesFromBroker.push(...frames);
      else framesFromClient.push(...frames);
      for (const f of frames) {
        // connection.tune-ok: class 10, method 31; heartbeat is the last short.
        if (f.type === 1 && f.payload[1] === 10 && f.payload[3] === 31)
          tunes.push((f.payload[10]! << 8) | f.payload[11]!);
      }
    },
  });
  try {
    const quiet = await connectPipe(seen);
    await quiet.close();
    framesFromBroker = [];
    framesFromClient = [];
    const beating = await connectPipe(seen, { heartbeat: 1 });
    await delay(2500);
    assert.ok(framesFromBroker.some((f) => f.type === FrameType.Heartbeat));
    assert.ok(framesFromClient.some((f) => f.type === FrameType.Heartbeat));
    await beating.close();
    assert.deepEqual(tunes, [0, 1]);
  } finally {
    await seen.close();
  }
});
