import {
  FRAME_END,
  FRAME_HEADER_SIZE,
  FRAME_MIN_SIZE,
  FRAME_OVERHEAD,
  PROTOCOL_HEADER,
  ReplyCode,
} from './constants.js';
import { AmqpCodecError, CodecErrorCode, frameError } from './errors.js';

/**
 * Whether a splitter can expect the protocol header (the server side of a
 * connection). rollup.config.mjs turns it off in the browser bundle, a client
 * that never receives one, so that code is left out of it.
 */
const PROTOCOL_HEADER_CHECK = true;

/**
 * Whether a splitter gathers split frames in a buffer its owner handed back
 * (see FrameSplitter.release; the gateway's broker side). rollup.config.mjs
 * turns it off in the browser bundle, whose splitter allocates one per frame.
 */
const PARTIAL_REUSE = true;

/** Whether push() calls back with the owner it is given as `this`; off in the browser bundle, whose callback needs none. */
const CALLBACK_THIS = true;

/**
 * Whether a splitter can leave an unfinished frame to its owner (see
 * FrameSplitter.carryLimit; the gateway's broker side, whose reads continue
 * it). rollup.config.mjs turns it off in the browser bundle.
 */
const CARRY_OVER = true;

/**
 * One whole frame. It lies in `bytes` (the received chunk where it arrived whole):
 * decoders read its payload in place from `payloadStart` for `size` bytes.
 * `payload` and `raw` make a view on each read, so a relay that forwards `raw`
 * pays for one view and a decoder for none; read them once.
 */
export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly bytes: Uint8Array;
  readonly payloadStart: number;
  /** The payload's length in bytes. */
  readonly size: number;
  readonly payload: Uint8Array;
  /** The whole frame on the wire: header, payload and frame-end octet. */
  readonly raw: Uint8Array;
}

class SplitFrame implements Frame {
  readonly payloadStart: number;
  readonly size: number;

  constructor(
    readonly type: number,
    readonly channel: number,
    readonly bytes: Uint8Array,
    start: number,
    end: number,
  ) {
    this.payloadStart = start + FRAME_HEADER_SIZE;
    this.size = end - start - FRAME_OVERHEAD;
  }

  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadStart, this.payloadStart + this.size);
  }

  /** The gateway's relay reads it; rollup.config.mjs leaves it out of the browser bundle. */
  get raw(): Uint8Array {
    return this.bytes.subarray(this.payloadStart - FRAME_HEADER_SIZE, this.payloadStart + this.size + 1);
  }
}

export interface FrameSplitterOptions {
  /**
   * Largest frame accepted, header and frame-end included (AMQP's frame_max).
   * Raise it after connection.tune; a frame declaring more is refused before
   * anything is allocated for it. Default 4096, the spec's pre-tune minimum.
   */
  frameMax?: number;
  /** Expect `AMQP\x00\x00\x09\x01` before the first frame (the server side of a connection). */
  protocolHeader?: boolean;
  /**
   * Where the memory of split frames goes once nothing refers to it and the
   * socket stopped streaming, and where it comes from when there is no spare
   * of the splitter's own (see `release`). Not in the browser bundle.
   */
  spares?: SpareMemory;
}

/** Memory that no one refers to, kept for whoever needs some next (the gateway's broker side keeps one for all links). */
export interface SpareMemory {
  /** Memory of at least `bytes` (and not much more), taken out of the spares; undefined when none fits. */
  take(bytes: number): ArrayBuffer | undefined;
  /** Keeps `buffer` for reuse, if within bounds: nothing may refer to it any more. */
  give(buffer: ArrayBuffer): void;
}

/**
 * Turns bytes in any chunking into whole frames: one byte at a time, a frame
 * split across chunks, many frames in one chunk. A frame that arrives whole is
 * handed on as a view of the chunk (no copy); one split across chunks is copied
 * once into a buffer of its declared size, after that size was checked.
 */
