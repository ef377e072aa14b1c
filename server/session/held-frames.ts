import { AmqpCodecError, CodecErrorCode, FRAME_OVERHEAD, ReplyCode, type Frame } from '../../shared/index.js';

/**
 * Browser frames read while the session cannot handle them yet, kept in order:
 * while a token is checked or the broker connection opens (bounded by count —
 * a handshake is a handful of frames), and while the publish-rate limit has
 * reading stopped (bounded by bytes — what one WebSocket message and one socket
 * read can carry). Past a bound the session closes with 506 RESOURCE_ERROR.
 */
export class HeldFrames {
  private readonly frames: Frame[] = [];
  private bytes = 0;

  constructor(
    private readonly maxWhileBusy: number,
    private readonly maxRateHeldBytes: number,
  ) {}

  get size(): number {
    return this.frames.length;
  }

  /** @throws {AmqpCodecError} 506 when `why`'s bound is passed. */
  hold(frame: Frame, why: 'busy' | 'rate-limit'): void {
    this.bytes += frame.size + FRAME_OVERHEAD;
    if (why === 'busy' ? this.frames.length >= this.maxWhileBusy : this.bytes > this.maxRateHeldBytes) {
      throw new AmqpCodecError(
        CodecErrorCode.InvalidValue,
        ReplyCode.ResourceError,
        why === 'busy' ? 'too many frames while authenticating' : 'too much data sent past the publish-rate limit',
      );
    }
    this.frames.push(frame);
  }

  next(): Frame | undefined {
    const frame = this.frames.shift();
    if (frame !== undefined) this.bytes -= frame.size + FRAME_OVERHEAD;
    return frame;
  }

  clear(): void {
    this.frames.length = 0;
    this.bytes = 0;
  }
}
