import { CodecErrorCode, syntaxError } from './errors.js';
import { encodeUtf8Into } from './utf8.js';

const TWO_32 = 2 ** 32;

/**
 * Throws an InvalidValue error unless `v` is a whole number from `min` to
 * `max`: a DataView would wrap or truncate it (a prefetch count of 70,000
 * sent as 4,464, a delivery mode of 'persistent' as 0) and the peer would act
 * on a number nobody asked for.
 */
function assertInteger(v: number, min: number, max: number): void {
  if (Number.isInteger(v) && v >= min && v <= max) return;
  throw syntaxError(CodecErrorCode.InvalidValue, `${v} is not an integer in ${min}..${max}`);
}

/** Writes AMQP primitives into a buffer that grows as needed. */
export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  octet(v: number): void {
    assertInteger(v, 0, 0xff);
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  int8(v: number): void {
    assertInteger(v, -0x80, 0x7f);
    this.ensure(1);
    this.view.setInt8(this.pos++, v);
  }

  short(v: number): void {
    assertInteger(v, 0, 0xffff);
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  int16(v: number): void {
    assertInteger(v, -0x8000, 0x7fff);
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  long(v: number): void {
    assertInteger(v, 0, 0xffffffff);
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  int32(v: number): void {
    assertInteger(v, -0x80000000, 0x7fffffff);
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** An unsigned 64-bit integer from a non-negative safe integer. */
  longlong(v: number): void {
    assertInteger(v, 0, 2 ** 53 - 1);
    this.ensure(8);
    this.view.setUint32(this.pos, Math.floor(v / TWO_32));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }

  /** An AMQP timestamp: whole seconds since the epoch; an invalid or pre-1970 Date is refused. */
  timestamp(v: Date): void {
    const ms = v.getTime();
    if (!(ms >= 0)) throw syntaxError(CodecErrorCode.InvalidValue, `timestamp ${String(v)} cannot be sent`);
    this.longlong(Math.floor(ms / 1000));
  }

  int64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  uint64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  float32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  float64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  shortstr(v: string): void {
    this.ensure(256);
    const n = encodeUtf8Into(v, this.buf, this.pos + 1, 255);
    if (n < 0) throw syntaxError(CodecErrorCode.InvalidValue, 'shortstr over 255 bytes');
    this.buf[this.pos] = n;
    this.pos += 1 + n;
  }

  longstr(v: string | Uint8Array): void {
    if (typeof v !== 'string') {
      this.long(v.length);
      this.bytes(v);
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const room = v.length * 3;
    this.ensure(4 + room);
    const n = encodeUtf8Into(v, this.buf, this.pos + 4, room);
    this.view.setUint32(this.pos, n);
    this.pos += 4 + n;
  }

  bytes(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Reserves a 32-bit length slot; `endLength(slot)` fills it with the bytes written since. */
  beginLength(): number {
    this.ensure(4);
    const slot = this.pos;
    this.pos += 4;
    return slot;
  }

  endLength(slot: number): void {
    this.view.setUint32(slot, this.pos - slot - 4);
  }

  /** A copy of what was written, and the writer emptied for reuse. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}
