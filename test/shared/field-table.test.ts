import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ByteReader,
  ByteWriter,
  Decimal,
  MAX_TABLE_DEPTH,
  Typed,
  readTable,
  writeTable,
  type FieldTable,
  type FieldValue,
} from '../../shared/index.js';
import { throwsCodec } from './helpers.js';

function encode(table: FieldTable): Uint8Array {
  const w = new ByteWriter(16);
  writeTable(w, table);
  return w.take();
}

function roundTrip(table: FieldTable): FieldTable {
  const bytes = encode(table);
  const r = new ByteReader(bytes);
  const out = readTable(r);
  assert.equal(r.pos, bytes.length, 'the whole table is read');
  return out;
}

/** The type octet written for a single value. */
function typeOctet(value: FieldValue): string {
  const bytes = encode({ k: value });
  // size(4) name-length(1) 'k'(1) type(1)
  return String.fromCharCode(bytes[6]!);
}

const everyType: [string, FieldValue][] = [
  ['t', true],
  ['b', new Typed('b', -128)],
  ['B', new Typed('B', 255)],
  ['s', new Typed('s', -32768)],
  ['u', new Typed('u', 65535)],
  ['I', -(2 ** 31)],
  ['i', new Typed('i', 2 ** 32 - 1)],
  ['l', -(2n ** 63n)],
  ['L', new Typed('L', 2n ** 64n - 1n)],
  ['f', new Typed('f', 1.5)],
  ['d', Math.PI],
  ['D', new Decimal(2, 12345)],
  ['S', 'text ✓ 𝄞'],
  ['x', Uint8Array.of(0, 1, 2, 0xff)],
  ['T', new Date(1_700_000_000_000)],
  ['F', { inner: 'table', n: 1 }],
  ['A', [1, 'two', null, [true]]],
  ['V', null],
];

describe('field values keep their type on a round trip', () => {
  for (const [octet, value] of everyType) {
    test(`'${octet}'`, () => {
      assert.equal(typeOctet(value), octet);
      assert.deepEqual(roundTrip({ k: value }), { k: value });
    });
  }

  test('all types in one table, nested in a table and in an array', () => {
    const flat: FieldTable = Object.fromEntries(everyType);
    const table: FieldTable = { ...flat, nested: { ...flat, deeper: { ...flat } }, list: Object.values(flat) };
    assert.deepEqual(roundTrip(table), table);
  });

  test('64-bit integers are exact at their limits', () => {
    const table: FieldTable = {
      maxL: 2n ** 63n - 1n,
      minL: -(2n ** 63n),
      oddL: 9007199254740993n,
      maxUL: new Typed('L', 2n ** 64n - 1n),
      oneUL: new Typed('L', 2n ** 63n + 1n),
    };
    assert.deepEqual(roundTrip(table), table);
  });

  test('plain numbers pick I, l or d', () => {
    assert.equal(typeOctet(2 ** 31 - 1), 'I');
    assert.equal(typeOctet(2 ** 31), 'l');
    assert.equal(typeOctet(-(2 ** 31) - 1), 'l');
    assert.equal(typeOctet(0.5), 'd');
    assert.equal(typeOctet(2 ** 60), 'd');
    assert.equal(typeOctet(-0), 'd');
    assert.ok(Object.is(roundTrip({ z: -0 })['z'], -0));
    assert.deepEqual(roundTrip({ big: 2 ** 40 }), { big: 2n ** 40n });
  });

  test('decimals, dates and byte arrays decode to their wrappers', () => {
    const out = roundTrip({ d: new Decimal(3, 4_294_967_295), t: new Date(0), x: new Uint8Array(0) });
    assert.ok(out['d'] instanceof Decimal);
    assert.equal((out['d'] as Decimal).toNumber(), 4_294_967.295);
    assert.ok(out['t'] instanceof Date);
    assert.ok(out['x'] instanceof Uint8Array);
  });

  test('timestamps keep whole seconds', () => {
    assert.deepEqual(roundTrip({ t: new Date(1_700_000_000_999) }), { t: new Date(1_700_000_000_000) });
  });

  test('float32 values survive; NaN and infinities too', () => {
    const table: FieldTable = {
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      f: new Typed('f', -0),
      fnan: new Typed('f', NaN),
      fmax: new Typed('f', 3.4028234663852886e38),
    };
    assert.deepEqual(roundTrip(table), table);
  });

  test('undefined entries are left out; void encodes null', () => {
    assert.deepEqual(roundTrip({ a: undefined as unknown as FieldValue, b: null }), { b: null });
  });

  test('an empty table and an empty array', () => {
    assert.deepEqual(roundTrip({}), {});
    assert.deepEqual(roundTrip({ a: [] }), { a: [] });
    assert.deepEqual([...encode({})], [0, 0, 0, 0]);
  });

  test('a key named __proto__ stays an own entry', () => {
    const table = JSON.parse('{"__proto__": "x", "ok": 1}') as FieldTable;
    const out = roundTrip(table);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__', 'ok']);
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'x');
  });

  test('insertion order is kept', () => {
    const table: FieldTable = { z: 1, a: 2, m: 3 };
    assert.deepEqual(Object.keys(roundTrip(table)), ['z', 'a', 'm']);
  });

  test('nesting up to MAX_TABLE_DEPTH round-trips; one more is refused on write', () => {
    let deep: FieldTable = {};
    for (let i = 0; i < MAX_TABLE_DEPTH; i++) deep = { d: deep };
    assert.deepEqual(roundTrip(deep), deep);
    throwsCodec(() => encode({ d: deep }), 'ERR_TOO_DEEP', 502);
  });
});

describe('values that cannot be encoded', () => {
  const bad: [string, FieldValue][] = [
    ['b out of range', new Typed('b', 128)],
    ['B negative', new Typed('B', -1)],
    ['s fraction', new Typed('s', 1.5)],
    ['u too big', new Typed('u', 65536)],
    ['i negative', new Typed('i', -1)],
    ['L negative', new Typed('L', -1n)],
    ['L from a number', new Typed('L', 1)],
    ['l past int64', 2n ** 63n],
  ];
  for (const [what, value] of bad) {
    test(what, () => {
      throwsCodec(() => encode({ k: value }), 'ERR_INVALID_VALUE', 502);
    });
  }

  test('a key over 255 bytes', () => {
    throwsCodec(() => encode({ ['k'.repeat(256)]: 1 }), 'ERR_INVALID_VALUE', 502);
  });

  test('a function', () => {
    throwsCodec(() => encode({ f: (() => 1) as unknown as FieldValue }), 'ERR_INVALID_VALUE', 502);
  });
});
