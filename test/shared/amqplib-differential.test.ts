/**
 * Differential tests against amqplib's codec: for every method and for content
 * headers, bytes each side encodes decode the same with the other, and where both
 * can represent a value the two encodings are byte-for-byte identical.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Decimal,
  FrameWriter,
  Typed,
  allMethods,
  decodeContentHeader,
  decodeMethod,
  type BasicProperties,
  type FieldTable,
  type FieldValue,
  type Method,
  type MethodInfo,
} from '../../shared/index.js';
import { amqplibId, defs, type AmqplibFields } from './amqplib-defs.js';
import { ALL_PROPERTIES, onlyFrame, sampleMethod } from './helpers.js';

/** amqplib spells `noWait` as `nowait`; everything else matches. */
function amqplibName(name: string): string {
  return name === 'noWait' ? 'nowait' : name;
}

/** A field value as amqplib's encoder wants it: exact types through its `{'!': type, value}` trapdoor. */
function toAmqplibInput(v: FieldValue): unknown {
  if (v instanceof Typed) {
    const types = {
      b: 'int8',
      B: 'uint8',
      s: 'int16',
      u: 'uint16',
      i: 'uint32',
      f: 'float',
      L: 'unsupported',
    } as const;
    return { '!': types[v.type], value: v.value };
  }
  if (v instanceof Decimal) return { '!': 'decimal', value: { places: v.scale, digits: v.value } };
  if (v instanceof Date) return { '!': 'timestamp', value: v.getTime() / 1000 };
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'number')
    return Number.isInteger(v) && !Object.is(v, -0) ? { '!': 'int32', value: v } : { '!': 'double', value: v };
  if (typeof v === 'bigint') return { '!': 'int64', value: v };
  if (Array.isArray(v)) return v.map(toAmqplibInput);
  if (v !== null && typeof v === 'object') return mapTable(v, toAmqplibInput);
  return v;
}

/** A field value as amqplib's decoder returns it. */
function toAmqplibDecoded(v: FieldValue): unknown {
  if (v instanceof Typed) return Number(v.value);
  if (v instanceof Decimal) return { '!': 'decimal', value: { places: v.scale, digits: v.value } };
  if (v instanceof Date) return { '!': 'timestamp', value: v.getTime() / 1000 };
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toAmqplibDecoded);
  if (v !== null && typeof v === 'object') return mapTable(v, toAmqplibDecoded);
  return v;
}

function mapTable(t: FieldTable, f: (v: FieldValue) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, f(v)]));
}

/** Our method arguments in amqplib's shape: renamed, long strings as Buffers, tables converted by `table`. */
function toAmqplibArgs(
  info: MethodInfo,
  args: Record<string, unknown>,
  table: (t: FieldTable) => unknown,
): AmqplibFields {
  const out: AmqplibFields = {};
  for (const { name, type } of info.args) {
    if (type.startsWith('reserved')) continue;
    const v = args[name];
    out[amqplibName(name)] =
      type === 'longstr' ? Buffer.from(v as string) : type === 'table' ? table(v as FieldTable) : v;
  }
  return out;
}

/** amqplib's decoded fields without the reserved arguments we do not surface. */
function withoutReserved(info: MethodInfo, fields: AmqplibFields): AmqplibFields {
  const out: AmqplibFields = {};
  for (const { name, type } of info.args) {
    if (!type.startsWith('reserved')) out[amqplibName(name)] = fields[amqplibName(name)];
  }
  return out;
}

function methodPayloadArgs(frame: Uint8Array): Buffer {
  const payload = onlyFrame(frame).payload;
  return Buffer.from(payload.buffer, payload.byteOffset + 4, payload.length - 4);
}

/** Every field type both codecs know (amqplib has no 'L'), with values each represents exactly. */
const SHARED_TYPES_TABLE: FieldTable = {
  t: true,
  b: new Typed('b', -100),
  B: new Typed('B', 250),
  s: new Typed('s', -30000),
  u: new Typed('u', 60000),
  I: -2_000_000_000,
  i: new Typed('i', 4_000_000_000),
  l: -(2n ** 52n),
  f: new Typed('f', 0.25),
  d: 1e-300,
  D: new Decimal(4, 31415),
  S: 'ünïcødé ✓',
  x: Uint8Array.of(0, 0xff, 0x10),
  T: new Date(1_700_000_000_000),
  F: { nested: 'yes', n: 1 },
  A: [1, 'two', null, [false], { in: 'array' }],
  V: null,
};

const bitPatterns: ((i: number) => boolean)[] = [(i) => i % 2 === 0, () => true, () => false];

