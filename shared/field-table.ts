import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { CodecErrorCode, syntaxError } from './errors.js';
import { Decimal, Typed, type FieldTable, type FieldValue } from './field-value.js';

/** Tables and arrays nest at most this deep; deeper input is refused rather than recursed into. */
export const MAX_TABLE_DEPTH = 32;

/**
 * Whether nesting is limited to MAX_TABLE_DEPTH: the gateway's guard against
 * input built to exhaust its stack. rollup.config.mjs turns it off in the
 * browser bundle, where a table too deep for the stack fails with a RangeError
 * (closing the connection as ERR_TOO_DEEP would) and a page's own cyclic table
 * fails to publish with a RangeError rather than ERR_TOO_DEEP.
 */
const TABLE_DEPTH_LIMIT = true;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function checkDepth(depth: number): void {
  if (TABLE_DEPTH_LIMIT && depth > MAX_TABLE_DEPTH) {
    throw syntaxError(CodecErrorCode.TooDeep, 'tables nested too deep');
  }
}

/** Reads a field table (a 32-bit size, then name/type/value entries) at the reader's position. */
export function readTable(r: ByteReader, depth = 0): FieldTable {
  checkDepth(depth);
  const size = r.long();
  r.need(size);
  const end = r.pos + size;
  const outerEnd = r.end;
  r.end = end;
  const table: FieldTable = {};
  try {
    while (r.pos < end) {
      const name = r.shortstr();
      const value = readValue(r, depth);
      // Assigning to `__proto__` would set the prototype instead of adding an entry.
      if (name === '__proto__')
        Object.defineProperty(table, name, { value, enumerable: true, writable: true, configurable: true });
      else table[name] = value;
    }
  } finally {
    r.end = outerEnd;
  }
  return table;
}

function readArray(r: ByteReader, depth: number): FieldValue[] {
  checkDepth(depth);
  const size = r.long();
  r.need(size);
  const end = r.pos + size;
  const outerEnd = r.end;
  r.end = end;
  const values: FieldValue[] = [];
  try {
    while (r.pos < end) values.push(readValue(r, depth));
  } finally {
    r.end = outerEnd;
  }
  return values;
}

function readValue(r: ByteReader, depth: number): FieldValue {
  const type = r.octet();
  switch (type) {
    case 0x74 /* t */:
      return r.octet() !== 0;
    case 0x62 /* b */:
      return new Typed('b', r.int8());
    case 0x42 /* B */:
      return new Typed('B', r.octet());
    case 0x73 /* s */:
      return new Typed('s', r.int16());
    case 0x75 /* u */:
      return new Typed('u', r.short());
    case 0x49 /* I */:
      return r.int32();
    case 0x69 /* i */:
      return new Typed('i', r.long());
    case 0x6c /* l */:
      return r.int64();
    case 0x4c /* L */:
      return new Typed('L', r.uint64());
    case 0x66 /* f */:
      return new Typed('f', r.float32());
    case 0x64 /* d */:
      return r.float64();
    case 0x44 /* D */: {
      const scale = r.octet();
      return new Decimal(scale, r.long());
    }
    case 0x53 /* S */:
      return r.longstr();
    case 0x78 /* x */:
      return r.longstrBytes().slice();
    case 0x54 /* T */:
      return r.timestamp();
    case 0x46 /* F */:
      return readTable(r, depth + 1);
    case 0x41 /* A */:
      return readArray(r, depth + 1);
    case 0x56 /* V */:
      return null;
    default:
      throw syntaxError(CodecErrorCode.UnknownFieldType, `unknown field type 0x${type.toString(16)}`);
  }
}

/** Bytes of each field type's value that has a fixed size, by type octet. */
const FIXED_VALUE_SIZE: Record<number, number> = {
  0x74 /* t */: 1,
  0x62 /* b */: 1,
  0x42 /* B */: 1,
  0x73 /* s */: 2,
  0x75 /* u */: 2,
  0x49 /* I */: 4,
  0x69 /* i */: 4,
  0x6c /* l */: 8,
  0x4c /* L */: 8,
  0x66 /* f */: 4,
  0x64 /* d */: 8,
  0x44 /* D */: 5,
  0x54 /* T */: 8,
  0x56 /* V */: 0,
};
// Long strings, byte arrays, tables and arrays: a 32-bit size, then that many bytes.
const SIZED_VALUE = new Set([0x53 /* S */, 0x78 /* x */, 0x46 /* F */, 0x41 /* A */]);

