import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteReader, ByteWriter, decodeContentHeader, FrameWriter, readTable, writeTable } from '../../shared/index.js';
import { throwsCodec } from './helpers.js';

/** A table `{ t: <timestamp seconds> }` as bytes, written by hand so any uint64 fits. */
function tableWithTimestamp(seconds: bigint): Uint8Array {
  const w = new ByteWriter(64);
  w.long(1 + 1 + 1 + 8);
  w.shortstr('t');
  w.octet(0x54);
  w.uint64(seconds);
  return w.take();
}

test('a timestamp a Date can hold round-trips', () => {
  const bytes = tableWithTimestamp(1_700_000_000n);
  const table = readTable(new ByteReader(bytes));
  assert.deepEqual(table, { t: new Date(1_700_000_000_000) });
  const w = new ByteWriter();
  writeTable(w, table);
  assert.deepEqual(w.take(), bytes);
});

test('a timestamp past the range of Date is refused with 502, not turned into an Invalid Date', () => {
  throwsCodec(() => readTable(new ByteReader(tableWithTimestamp(2n ** 63n))), 'ERR_INVALID_VALUE', 502);
  throwsCodec(() => readTable(new ByteReader(tableWithTimestamp(8_640_000_000_001n))), 'ERR_INVALID_VALUE', 502);
});

test('an invalid or pre-1970 Date is refused when encoding', () => {
  throwsCodec(() => writeTable(new ByteWriter(), { t: new Date(Number.NaN) }), 'ERR_INVALID_VALUE', 502);
  throwsCodec(() => new FrameWriter().header(1, 0, { timestamp: new Date(-1000) }), 'ERR_INVALID_VALUE', 502);
});

test('the timestamp property is checked the same way', () => {
  const header = new FrameWriter().header(1, 0, { timestamp: new Date(1_700_000_000_000) }).take();
  const payload = header.subarray(7, header.length - 1);
  assert.deepEqual(decodeContentHeader(payload).properties.timestamp, new Date(1_700_000_000_000));
  const huge = payload.slice();
  // The timestamp is the last 8 bytes of this header's property list.
  new DataView(huge.buffer).setBigUint64(huge.length - 8, 2n ** 63n);
  throwsCodec(() => decodeContentHeader(huge), 'ERR_INVALID_VALUE', 502);
});
