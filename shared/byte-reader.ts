import { CodecErrorCode, frameError, syntaxError } from './errors.js';
import { decodeUtf8 } from './utf8.js';

const TWO_32 = 2 ** 32;
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);
/** The latest instant a Date holds, in seconds (ECMA-262: ±8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;

/**
 * Reads AMQP primitives from a byte range. Every read is bounds-checked against
 * `end`, and fails with a 501 FRAME_ERROR rather than reading past it.
 *
 * Integers are assembled from bytes rather than through a DataView: creating a
 * DataView per frame costs more than decoding a small method. The rare 64-bit
 * and float values are copied into one scratch DataView.
 */
export class ByteReader {
  bytes: Uint8Array;
  pos: number;
  end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** Points the reader at new bytes, so one reader can serve many frames. */
  reset(bytes: Uint8Array, start = 0, end = bytes.length): this {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    return this;
  }

  need(n: number): void {
    if (n > this.end - this.pos) {
      throw frameError(CodecErrorCode.Truncated, `need ${n} bytes at ${this.pos}`);
    }
  }

  octet(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  int8(): number {
    this.need(1);
    return (this.bytes[this.pos++]! << 24) >> 24;
  }

  short(): number {
    this.need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  int16(): number {
    return (this.short() << 16) >> 16;
  }

  long(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  int32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** An unsigned 64-bit integer as a number: exact up to 2^53, which delivery tags and sizes never pass. */
  longlong(): number {
    const high = this.long();
    return high * TWO_32 + this.long();
  }

  /** An AMQP timestamp (whole seconds since the epoch) as a Date; past Date's range it is a 502. */
  timestamp(): Date {
    const seconds = this.longlong();
    if (seconds > MAX_DATE_SECONDS) {
      throw syntaxError(CodecErrorCode.InvalidValue, `timestamp ${seconds} is out of range`);
    }
    return new Date(seconds * 1000);
  }

  int64(): bigint {
    return this.copied(8).getBigInt64(0);
  }

  uint64(): bigint {
    return this.copied(8).getBigUint64(0);
  }

  float32(): number {
    return this.copied(4).getFloat32(0);
  }

  float64(): number {
    return this.copied(8).getFloat64(0);
  }

  /** The next `n` bytes (at most 8) copied to the start of a scratch DataView: no DataView per frame or read. */
  private copied(n: number): DataView {
    this.need(n);
    for (let i = 0; i < n; i++) scratchBytes[i] = this.bytes[this.pos++]!;
    return scratch;
  }

  shortstr(): string {
    const length = this.octet();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return decodeUtf8(this.bytes, start, this.pos);
  }

  /** A long string's bytes, as a view into the frame (no copy). */
  longstrBytes(): Uint8Array {
    const length = this.long();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }

  longstr(): string {
    const length = this.long();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return decodeUtf8(this.bytes, start, this.pos);
  }
}
