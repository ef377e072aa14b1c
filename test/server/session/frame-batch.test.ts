import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSplitter, FrameWriter, encodeHeartbeat, type Frame } from '../../../shared/index.js';
import { COPY_LIMIT, FrameBatch } from '../../../server/session/frame-batch.js';
import { makeMethod } from '../policy/make-method.js';

/**
 * A stream of eight frames as the broker would send it: a publish split into a
 * method, a header and three body frames, a heartbeat, an ack and a
 * channel.flow, received as one Buffer (what a socket hands over).
 */
function golden(): Buffer {
  const body = new Uint8Array(150).map((_, i) => i);
  const writer = new FrameWriter()
    .message(
      1,
      makeMethod('basic.publish', { exchange: 'x', routingKey: 'k' }),
      { contentType: 'text/plain' },
      body,
      64,
    )
    .heartbeat()
    .method(2, makeMethod('basic.ack', { deliveryTag: 7 }))
    .method(3, makeMethod('channel.flow', { active: true }));
  return Buffer.from(writer.take());
}

/** The frames a relay gets from these chunks, as it gets them. */
function receive(...chunks: Uint8Array[]): Frame[] {
  const splitter = new FrameSplitter({ frameMax: 131072 });
  const frames: Frame[] = [];
  for (const chunk of chunks) splitter.push(chunk, (frame) => frames.push(frame));
  assert.equal(splitter.buffering, false, 'the chunks end on a frame boundary');
  return frames;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** What flushCoalesced hands over. */
function writes(batch: FrameBatch): Uint8Array[] {
  const out: Uint8Array[] = [];
  batch.flushCoalesced((bytes) => out.push(bytes));
  return out;
}

/** Whether two views share any byte. */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** Where each frame starts in the golden stream, and its end. */
function offsets(stream: Uint8Array): number[] {
  const ends = [0];
  for (const frame of receive(stream)) ends.push(ends.at(-1)! + frame.raw.length);
  return ends;
}

test('the golden stream is eight frames', () => {
  const frames = receive(golden());
  assert.deepEqual(
    frames.map((frame) => frame.type),
    [1, 2, 3, 3, 3, 8, 1, 1],
  );
});

test('all the frames of one chunk leave as that chunk, not a copy', () => {
  const chunk = golden();
  const batch = new FrameBatch();
  for (const frame of receive(chunk)) batch.addFrame(frame);
  assert.equal(batch.length, chunk.length);
  const each = writes(batch);
  assert.equal(each.length, 1);
  assert.equal(each[0], chunk);
});

test('frames back to back in a chunk are one slice of it, in place', () => {
  const chunk = golden();
  const ends = offsets(chunk);
  const frames = receive(chunk);
  const batch = new FrameBatch();
  for (const frame of frames.slice(2, 6)) batch.addFrame(frame);
  assert.equal(batch.length, ends[6]! - ends[2]!);
  const each = writes(batch);
  assert.equal(each.length, 1);
  const run = each[0]!;
  assert.equal(run.buffer, chunk.buffer, 'a view of the chunk, not a copy');
  assert.equal(run.byteOffset, chunk.byteOffset + ends[2]!);
  assert.equal(run.byteLength, ends[6]! - ends[2]!);
  assert.ok(Buffer.isBuffer(run), 'a slice of a Buffer is still a Buffer');
  assert.deepEqual(run, concat(frames.slice(2, 6).map((frame) => frame.raw)));
});

test('small runs with gaps between them are copied into one buffer, the frames in order', () => {
  const chunk = golden();
  const frames = receive(chunk);
  const picked = [frames[0]!, frames[1]!, frames[3]!, frames[4]!, frames[7]!];
  const batch = new FrameBatch();
  for (const frame of picked) batch.addFrame(frame);
  const expected = concat(picked.map((frame) => frame.raw));
  assert.equal(batch.length, expected.length);

  const each = writes(batch);
  assert.equal(each.length, 1, 'one write');
  assert.deepEqual(each[0], expected);
  assert.ok(!overlaps(each[0]!, chunk), 'a copy');
  assert.ok(Buffer.isBuffer(each[0]), 'a Buffer, which the socket writes without wrapping');
  assert.equal(batch.length, 0);
});

test('runs of COPY_LIMIT bytes or more go as views of their chunk; the small runs between them are copied together', () => {
  const writer = new FrameWriter();
  const bodyFrame = (size: number, fill: number) =>
    Buffer.from(writer.body(1, new Uint8Array(size).fill(fill), size + 8).take());
  const big = bodyFrame(COPY_LIMIT - 8, 1); // exactly COPY_LIMIT bytes with its frame header and end
  const bigger = bodyFrame(COPY_LIMIT, 2);
  const small = receive(golden());
  const batch = new FrameBatch();
  batch.addFrame(small[0]!);
  batch.addFrame(receive(big)[0]!);
  batch.addFrame(small[5]!);
  batch.addFrame(small[6]!);
  batch.addFrame(receive(bigger)[0]!);
  batch.add(encodeHeartbeat());
  batch.addFrame(small[7]!);
  const each = writes(batch);
  assert.deepEqual(each, [
    small[0]!.raw,
    big,
    concat([small[5]!.raw, small[6]!.raw]),
    bigger,
    concat([encodeHeartbeat(), small[7]!.raw]),
  ]);
  assert.equal(each[1], big, 'the large run as it came');
  assert.equal(each[3], bigger);
  assert.ok(overlaps(each[0]!, small[0]!.bytes), 'a small run alone is not copied either');
});

test('the same frame added twice is sent twice', () => {
  const frames = receive(golden());
  const batch = new FrameBatch();
  batch.addFrame(frames[5]!);
  batch.addFrame(frames[5]!);
  assert.deepEqual(concat(writes(batch)), concat([frames[5]!.raw, frames[5]!.raw]));
});

test('each received chunk starts a new run, even when the stream continues', () => {
  const stream = golden();
  const ends = offsets(stream);
  const first = stream.subarray(0, ends[4]);
  const second = stream.subarray(ends[4]);
  const frames = receive(first, second);
  const batch = new FrameBatch();
  for (const frame of frames) batch.addFrame(frame);
  const sent = writes(batch);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], stream, 'two runs, copied together');
  assert.ok(!overlaps(sent[0]!, stream));

  // Back to the first chunk after the second: a third run, kept in the order added.
  const [a, b] = [receive(first), receive(second)];
  for (const frame of [a[0]!, a[1]!, b[0]!, a[2]!, a[3]!]) batch.addFrame(frame);
  assert.deepEqual(writes(batch), [concat([a[0]!.raw, a[1]!.raw, b[0]!.raw, a[2]!.raw, a[3]!.raw])]);
});