/**
 * Moves the reader past one field value (its type octet and what follows)
 * without decoding it: for the gateway, which edits a table's entries by their
 * bytes. A nested table or array is skipped by its size, unchecked.
 */
export function skipFieldValue(r: ByteReader): void {
  const type = r.octet();
  let size = FIXED_VALUE_SIZE[type];
  if (size === undefined) {
    if (!SIZED_VALUE.has(type)) {
      throw syntaxError(CodecErrorCode.UnknownFieldType, `unknown field type 0x${type.toString(16)}`);
    }
    size = r.long();
  }
  r.need(size);
  r.pos += size;
}

/** Writes a field table; `undefined` entries are left out. */
export function writeTable(w: ByteWriter, table: FieldTable | undefined, depth = 0): void {
  checkDepth(depth);
  const slot = w.beginLength();
  if (table !== undefined) {
    for (const name of Object.keys(table)) {
      const value = table[name];
      if (value === undefined) continue;
      w.shortstr(name);
      writeValue(w, value, depth);
    }
  }
  w.endLength(slot);
}

function writeValue(w: ByteWriter, value: FieldValue | undefined, depth: number): void {
  if (value === null || value === undefined) return w.octet(0x56);
  switch (typeof value) {
    case 'boolean':
      w.octet(0x74);
      return w.octet(value ? 1 : 0);
    case 'string':
      w.octet(0x53);
      return w.longstr(value);
    case 'number':
      // -0 is an integer to JavaScript, but only a double keeps its sign.
      if (Object.is(value, -0)) {
        w.octet(0x64);
        return w.float64(value);
      }
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
        w.octet(0x49);
        return w.int32(value);
      }
      if (Number.isSafeInteger(value)) {
        w.octet(0x6c);
        return w.int64(BigInt(value));
      }
      w.octet(0x64);
      return w.float64(value);
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw syntaxError(CodecErrorCode.InvalidValue, `not an int64: ${value}`);
      }
      w.octet(0x6c);
      return w.int64(value);
    case 'object':
      break;
    default:
      throw syntaxError(CodecErrorCode.InvalidValue, `${typeof value} in a table`);
  }
  if (value instanceof Uint8Array) {
    w.octet(0x78);
    return w.longstr(value);
  }
  if (value instanceof Date) {
    w.octet(0x54);
    return w.timestamp(value);
  }
  if (value instanceof Typed) return writeTyped(w, value);
  if (value instanceof Decimal) {
    w.octet(0x44);
    w.octet(value.scale);
    return w.long(value.value);
  }
  if (Array.isArray(value)) {
    checkDepth(depth + 1);
    w.octet(0x41);
    const slot = w.beginLength();
    for (const item of value) writeValue(w, item, depth + 1);
    return w.endLength(slot);
  }
  w.octet(0x46);
  writeTable(w, value, depth + 1);
}

function writeTyped(w: ByteWriter, typed: Typed): void {
  const { type, value } = typed;
  w.octet(type.charCodeAt(0));
  if (type === 'L') {
    if (typeof value !== 'bigint' || value < 0n || value >= 2n ** 64n) throw badTyped(typed);
    return w.uint64(value);
  }
  if (typeof value !== 'number') throw badTyped(typed);
  // The writer refuses a number outside the type's range, or not whole.
  switch (type) {
    case 'b':
      return w.int8(value);
    case 'B':
      return w.octet(value);
    case 's':
      return w.int16(value);
    case 'u':
      return w.short(value);
    case 'i':
      return w.long(value);
    case 'f':
      return w.float32(value);
  }
}

function badTyped(typed: Typed) {
  return syntaxError(CodecErrorCode.InvalidValue, `bad '${typed.type}' value ${String(typed.value)}`);
}
