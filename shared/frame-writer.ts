import { ByteWriter } from './byte-writer.js';
import { FRAME_END, FRAME_OVERHEAD, FrameType } from './constants.js';
import { CodecErrorCode, syntaxError } from './errors.js';
import { writeMethodPayload } from './method-codec.js';
import type { Method } from './method-types.js';
import { writeContentHeader, type BasicProperties } from './properties.js';
import { BASIC_CLASS_ID } from './spec.js';

/**
 * Encodes frames back to back into one buffer, so several frames (a publish with
 * its header and body, a batch of acks) leave in one write or WebSocket message.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class FrameWriter {
  private readonly w: ByteWriter;

  constructor(initialSize = 4096) {
    this.w = new ByteWriter(initialSize);
  }

  /** Bytes waiting in the buffer. */
  get length(): number {
    return this.w.pos;
  }

  method(channel: number, method: Method): this {
    const start = this.begin(FrameType.Method, channel);
    writeMethodPayload(this.w, method);
    this.end(start);
    return this;
  }

  header(channel: number, bodySize: number, properties: BasicProperties, classId: number = BASIC_CLASS_ID): this {
    const start = this.begin(FrameType.Header, channel);
    writeContentHeader(this.w, classId, bodySize, properties);
    this.end(start);
    return this;
  }

  /** Body frames for `body`, each carrying at most `frameMax - 8` bytes. An empty body gets no frame. */
  body(channel: number, body: Uint8Array, frameMax: number): this {
    const chunk = frameMax - FRAME_OVERHEAD;
    if (chunk <= 0) throw syntaxError(CodecErrorCode.InvalidValue, `frame_max ${frameMax}`);
    for (let offset = 0; offset < body.length; offset += chunk) {
      const part = body.subarray(offset, Math.min(offset + chunk, body.length));
      const w = this.w;
      w.ensure(part.length + FRAME_OVERHEAD);
      w.octet(FrameType.Body);
      w.short(channel);
      w.long(part.length);
      w.bytes(part);
      w.octet(FRAME_END);
    }
    return this;
  }

  heartbeat(): this {
    const w = this.w;
    w.ensure(FRAME_OVERHEAD);
    w.octet(FrameType.Heartbeat);
    w.short(0);
    w.long(0);
    w.octet(FRAME_END);
    return this;
  }

  /** Appends bytes that are already whole frames. */
  raw(frames: Uint8Array): this {
    this.w.bytes(frames);
    return this;
  }

  /** Drops what was written after the first `length` bytes (a frame that failed to encode halfway). */
  truncate(length: number): void {
    this.w.pos = Math.min(length, this.w.pos);
  }

  /** The frames written so far, as one buffer; the writer starts empty again. */
  take(): Uint8Array {
    return this.w.take();
  }

  /**
   * The frames written so far, as a view of the writer's own buffer, which the
   * next write overwrites; the writer starts empty again. For a consumer that
   * copies at once, as WebSocket.send does: it saves take()'s copy.
   */
  takeView(): Uint8Array {
    const w = this.w;
    const frames = w.buf.subarray(0, w.pos);
    w.pos = 0;
    return frames;
  }

  private begin(type: number, channel: number): number {
    const w = this.w;
    w.ensure(7);
    w.octet(type);
    w.short(channel);
    const start = w.pos;
    w.pos += 4;
    return start;
  }

  private end(sizeAt: number): void {
    const w = this.w;
    w.view.setUint32(sizeAt, w.pos - sizeAt - 4);
    w.octet(FRAME_END);
  }
}

/**
 * Whether FrameWriter has message(), a whole publish in one call for the
 * gateway's tests and benchmarks. rollup.config.mjs turns it off in the browser
 * bundle, which writes its publishes frame by frame.
 */
const WHOLE_MESSAGES = true;

// A class and an interface of one name merge: the interface declares what the
// prototype gets below, which the browser bundle leaves out.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface FrameWriter {
  /** A method, its content header and body frames: one whole message. */
  message(channel: number, method: Method, properties: BasicProperties, body: Uint8Array, frameMax: number): this;
}
if (WHOLE_MESSAGES) {
  FrameWriter.prototype.message = function (channel, method, properties, body, frameMax) {
    return this.method(channel, method).header(channel, body.length, properties).body(channel, body, frameMax);
  };
}

// Made on first use, so a bundle that never calls these leaves them out.
let scratch: FrameWriter | undefined;

/** One method frame. */
export function encodeMethod(channel: number, method: Method): Uint8Array {
  return (scratch ??= new FrameWriter()).method(channel, method).take();
}

/** A heartbeat frame. */
export function encodeHeartbeat(): Uint8Array {
  return (scratch ??= new FrameWriter()).heartbeat().take();
}
