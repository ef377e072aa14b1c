import { SpareBuffers } from './spare-buffers.js';

/** The most one read from a broker socket takes: what libuv suggests for a read when Node allocates it. */
export const READ_SIZE = 64 * 1024;

/** The most one read of a TLS socket yields: one record's plaintext (RFC 8446 §5.1). */
export const TLS_RECORD_SIZE = 16 * 1024;

/**
 * Where reads of broker sockets that are not streaming go: one buffer for all,
 * since a read's callback runs to its end before any socket reads again, and
 * what is relayed from it is copied (see BrokerLinkListener.brokerChunkEnd).
 */
const SHARED = Buffer.allocUnsafeSlow(READ_SIZE);

/**
 * Read buffers that sockets gave up with nothing referring to them, for the
 * next socket that streams: 512 KiB at most, for the process.
 */
const spares = new SpareBuffers(8 * READ_SIZE);

function takeBuffer(size: number): Buffer {
  const kept = spares.take(size);
  return kept === undefined ? Buffer.allocUnsafeSlow(size) : Buffer.from(kept, 0, size);
}

/**
 * The memory one broker socket reads into (the `onread` of net and tls). Left
 * to Node, every read allocates a buffer of its own, which V8 frees only when
 * it next collects: a browser that stops reading lets the kernel's socket
 * buffers take megabytes before its WebSocket holds any, and all of it passed
 * through such buffers, so RSS grew by that much. A socket that streams (its
 * reads come full) reads into one buffer of its own, again and again while
 * nothing holds what was read into it; one that does not reads into the shared
 * buffer, so an idle session keeps none (the one it gave up goes to the next
 * socket that streams, unless something still holds it).
 *
 * A streaming socket's read may end in the middle of a frame. Its reader may
 * leave that frame's bytes so far (`carry` in advance; up to `maxCarry`): they
 * are moved to the start of the socket's buffer and the next read goes after
 * them, so the frame arrives whole, in one chunk with the frames that follow
 * it. Relayed, a chunk's frames then leave as one WebSocket message without
 * being copied; gathered apart, the frame would be a message of its own.
 */
export class ReadBuffer {
  /** This socket's own buffer, while it streams. */
  private own: Buffer | undefined;
  /** The buffer the last read went into, with the bytes carried over at its start. */
  private base: Buffer = SHARED;
  /** Bytes carried over from the read before, at the start of `base`. */
  private carried = 0;
  /** Where the next read goes: `fullRead` bytes of `base`, after those carried over. */
  current: Buffer = SHARED;
  /**
   * `current`, for net's `onread.buffer`: Node calls it without a `this`, when
   * connecting and after each read (a closure per socket rather than a hand-over
   * through a module variable, which would go wrong should Node ever ask at
   * another time).
   */
  readonly next = (): Uint8Array => this.current;
  /** The most bytes a read may carry over to the next (see advance); 0 until the reader says (see carryUpTo). */
  maxCarry = 0;

  /**
   * @param fullRead The size of a read that means more is waiting: READ_SIZE
   *   for TCP, TLS_RECORD_SIZE for TLS, which hands over one record a read.
   */
  constructor(private readonly fullRead: number) {}

  /** Whether a read of `nread` bytes came full, so the socket is streaming. */
  full(nread: number): boolean {
    return nread >= this.fullRead;
  }

  /** Whether the last read went into the shared buffer: what it read must be copied to outlive its callback. */
  get shared(): boolean {
    return this.base === SHARED;
  }

  /** What a read of `nread` bytes gave the reader: the bytes carried over to it, then those read. */
  chunk(nread: number): Buffer {
    return this.base.subarray(0, this.carried + nread);
  }

  /**
   * Picks where the next read goes after one of `nread` bytes, whose bytes are
   * `held` (still referred to, so never read into again) or not. The last
   * `carry` bytes of it (after a full read only, and at most maxCarry) begin
   * the next chunk.
   */
  advance(nread: number, held: boolean, carry = 0): void {
    const end = this.carried + nread;
    const from = this.base;
    // Held, it is left to what holds it, and to the garbage collector after.
    if (held) this.own = undefined;
    this.carried = 0;
    if (!this.full(nread)) {
      // The socket had no more: it may now stay quiet for a long time. Node reads into what `next`
      // returns from now on, so nothing else refers to the buffer given back.
      // allocUnsafeSlow's memory is an ArrayBuffer of its own, never a shared one.
      if (this.own !== undefined) spares.give(this.own.buffer as ArrayBuffer);
      this.own = undefined;
      this.base = this.current = SHARED;
      return;
    }
    let own = this.own;
    if (own === undefined || own.length < this.fullRead + carry)
      own = this.own = takeBuffer(this.fullRead + this.maxCarry);
    // A chunk that is all one unfinished frame is already where it goes.
    if (from !== own) own.set(from.subarray(end - carry, end));
    else if (carry < end) own.copyWithin(0, end - carry, end);
    this.base = own;
    this.carried = carry;
    this.current = carry === 0 && own.length === this.fullRead ? own : own.subarray(carry, carry + this.fullRead);
  }
}