export class FrameSplitter {
  frameMax: number;
  private headerPending: number;
  /** A frame header split across chunks, gathered here; made when first needed (most sessions never split one). */
  private head: Uint8Array | null = null;
  private headLength = 0;
  private partial: Uint8Array | null = null;
  private partialLength = 0;
  /** Memory a split frame was gathered in that nothing refers to any more: the next split frame goes there (see `release`). */
  private spare: ArrayBuffer | undefined;
  /** The memory of the split frame emitted last, since `release` was last called. */
  private emitted: ArrayBuffer | undefined;
  declare private readonly spares: SpareMemory | undefined;
  /**
   * A frame of at most this many bytes that a chunk ends in the middle of is
   * left unread rather than gathered: `push` stops before it and says how many
   * bytes it left (`leftover`), and the owner begins the next chunk with them,
   * so the whole frame arrives in one chunk with what follows it. 0 (the
   * default) leaves nothing. Not in the browser bundle (rollup.config.mjs).
   */
  declare carryLimit: number;
  /** Bytes at the end of the last chunk pushed that were left unread (see `carryLimit`). */
  declare leftover: number;

  constructor(options: FrameSplitterOptions = {}) {
    this.frameMax = options.frameMax ?? FRAME_MIN_SIZE;
    if (PARTIAL_REUSE) this.spares = options.spares;
    if (CARRY_OVER) this.carryLimit = this.leftover = 0;
    this.headerPending = PROTOCOL_HEADER_CHECK && options.protocolHeader === true ? PROTOCOL_HEADER.length : 0;
  }

  /** True while part of a frame (or of the protocol header) is buffered. Not in the browser bundle (rollup.config.mjs). */
  get buffering(): boolean {
    return (
      this.headLength > 0 ||
      this.partial !== null ||
      (PROTOCOL_HEADER_CHECK && this.headerPending > 0 && this.headerPending < 8)
    );
  }

  /**
   * Feeds bytes; calls `onFrame` for each frame completed, with `self` as its
   * `this` (so an owner can pass a method of its own rather than keep a bound
   * closure for it). Throws an {@link AmqpCodecError} on malformed input; the
   * splitter is unusable after.
   */
  push<T>(chunk: Uint8Array, onFrame: (this: T, frame: Frame) => void, self?: T): void {
    let off = 0;
    const length = chunk.length;
    if (CARRY_OVER) this.leftover = 0;
    if (PROTOCOL_HEADER_CHECK && this.headerPending > 0) {
      off = checkProtocolHeader(chunk, this.headerPending);
      this.headerPending -= off;
      if (this.headerPending > 0) return;
    }
    while (off < length) {
      if (this.partial !== null) {
        const partial = this.partial;
        const n = Math.min(partial.length - this.partialLength, length - off);
        partial.set(chunk.subarray(off, off + n), this.partialLength);
        this.partialLength += n;
        off += n;
        if (this.partialLength === partial.length) {
          this.partial = null;
          this.partialLength = 0;
          if (PARTIAL_REUSE) this.emitted = partial.buffer as ArrayBuffer;
          this.emit(partial, 0, partial.length, onFrame, self);
        }
        continue;
      }
      if (this.headLength > 0 || length - off < FRAME_HEADER_SIZE) {
        if (CARRY_OVER && this.headLength === 0 && this.carryLimit >= FRAME_HEADER_SIZE) {
          this.leftover = length - off;
          return;
        }
        const n = Math.min(FRAME_HEADER_SIZE - this.headLength, length - off);
        const head = (this.head ??= new Uint8Array(FRAME_HEADER_SIZE));
        head.set(chunk.subarray(off, off + n), this.headLength);
        this.headLength += n;
        off += n;
        if (this.headLength < FRAME_HEADER_SIZE) return;
        this.headLength = 0;
        const total = this.checkedSize(head, 0) + FRAME_OVERHEAD;
        const partial = PARTIAL_REUSE ? this.partialOf(total) : new Uint8Array(total);
        partial.set(head);
        this.partial = partial;
        this.partialLength = FRAME_HEADER_SIZE;
        continue;
      }
      const total = this.checkedSize(chunk, off) + FRAME_OVERHEAD;
      if (length - off >= total) {
        this.emit(chunk, off, off + total, onFrame, self);
        off += total;
      } else if (CARRY_OVER && total <= this.carryLimit) {
        this.leftover = length - off;
        return;
      } else {
        const partial = PARTIAL_REUSE ? this.partialOf(total) : new Uint8Array(total);
        partial.set(chunk.subarray(off));
        this.partial = partial;
        this.partialLength = length - off;
        off = length;
      }
    }
  }

