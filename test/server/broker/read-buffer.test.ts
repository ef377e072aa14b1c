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
