/**
 * The benchmark's workloads, over any client that can open a {@link BenchSession}.
 * Nothing here is Node's: Chromium runs this same module in a page
 * (see chromium-clients.ts), so the rows measured there do the same work.
 */

/** Gives up on a workload that stalls, so a broken row cannot hang the run. */
export const STALL_MS = 30_000;

/** The little the workloads need from a client session: one channel. */
export interface BenchSession {
  declareQueue(name: string): Promise<void>;
  deleteQueue(name: string): Promise<void>;
  publish(queue: string, body: Uint8Array): Promise<unknown>;
  consume(queue: string, onBody: (body: Uint8Array) => void): Promise<void>;
  close(): Promise<void>;
}

/** Opens one session of the client under test (a connection with one channel). */
export type OpenSession = () => Promise<BenchSession>;

export interface ThroughputResult {
  readonly msgsPerSec: number;
  readonly mbPerSec: number;
  /** CPU time (user + system) of whatever runs both clients (this process, or Chromium), per message. */
  readonly clientCpuUsPerMsg: number;
}

export interface RttResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const queueName = (what: string) => `warren-bench-${what}-${hex(crypto.getRandomValues(new Uint8Array(4)))}`;

/** `size` random bytes (getRandomValues fills at most 64 KiB a call). */
function randomBody(size: number): Uint8Array {
  const body = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(body.subarray(at, at + 65536));
  return body;
}

/**
 * One publisher session and one consumer session (noAck). The publisher keeps
 * at most `window` messages ahead of the consumer, so no row is measured by how
 * much its client can buffer; the clock runs from the first publish to the last delivery.
 */
export async function throughput(
  open: OpenSession,
  count: number,
  size: number,
  window: number,
): Promise<Omit<ThroughputResult, 'clientCpuUsPerMsg'>> {
  const queue = queueName('tp');
  const consumer = await open();
  const publisher = await open();
  try {
    await consumer.declareQueue(queue);
    let received = 0;
    /** What the publisher waits for `received` to reach, and how to tell it. */
    let target = Infinity;
    let wake: (() => void) | undefined;
    await consumer.consume(queue, () => {
      received++;
      if (wake !== undefined && received >= target) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    const body = randomBody(size);
    const started = performance.now();
    const deadline = Date.now() + STALL_MS * 4;
    for (let sent = 0; sent < count;) {
      const batchEnd = Math.min(count, received + window);
      while (sent < batchEnd) {
        await publisher.publish(queue, body);
        sent++;
      }
      if (sent - received >= window || sent === count)
        await waitFor(() => received, sent === count ? count : sent - window / 2);
      if (Date.now() > deadline) throw new Error('throughput run took too long');
    }
    const seconds = (performance.now() - started) / 1000;
    await consumer.deleteQueue(queue);
    return { msgsPerSec: count / seconds, mbPerSec: (count * size) / seconds / 1e6 };

    // Woken by the delivery that reaches `until`, whichever it is: a check every 64 deliveries could
    // fall short of it and wait for one that never comes (the publisher waits too).
    function waitFor(current: () => number, until: number): Promise<void> {
      if (current() >= until) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('consumer stalled')), STALL_MS);
        target = until;
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    await Promise.allSettled([publisher.close(), consumer.close()]);
  }
}

/** One session publishes a message, waits for its delivery, and again: one message in flight. */
export async function roundTrip(open: OpenSession, count: number): Promise<RttResult> {
  const queue = queueName('rtt');
  const session = await open();
  try {
    await session.declareQueue(queue);
    let arrived: (() => void) | undefined;
    await session.consume(queue, () => arrived?.());
    const body = randomBody(64);
    const samples: number[] = [];
    const warmup = Math.min(100, count / 10);
    for (let i = 0; i < count + warmup; i++) {
      const started = performance.now();
      const delivered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('round trip stalled')), STALL_MS);
        arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      await session.publish(queue, body);
      await delivered;
      if (i >= warmup) samples.push(performance.now() - started);
    }
    await session.deleteQueue(queue);
    samples.sort((a, b) => a - b);
    return { p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) };
  } finally {
    await session.close().catch(() => {});
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}
