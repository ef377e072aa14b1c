import { CodecErrorCode, frameError, syntaxError } from './errors.js';
import { decodeUtf8 } from './utf8.js';

const TWO_32 = 2 ** 32;
/** The latest instant a Date holds, in seconds (ECMA-262: ±8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;

/**
 * Reads AMQP primitives from a byte range. Every read is bounds-checked against
 * `end`, and fails with a 501 FRAME_ERROR rather than reading past it.
 *
 * Integers are assembled from bytes rather than through a DataView: creating a
 * DataView per frame costs more than decoding a small method.
 */
export class ByteReader {
  bytes: Uint8Array;
  pos: number;
  end: number;
  private dataView: DataView | null = null;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** A DataView over `bytes`, made on first use. */
  get view(): DataView {
    const bytes = this.bytes;
    if (
      this.dataView === null ||
      this.dataView.buffer !== bytes.buffer ||
      this.dataView.byteOffset !== bytes.byteOffset
    ) {
      this.dataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.dataView;
  }

  /** Points the reader at new bytes, so one reader can serve many frames. */
  reset(bytes: Uint8Array, start = 0, end = bytes.length): this {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
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
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  uint64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  float32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
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
