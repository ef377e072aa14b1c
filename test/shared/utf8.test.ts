import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ByteReader, decodeUtf8, encodeUtf8, utf8Length } from '../../shared/index.js';
import { runs } from './helpers.js';

function decodeAt(text: string, pad = 3): string {
  const bytes = encodeUtf8(text);
  const framed = new Uint8Array(bytes.length + 2 * pad).fill(0xff);
  framed.set(bytes, pad);
  return decodeUtf8(framed, pad, pad + bytes.length);
}

describe('decodeUtf8', () => {
  test('names differing only in bytes the cache does not hash come back exact', () => {
    // Same length, first, middle and last bytes: many share a cache slot.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2000; i++) {
        const name = `orders.${String(i).padStart(6, '0')}.created`;
        assert.equal(decodeAt(name), name);
      }
    }
  });

  test('ASCII, multi-byte and long strings', () => {
    for (const text of [
      '',
      'a',
      'amq.topic',
      'é',
      'naïve',
      '✓'.repeat(30),
      'x'.repeat(64),
      'x'.repeat(65),
      '𝄞 clef',
      'a'.repeat(1000),
    ]) {
      assert.equal(decodeAt(text), text);
      assert.equal(decodeAt(text), text, 'second time, from the cache');
      assert.equal(utf8Length(text), encodeUtf8(text).length);
    }
  });

  test('a leading U+FEFF is part of the string, not a byte-order mark to drop', () => {
    for (const text of ['\uFEFF', '\uFEFFqueue', 'é\uFEFF', '\uFEFF'.repeat(40)]) {
      assert.equal(decodeAt(text), text);
    }
  });

  test('a cached name does not leak into a non-ASCII string of the same shape', () => {
    assert.equal(decodeAt('abcde'), 'abcde');
    const bytes = Uint8Array.from([0x61, 0x62, 0xc3, 0xa9, 0x65]); // "abée" is 5 bytes, like "abcde"
    assert.equal(decodeUtf8(bytes, 0, 5), 'abée');
  });

  test('random strings round-trip', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        assert.equal(decodeAt(text), text);
        assert.equal(decodeAt(text), text);
      }),
      { numRuns: runs(1000) },
    );
  });
});

describe('ByteReader', () => {
  test('reads big-endian integers without a DataView, and makes one on demand after reset', () => {
    const r = new ByteReader(Uint8Array.of(0xff, 0xfe, 0x80, 0, 0, 1, 0xff, 0xff, 0xff, 0xff));
    assert.equal(r.int8(), -1);
    assert.equal(r.int16(), -384);
    assert.equal(r.short(), 0);
    r.pos = 0;
    assert.equal(r.long(), 0xfffe8000);
    r.pos = 6;
    assert.equal(r.int32(), -1);
    r.reset(Uint8Array.of(0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    assert.equal(r.longlong(), Number.MAX_SAFE_INTEGER);
    r.reset(Uint8Array.of(0x3f, 0xc0, 0, 0));
    assert.equal(r.float32(), 1.5);
    r.reset(Uint8Array.of(9, 0xc0, 0, 0, 0, 0, 0, 0, 0), 1);
    assert.equal(r.float64(), -2);
    assert.equal(r.pos, 9);
    r.reset(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe));
    assert.equal(r.int64(), -2n);
    r.pos = 0;
    assert.equal(r.uint64(), 2n ** 64n - 2n);
    r.reset(Uint8Array.of(1, 2, 3));
    assert.throws(() => r.float32(), /need 4 bytes/);
  });
});
