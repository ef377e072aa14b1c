import { CodecErrorCode, frameError } from './errors.js';
import { decodeUtf8 } from './utf8.js';

const TWO_32 = 2 ** 32;

/**
 * Reads AMQP primitives from a byte range. Every read is bounds-checked against
 * `end`, and fails with a 501 FRAME_ERROR rather than reading past it.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n > this.end - this.pos) {
      throw frameError(CodecErrorCode.Truncated, `need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  octet(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  int8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }

  short(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  int16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  long(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit integer as a number: exact up to 2^53, which delivery tags and sizes never pass. */
  longlong(): number {
    this.need(8);
    const v = this.view.getUint32(this.pos) * TWO_32 + this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return v;
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