describe('methods against amqplib', () => {
  for (const info of allMethods()) {
    const id = amqplibId(info.classId, info.methodId);
    test(`${info.name}`, () => {
      for (const bits of bitPatterns) {
        const method = sampleMethod(info, bits);
        const args = method.args as Record<string, unknown>;
        const ours = new FrameWriter().method(9, method).take();
        const theirs = defs.encodeMethod(
          id,
          9,
          toAmqplibArgs(info, args, (t) => t),
        );
        // The sample tables hold only values both encode alike, so the frames are identical.
        assert.deepEqual(new Uint8Array(ours), new Uint8Array(theirs));
        // Ours → amqplib.
        assert.deepEqual(
          withoutReserved(info, defs.decode(id, methodPayloadArgs(ours))),
          toAmqplibArgs(info, args, (t) => t),
        );
        // amqplib → ours.
        assert.deepEqual(decodeMethod(onlyFrame(new Uint8Array(theirs)).payload), method);
      }
    });
  }

  test('every amqplib method other than the removed access class is in our table', () => {
    const ours = new Set([...allMethods()].map((m) => amqplibId(m.classId, m.methodId)));
    const theirs = Object.entries(defs)
      .filter(([k]) => k.startsWith('methodInfo'))
      .map(([, v]) => v as { id: number; classId: number });
    for (const m of theirs) assert.equal(ours.has(m.id), m.classId !== 30, `amqplib method ${m.id}`);
    assert.equal(ours.size, theirs.length - 2);
  });
});

describe('field tables against amqplib', () => {
  const startOk = (clientProperties: FieldTable): Method => ({
    name: 'connection.startOk',
    args: { clientProperties, mechanism: 'PLAIN', response: '\u0000u\u0000p', locale: 'en_US' },
  });
  const id = amqplibId(10, 11);
  const info = [...allMethods()].find((m) => m.name === 'connection.startOk')!;

  test('every shared field type encodes byte for byte the same', () => {
    const method = startOk(SHARED_TYPES_TABLE);
    const ours = new FrameWriter().method(0, method).take();
    const theirs = defs.encodeMethod(
      id,
      0,
      toAmqplibArgs(info, method.args as Record<string, unknown>, toAmqplibInput),
    );
    assert.deepEqual(new Uint8Array(ours), new Uint8Array(theirs));
  });

  test('amqplib decodes our table to the same values', () => {
    const ours = new FrameWriter().method(0, startOk(SHARED_TYPES_TABLE)).take();
    const decoded = defs.decode(id, methodPayloadArgs(ours));
    assert.deepEqual(decoded['clientProperties'], toAmqplibDecoded(SHARED_TYPES_TABLE));
  });

  test('we decode amqplib’s table to the same values and types', () => {
    const method = startOk(SHARED_TYPES_TABLE);
    const theirs = defs.encodeMethod(
      id,
      0,
      toAmqplibArgs(info, method.args as Record<string, unknown>, toAmqplibInput),
    );
    assert.deepEqual(decodeMethod(onlyFrame(new Uint8Array(theirs)).payload), method);
  });

  test('amqplib’s own number guessing (b, s, I, l, d) decodes to the same numbers', () => {
    const plain = { small: 5, short: -1000, int: 100_000, long: 2 ** 40, dbl: 2.5, neg: -3 };
    const theirs = defs.encodeMethod(id, 0, {
      clientProperties: plain,
      mechanism: 'PLAIN',
      response: Buffer.from(''),
      locale: '',
    });
    const m = decodeMethod(onlyFrame(new Uint8Array(theirs)).payload);
    assert.equal(m.name, 'connection.startOk');
    const table = m.name === 'connection.startOk' ? m.args.clientProperties : {};
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(table).map(([k, v]) => [k, Number(v instanceof Typed ? v.value : (v as number | bigint))]),
      ),
      plain,
    );
    assert.deepEqual(table['small'], new Typed('b', 5));
    assert.deepEqual(table['long'], 2n ** 40n);
  });
});

describe('content headers against amqplib', () => {
  /** Our properties in amqplib's shape, with `table` converting the headers. */
  function toAmqplibProps(p: BasicProperties, table: (t: FieldTable) => unknown): AmqplibFields {
    const out: AmqplibFields = { ...p };
    if (p.timestamp !== undefined) out['timestamp'] = p.timestamp.getTime() / 1000;
    if (p.headers !== undefined) out['headers'] = table(p.headers);
    return out;
  }

  function definedOnly(fields: AmqplibFields): AmqplibFields {
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  }

  const cases: [string, BasicProperties, number][] = [
    ['all 14 properties', { ...ALL_PROPERTIES, headers: SHARED_TYPES_TABLE }, 123_456],
    ['no properties', {}, 0],
    ['headers only', { headers: { 'x-death': [{ count: 1, reason: 'expired' }] } }, 1],
    ['delivery mode and priority', { deliveryMode: 2, priority: 0 }, 2 ** 32 + 5],
  ];

  for (const [what, properties, bodySize] of cases) {
    test(`${what}: identical bytes, each decodes the other's`, () => {
      const ours = new FrameWriter().header(4, bodySize, properties).take();
      const theirs = defs.encodeProperties(
        60,
        4,
        bodySize,
        toAmqplibProps(properties, (t) => toAmqplibInput(t)),
      );
      assert.deepEqual(new Uint8Array(ours), new Uint8Array(theirs));

      const payload = onlyFrame(ours).payload;
      // amqplib's frame decoder hands the properties decoder the bytes after class, weight and size.
      const flagsAndFields = Buffer.from(payload.buffer, payload.byteOffset + 12, payload.length - 12);
      assert.deepEqual(
        definedOnly(defs.decode(60, flagsAndFields)),
        toAmqplibProps(properties, (t) => toAmqplibDecoded(t)),
      );

      assert.deepEqual(decodeContentHeader(onlyFrame(new Uint8Array(theirs)).payload), {
        classId: 60,
        bodySize,
        properties,
      });
    });
  }
});