test('the stream split at every offset comes out as the same bytes', () => {
  const stream = golden();
  for (let at = 1; at < stream.length; at++) {
    const chunks = [Buffer.from(stream.subarray(0, at)), Buffer.from(stream.subarray(at))];
    const batch = new FrameBatch();
    for (const frame of receive(...chunks)) batch.addFrame(frame);
    assert.equal(batch.length, stream.length, `split at ${at}`);
    const each = writes(batch);
    assert.equal(each.length, 1, `split at ${at}: small runs are one write`);
    assert.deepEqual(each[0], stream, `split at ${at}`);
  }
});

test('the stream one byte at a time comes out as the same bytes', () => {
  const stream = golden();
  const bytes = Array.from(stream, (byte) => Uint8Array.of(byte));
  const frames = receive(...bytes);
  const batch = new FrameBatch();
  for (const frame of frames) batch.addFrame(frame);
  assert.deepEqual(writes(batch), [stream]);
});

test('what is flushed splits back into the same frames', () => {
  const stream = golden();
  const frames = receive(stream.subarray(0, 30), stream.subarray(30, 31), stream.subarray(31));
  const batch = new FrameBatch();
  for (const frame of frames) batch.addFrame(frame);
  const again = receive(...writes(batch));
  assert.deepEqual(
    again.map((frame) => [frame.type, frame.channel, Buffer.from(frame.payload)]),
    frames.map((frame) => [frame.type, frame.channel, Buffer.from(frame.payload)]),
  );
});

test('encoded frames are their own run, kept in order with relayed ones', () => {
  const chunk = golden();
  const frames = receive(chunk);
  const heartbeat = encodeHeartbeat();
  const batch = new FrameBatch();
  batch.addFrame(frames[0]!);
  batch.add(heartbeat);
  batch.addFrame(frames[1]!);
  batch.addFrame(frames[2]!);
  batch.add(heartbeat);
  batch.add(heartbeat);
  assert.equal(batch.length, frames[0]!.raw.length + frames[1]!.raw.length + frames[2]!.raw.length + 3 * 8);
  assert.deepEqual(writes(batch), [
    concat([frames[0]!.raw, heartbeat, frames[1]!.raw, frames[2]!.raw, heartbeat, heartbeat]),
  ]);

  batch.add(heartbeat);
  const sent = writes(batch);
  assert.equal(sent.length, 1);
  assert.equal(sent[0], heartbeat, 'a single run is sent as it is');
});

test('a flush empties the batch: nothing flushed twice, and a later frame of the same chunk starts afresh', () => {
  const chunk = golden();
  const frames = receive(chunk);
  const batch = new FrameBatch();
  batch.addFrame(frames[0]!);
  batch.addFrame(frames[1]!);
  assert.equal(writes(batch).length, 1);
  assert.equal(batch.length, 0);
  assert.deepEqual(writes(batch), [], 'a second flush hands over nothing');

  // Frame 2 lies right after the run already flushed: it must go alone.
  batch.addFrame(frames[2]!);
  assert.equal(batch.length, frames[2]!.raw.length);
  assert.deepEqual(writes(batch), [frames[2]!.raw]);
  assert.equal(batch.length, 0);
  assert.deepEqual(writes(batch), []);

  // A discarded batch (what discardToBroker does) starts empty too.
  batch.addFrame(frames[3]!);
  batch.discard();
  assert.equal(batch.length, 0);
  batch.addFrame(frames[4]!);
  assert.deepEqual(writes(batch), [frames[4]!.raw]);
});
