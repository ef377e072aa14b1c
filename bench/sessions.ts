import { AMQPClient } from '@cloudamqp/amqp-client';
import { FrameType, FrameWriter } from '../shared/index.js';
import { consumeQueue, handshakeBytes, RawClient } from '../test/helpers/raw-client.js';
import type { ServerProcess } from './processes.js';

export interface IdleSessionResult {
  readonly sessions: number;
  readonly bytesPerSession: number;
  readonly rssDeltaMb: number;
}

export interface SessionRun {
  readonly idle: IdleSessionResult[];
  /** Sessions taken from WebSocket upgrade to connection.open-ok, per second, 100 at a time. */
  readonly establishedPerSec: number;
  /** The largest count that opened (a limit of the broker or this machine shows up here). */
  readonly reached: number;
  readonly error?: string;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

/**
 * Opens idle authenticated sessions up to each of `counts` and reads the
 * gateway's RSS at each: (RSS − RSS before any session) / sessions.
 */
export async function idleSessions(
  gateway: ServerProcess,
  url: string,
  token: string,
  counts: readonly number[],
): Promise<SessionRun> {
  const clients: RawClient[] = [];
  const idle: IdleSessionResult[] = [];
  const bytes = handshakeBytes(token);
  // One session first, so what every session shares (code, pools) is in the baseline.
  const first = await openOne(url, bytes);
  await settle();
  const baseline = gateway.rss();
  let openMs = 0;
  let opened = 0;
  let error: string | undefined;
  try {
    for (const target of counts) {
      while (clients.length < target) {
        const n = Math.min(100, target - clients.length);
        const started = performance.now();
        clients.push(...(await Promise.all(Array.from({ length: n }, () => openOne(url, bytes)))));
        openMs += performance.now() - started;
        opened += n;
      }
      await settle();
      const delta = gateway.rss() - baseline;
      idle.push({ sessions: target, bytesPerSession: delta / target, rssDeltaMb: delta / 2 ** 20 });
    }
  } catch (err) {
    error = String(err);
  }
  const reached = clients.length;
  for (const c of [first, ...clients]) c.terminate();
  await settle();
  return {
    idle,
    establishedPerSec: opened / (openMs / 1000),
    reached,
    ...(error === undefined ? {} : { error }),
  };
}

async function openOne(url: string, handshake: Uint8Array): Promise<RawClient> {
  const client = await RawClient.connect(url);
  client.send(handshake);
  await client.waitForAny(['connection.openOk', 'connection.close']);
  if (client.frames.at(-1)?.method?.name !== 'connection.openOk') {
    client.terminate();
    throw new Error('session refused: connection.close');
  }
  // Nothing more will be read: drop what was kept, as an idle browser would hold nothing.
  client.frames.length = 0;
  return client;
}

export interface StalledReaderResult {
  readonly pushedMb: number;
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
  readonly rssGrowthMb: number;
  readonly deliveredAfterResume: boolean;
}

/**
 * A browser stops reading while the broker pushes `megabytes` at it: the peak
 * gateway RSS while it stalls, then everything must still arrive after it reads again.
 */
export async function stalledReader(
  gateway: ServerProcess,
  url: string,
  token: string,
  brokerUrl: string,
  megabytes: number,
): Promise<StalledReaderResult> {
  const size = 256 * 1024;
  const count = Math.ceil((megabytes * 2 ** 20) / size);
  const queue = `warren-bench-stall-${process.pid}-${Date.now()}`;
  const conn = await new AMQPClient(brokerUrl).connect();
  const ch = await conn.channel();
  await ch.queueDeclare(queue, { autoDelete: false }, { 'x-expires': 300_000 });
  const body = new Uint8Array(size);
  for (let i = 0; i < count; i++) await ch.basicPublish('', queue, body);

  const client = await RawClient.connect(url);
  try {
    client.send(handshakeBytes(token));
    await client.waitFor('connection.openOk');
    await settle();
    const rssStart = gateway.rss();
    client.pauseReading();
    client.send(new FrameWriter().method(1, { name: 'channel.open', args: {} }).method(1, consumeQueue(queue)).take());
    let peak = rssStart;
    for (let i = 0; i < 60; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peak = Math.max(peak, gateway.rss());
    }
    client.resumeReading();
    let have = 0;
    let delivered = true;
    try {
      while (have < count * size) {
        const { frame } = await client.waitForFrame((e) => e.frame.type === FrameType.Body, 'body', 30_000);
        have += frame.payload.length;
        // Keep the client's own memory flat: the frames were only needed for counting.
        const cursor = client as unknown as { cursor: number };
        client.frames.splice(0, cursor.cursor);
        cursor.cursor = 0;
      }
    } catch {
      delivered = false;
    }
    return {
      pushedMb: (count * size) / 2 ** 20,
      rssStartMb: rssStart / 2 ** 20,
      rssPeakMb: peak / 2 ** 20,
      rssGrowthMb: (peak - rssStart) / 2 ** 20,
      deliveredAfterResume: delivered && have === count * size,
    };
  } finally {
    client.terminate();
    await ch.queueDelete(queue).catch(() => {});
    await conn.close().catch(() => {});
  }
}
