/** fast-check generators for methods, properties and field tables in this codec's decoded form. */
import fc from 'fast-check';
import {
  Decimal,
  Typed,
  allMethods,
  type ArgType,
  type BasicProperties,
  type FieldTable,
  type FieldValue,
  type Method,
} from '../../shared/index.js';

/** Strings of whole code points (no lone surrogates, which UTF-8 cannot carry). */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

/** A short string: at most 63 code points is at most 252 UTF-8 bytes. */
export const shortstr = text(63);

const int = (min: number, max: number) => fc.integer({ min, max });

/** Any field value, nested tables and arrays included, as the decoder returns it. */
export const fieldValue: fc.Arbitrary<FieldValue> = fc.letrec<{ value: FieldValue; table: FieldTable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean(),
    int(-128, 127).map((v) => new Typed('b', v)),
    int(0, 255).map((v) => new Typed('B', v)),
    int(-32768, 32767).map((v) => new Typed('s', v)),
    int(0, 65535).map((v) => new Typed('u', v)),
    int(-(2 ** 31), 2 ** 31 - 1),
    fc.nat({ max: 2 ** 32 - 1 }).map((v) => new Typed('i', v)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => new Typed('L', v)),
    fc.float().map((v) => new Typed('f', v)),
    // Integers in int32 range encode as I; every other double as d.
    fc.double().filter((v) => !Number.isInteger(v) || Object.is(v, -0) || !Number.isSafeInteger(v)),
    fc.tuple(int(0, 255), fc.nat({ max: 2 ** 32 - 1 })).map(([s, v]) => new Decimal(s, v)),
    text(40),
    fc.uint8Array({ maxLength: 40 }),
    int(0, 8.64e12).map((s) => new Date(s * 1000)),
    fc.constant(null),
    tie('table'),
    fc.array(tie('value'), { maxLength: 5 }),
  ),
  table: fc.dictionary(shortstr, tie('value'), { maxKeys: 5, noNullPrototype: true }),
})).value;

/** Any field table. */
export const fieldTable: fc.Arbitrary<FieldTable> = fc.dictionary(shortstr, fieldValue, {
  maxKeys: 6,
  noNullPrototype: true,
});

function argValue(type: ArgType): fc.Arbitrary<unknown> | undefined {
  switch (type) {
    case 'octet':
      return int(0, 255);
    case 'short':
      return int(0, 65535);
    case 'long':
      return fc.nat({ max: 2 ** 32 - 1 });
    case 'longlong':
      return fc.maxSafeNat();
    case 'bit':
      return fc.boolean();
    case 'shortstr':
      return shortstr;
    case 'longstr':
      return text(300);
    case 'table':
      return fieldTable;
    default:
      return undefined;
  }
}

/** Any method of the table, with random arguments. */
export const method: fc.Arbitrary<Method> = fc.oneof(
  ...[...allMethods()].map((info) => {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const { name, type } of info.args) {
      const arb = argValue(type);
      if (arb !== undefined) shape[name] = arb;
    }
    return fc.record(shape, { noNullPrototype: true }).map((args) => ({ name: info.name, args }) as Method);
  }),
);

/** Any subset of the 14 basic properties. */
export const properties: fc.Arbitrary<BasicProperties> = fc.record(
  {
    contentType: shortstr,
    contentEncoding: shortstr,
    headers: fieldTable,
    deliveryMode: int(0, 255),
    priority: int(0, 255),
    correlationId: shortstr,
    replyTo: shortstr,
    expiration: shortstr,
    messageId: shortstr,
    timestamp: int(0, 8.64e12).map((s) => new Date(s * 1000)),
    type: shortstr,
    userId: shortstr,
    appId: shortstr,
    clusterId: shortstr,
  },
  { requiredKeys: [], noNullPrototype: true },
);

/** Cut points that split `length` bytes into chunks. */
export function chunking(length: number): fc.Arbitrary<number[]> {
  return fc.uniqueArray(int(0, length), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b));
}

/** `bytes` cut at `cuts`. */
export function cutAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.slice(from, cut));
    from = cut;
  }
  return chunks;
}
