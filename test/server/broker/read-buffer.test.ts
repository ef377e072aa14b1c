import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadBuffer, READ_SIZE, TLS_RECORD_SIZE } from '../../../server/broker/read-buffer.js';

for (const [link, fullRead] of [
  ['TCP', READ_SIZE],
  ['TLS', TLS_RECORD_SIZE],
] as const) {
  test(`${link}: full reads go into the socket's own buffer, again and again; others into the shared one`, () => {
    const reads = new ReadBuffer(fullRead);
    assert.equal(reads.shared, true, 'a socket starts on the shared buffer');
    const shared = reads.current;

    assert.equal(reads.full(fullRead), true);
    reads.advance(fullRead, false);
    assert.equal(reads.shared, false, 'a full read means more is waiting: the next goes into a buffer of its own');
    const own = reads.current;
    assert.equal(own.length, fullRead);
    reads.advance(fullRead, false);
    assert.equal(reads.current, own, 'nothing holds it: the same buffer again');

    reads.advance(fullRead, true);
    assert.notEqual(reads.current, own, 'what was read into it is still referred to: never read into again');
    assert.equal(reads.shared, false);

    assert.equal(reads.full(fullRead - 1), false);
    reads.advance(fullRead - 1, false);
    assert.equal(reads.current, shared, 'a short read: the socket may go quiet, and keeps no buffer');
  });
}

test('a buffer given up with nothing holding it goes to the next socket that streams; a held one never does', () => {
  const first = new ReadBuffer(READ_SIZE);
  first.advance(READ_SIZE, false);
  const given = first.current;
  first.advance(100, false);
  const second = new ReadBuffer(READ_SIZE);
  second.advance(READ_SIZE, false);
  assert.equal(second.current.buffer, given.buffer, 'the same memory, not allocated anew');

  const held = second.current;
  second.advance(READ_SIZE, true);
  second.advance(100, false);
  const third = new ReadBuffer(READ_SIZE);
  third.advance(READ_SIZE, false);
  assert.notEqual(third.current.buffer, held.buffer, 'what the WebSocket still holds is never read into again');
  third.advance(100, false);

  const tls = new ReadBuffer(TLS_RECORD_SIZE);
  tls.advance(TLS_RECORD_SIZE, false);
  assert.equal(tls.current.length, TLS_RECORD_SIZE, 'each size from its own kind');
});

test('a TLS read is full at one record, which a TCP read is not', () => {
  assert.equal(new ReadBuffer(TLS_RECORD_SIZE).full(16 * 1024), true);
  assert.equal(new ReadBuffer(READ_SIZE).full(16 * 1024), false);
});

/** What Node does on a read of `bytes`: writes them into the buffer `next` gives. */
function readInto(reads: ReadBuffer, bytes: Uint8Array): Buffer {
  const target = reads.next();
  assert.ok(bytes.length <= target.length, 'a read fits where it goes');
  target.set(bytes);
  return reads.chunk(bytes.length);
}

const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);

test('the bytes a full read leaves begin the next chunk, moved to the start of the same buffer', () => {
  const reads = new ReadBuffer(READ_SIZE);
  reads.maxCarry = 1000;
  const first = pattern(READ_SIZE, 1);
  assert.deepEqual(readInto(reads, first), Buffer.from(first), 'a first read, into the shared buffer');
  reads.advance(READ_SIZE, false, 300);
  assert.equal(reads.shared, false, 'what is carried goes into memory of its own');
  assert.equal(reads.current.length, READ_SIZE, 'and a whole read still fits after it');

  const second = pattern(READ_SIZE, 2);
  const chunk = readInto(reads, second);
  assert.deepEqual(chunk, Buffer.concat([first.subarray(READ_SIZE - 300), second]));
  const own = chunk.buffer;
  reads.advance(READ_SIZE, false, 1000);
  const third = readInto(reads, pattern(10, 3));
  assert.equal(third.buffer, own, 'nothing held it: moved within the same buffer');
  assert.deepEqual(third, Buffer.concat([second.subarray(READ_SIZE - 1000), pattern(10, 3)]));

  reads.advance(10, false);
  assert.equal(reads.shared, true, 'a short read carries nothing and keeps no buffer');
  assert.deepEqual(readInto(reads, pattern(5, 4)), Buffer.from(pattern(5, 4)));
});

test('bytes carried from a held chunk go to a new buffer, and the held one is left as it was', () => {
  const reads = new ReadBuffer(READ_SIZE);
  reads.maxCarry = 1000;
  readInto(reads, pattern(READ_SIZE, 1));
  reads.advance(READ_SIZE, false);
  const held = Buffer.from(readInto(reads, pattern(READ_SIZE, 2)));
  const heldChunk = reads.chunk(READ_SIZE);
  reads.advance(READ_SIZE, true, 500);
  const next = readInto(reads, pattern(100, 3));
  assert.notEqual(next.buffer, heldChunk.buffer);
  assert.deepEqual(next, Buffer.concat([held.subarray(READ_SIZE - 500), pattern(100, 3)]));
  assert.deepEqual(heldChunk, held, 'what the WebSocket holds is never written over');
});

test('a chunk all of one unfinished frame stays where it is, and the next read goes after it', () => {
  const reads = new ReadBuffer(READ_SIZE);
  reads.maxCarry = 2 * READ_SIZE;
  readInto(reads, pattern(READ_SIZE, 1));
  reads.advance(READ_SIZE, false);
  const first = readInto(reads, pattern(READ_SIZE, 2));
  reads.advance(READ_SIZE, false, READ_SIZE);
  const second = readInto(reads, pattern(READ_SIZE, 3));
  assert.equal(second.buffer, first.buffer);
  assert.deepEqual(second, Buffer.concat([pattern(READ_SIZE, 2), pattern(READ_SIZE, 3)]));
});
