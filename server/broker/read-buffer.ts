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

/** Most buffers kept for reuse, of each size: a bound on what the process holds for sockets not streaming. */
const MAX_SPARES = 8;

/**
 * Own buffers that sockets gave up with nothing referring to them, by size,
 * for the next socket that streams: a burst then costs no allocation, and
 * leaves no garbage for V8 to free (RSS it would otherwise count until then).
 */
const spares = new Map<number, Buffer[]>();

function takeBuffer(size: number): Buffer {
  return spares.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

function giveBack(buffer: Buffer): void {
  let list = spares.get(buffer.length);
  if (list === undefined) spares.set(buffer.length, (list = []));
  if (list.length < MAX_SPARES) list.push(buffer);
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
 */
export class ReadBuffer {
  /** This socket's own buffer, while it streams. */
  private own: Buffer | undefined;
  /** Where the next read goes. */
  current: Buffer = SHARED;
  /**
   * `current`, for net's `onread.buffer`: Node calls it without a `this`, when
   * connecting and after each read (a closure per socket rather than a hand-over
   * through a module variable, which would go wrong should Node ever ask at
   * another time).
   */
  readonly next = (): Uint8Array => this.current;

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
    return this.current === SHARED;
  }

  /**
   * Picks where the next read goes after one of `nread` bytes, whose bytes are
   * `held` (still referred to, so never read into again) or not.
   */
  advance(nread: number, held: boolean): void {
    // Held, it is left to what holds it, and to the garbage collector after.
    if (held) this.own = undefined;
    if (!this.full(nread)) {
      // The socket had no more: it may now stay quiet for a long time. Node reads into what `next`
      // returns from now on, so nothing else refers to the buffer given back.
      if (this.own !== undefined) giveBack(this.own);
      this.own = undefined;
      this.current = SHARED;
    } else {
      this.current = this.own ??= takeBuffer(this.fullRead);
    }
  }
}