  /**
   * Ends the frames emitted so far: `held` when something still refers to them
   * (a relay's queued write), `streaming` when more is waiting to be read. The
   * memory the last split one was gathered in, unless held, gathers the next
   * while the socket streams: a relay that stops reading while its peer
   * catches up would otherwise allocate one buffer per frame split across
   * reads (most of them, when frames are larger than a read), which V8 frees
   * only when it next collects. Once the socket stops streaming the splitter
   * keeps none: it goes to the `spares` it was given. Not in the browser
   * bundle (rollup.config.mjs).
   */
  release(held: boolean, streaming: boolean): void {
    let free = this.spare;
    if (!held && this.emitted !== undefined) {
      if (free !== undefined) this.spares?.give(free);
      free = this.emitted;
    }
    this.emitted = undefined;
    this.spare = streaming ? free : undefined;
    if (!streaming && free !== undefined) this.spares?.give(free);
  }

  /** A buffer of `total` bytes for a split frame: the spare one when it is large enough, else one of the `spares`. Not in the browser bundle. */
  private partialOf(total: number): Uint8Array {
    const spare = this.spare;
    if (spare !== undefined && spare.byteLength >= total) {
      this.spare = undefined;
      return new Uint8Array(spare, 0, total);
    }
    const kept = this.spares?.take(total);
    return kept === undefined ? new Uint8Array(total) : new Uint8Array(kept, 0, total);
  }

  /** Validates a frame header at `at` and returns its payload size. */
  private checkedSize(bytes: Uint8Array, at: number): number {
    const type = bytes[at]!;
    if (type !== 1 && type !== 2 && type !== 3 && type !== 8) {
      throw frameError(CodecErrorCode.FrameType, `frame type ${type}`);
    }
    const size = ((bytes[at + 3]! << 24) >>> 0) + (bytes[at + 4]! << 16) + (bytes[at + 5]! << 8) + bytes[at + 6]!;
    if (size > this.frameMax - FRAME_OVERHEAD) {
      throw frameError(CodecErrorCode.FrameTooLarge, `frame over frame_max: ${size + FRAME_OVERHEAD}`);
    }
    return size;
  }

  private emit<T>(
    bytes: Uint8Array,
    start: number,
    end: number,
    onFrame: (this: T, frame: Frame) => void,
    self: T | undefined,
  ): void {
    if (bytes[end - 1] !== FRAME_END) {
      throw frameError(CodecErrorCode.FrameEnd, 'bad frame-end');
    }
    const frame = new SplitFrame(bytes[start]!, (bytes[start + 1]! << 8) | bytes[start + 2]!, bytes, start, end);
    if (CALLBACK_THIS) onFrame.call(self as T, frame);
    else (onFrame as (frame: Frame) => void)(frame);
  }
}

/** Checks the start of `chunk` against the `pending` bytes of the protocol header still expected; returns how many it held. */
function checkProtocolHeader(chunk: Uint8Array, pending: number): number {
  const done = PROTOCOL_HEADER.length - pending;
  const n = Math.min(pending, chunk.length);
  for (let i = 0; i < n; i++) {
    if (chunk[i] !== PROTOCOL_HEADER[done + i]) {
      throw new AmqpCodecError(CodecErrorCode.ProtocolHeader, ReplyCode.FrameError, 'not the AMQP 0-9-1 header');
    }
  }
  return n;
}
