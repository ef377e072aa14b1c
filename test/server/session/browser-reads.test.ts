import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpCodecError, FrameSplitter, FrameWriter, ReplyCode, type Frame } from '../../../shared/index.js';
import { BrowserReads, type BrowserReadsOwner } from '../../../server/session/browser-reads.js';
import type { SessionEvent } from '../../../server/session/session-types.js';
import type { GatewaySocket } from '../../../server/transport/transport.js';
import { makeMethod } from '../policy/make-method.js';

/** A socket that only records whether it is paused. */
function pausable(): GatewaySocket & { paused: boolean } {
  const socket = {
    paused: false,
    pause: () => void (socket.paused = true),
    resume: () => void (socket.paused = false),
  };
  return socket as unknown as GatewaySocket & typeof socket;
}

/** An owner that records the frames it handled (by channel), errors and events. */
class Owner implements BrowserReadsOwner {
  readonly handled: number[] = [];
  readonly errors: unknown[] = [];
  readonly events: SessionEvent[] = [];
  flushes = 0;
  ended = false;
  handleBrowserFrame(frame: Frame): void {
    this.handled.push(frame.channel);
  }
  browserProtocolError(err: unknown): void {
    this.errors.push(err);
  }
  stepFailed(err: unknown): void {
    this.errors.push(err);
  }
  flushReplayed(): void {
    this.flushes++;
  }
  observe(event: SessionEvent): void {
    this.events.push(event);
  }
}

/** A basic.qos (19 bytes) on each of channels 1…n, standing in for anything the browser sends. */
function frames(n: number): Frame[] {
  const writer = new FrameWriter();
  for (let channel = 1; channel <= n; channel++) writer.method(channel, makeMethod('basic.qos', {}));
  const out: Frame[] = [];
  new FrameSplitter({ frameMax: 131072 }).push(writer.take(), (frame) => out.push(frame));
  return out;
}

test('frames that come while a step runs wait, in order, and the socket reads again after it', async () => {
  const socket = pausable();
  const owner = new Owner();
  const reads = new BrowserReads(socket, { browserPaused: false }, owner, 0, 1 << 20);
  let finish!: () => void;
  reads.runBusy(() => new Promise<void>((resolve) => (finish = resolve)));
  assert.equal(socket.paused, true);
  assert.equal(reads.flowing, false);
  for (const frame of frames(3)) reads.frame(frame);
  assert.deepEqual(owner.handled, []);
  finish();
  await sleep(0);
  assert.deepEqual(owner.handled, [1, 2, 3]);
  assert.equal(socket.paused, false);
  assert.equal(reads.flowing, true);
  assert.equal(owner.flushes, 1, 'what the replay produced is sent');
  reads.frame(frames(1)[0]!);
  assert.deepEqual(owner.handled, [1, 2, 3, 1], 'then frames are handled as they come');
});

test("a step that fails is reported, and reading does not resume while the broker's backpressure holds it", async () => {
  const socket = pausable();
  const owner = new Owner();
  const reads = new BrowserReads(socket, { browserPaused: true }, owner, 0, 1 << 20);
  reads.runBusy(() => Promise.reject(new Error('broker gone')));
  await sleep(0);
  assert.equal((owner.errors[0] as Error).message, 'broker gone');
  assert.equal(socket.paused, true);
});

test('past 1,024 frames while a step runs: 506 RESOURCE_ERROR', () => {
  const reads = new BrowserReads(pausable(), { browserPaused: false }, new Owner(), 0, 1 << 20);
  reads.runBusy(() => new Promise<void>(() => {}));
  const [frame] = frames(1);
  for (let i = 0; i < 1024; i++) reads.frame(frame!);
  assert.throws(
    () => reads.frame(frame!),
    (err: unknown) => err instanceof AmqpCodecError && err.replyCode === ReplyCode.ResourceError,
  );
});

test('over --publish-rate, reading stops and frames wait until the bucket refilled; none is dropped', async () => {
  const socket = pausable();
  const owner = new Owner();
  // 1,000 a second: the bucket holds 1,000, and the publish that overdraws it stops reading for a few ms
  // (the loop may take a millisecond or two, each refilling one).
  const reads = new BrowserReads(socket, { browserPaused: false }, owner, 1000, 1 << 20);
  let publishes = 0;
  while (!socket.paused && publishes < 2000) {
    reads.published();
    publishes++;
  }
  assert.equal(socket.paused, true);
  assert.ok(publishes > 1000, `stopped after ${publishes}, within the bucket`);
  assert.deepEqual(
    owner.events.map((e) => e.type),
    ['backpressure'],
  );
  for (const frame of frames(2)) reads.frame(frame);
  assert.deepEqual(owner.handled, []);
  await sleep(100);
  assert.deepEqual(owner.handled, [1, 2]);
  assert.equal(socket.paused, false);
});

test('held by the rate limit, frames past what one message and one read can carry: 506', () => {
  // 30 bytes may wait: one basic.qos, not two.
  const reads = new BrowserReads(pausable(), { browserPaused: false }, new Owner(), 1, 30);
  reads.published();
  reads.published();
  const [frame] = frames(1);
  reads.frame(frame!);
  assert.throws(
    () => reads.frame(frame!),
    (err: unknown) => err instanceof AmqpCodecError && err.replyCode === ReplyCode.ResourceError,
  );
  reads.stop();
});
