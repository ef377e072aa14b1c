import type { Frame } from '../../shared/index.js';
import type { GatewaySocket } from '../transport/transport.js';
import { HeldFrames } from './held-frames.js';
import { PublishLimiter } from './publish-limiter.js';
import type { SessionEvent } from './session-types.js';

/** What {@link BrowserReads} asks of its session. */
export interface BrowserReadsOwner {
  /** Handles one frame now; throws on a malformed one. */
  handleBrowserFrame(frame: Frame): void;
  /** A frame replayed from the held ones threw: the session closes. */
  browserProtocolError(err: unknown): void;
  /** An async step (see {@link BrowserReads.runBusy}) threw: the session closes. */
  stepFailed(err: unknown): void;
  /** Sends what replaying the held frames produced. */
  flushReplayed(): void;
  readonly ended: boolean;
  /** Reports an event to the gateway (metrics). */
  observe(event: SessionEvent): void;
}

/** Frames that may wait while the session checks a token or opens the broker connection. */
const MAX_WAITING_FRAMES = 1024;

/**
 * When a session takes the browser's frames: as they come, or held in order
 * and replayed later, while an async step runs (a token is checked, the broker
 * connection opens) or while the publish-rate limit has stopped reading. The
 * browser's socket is paused for either and read again once neither holds it,
 * nor the broker's backpressure (`output.browserPaused`).
 */
export class BrowserReads {
  private busy = false;
  /** Reading stopped by the publish-rate limit until `rateTimer` fires. */
  private ratePaused = false;
  private rateTimer: NodeJS.Timeout | undefined;
  private readonly limiter: PublishLimiter | undefined;
  /** Created the first time a frame has to wait. */
  private held: HeldFrames | undefined;

  /**
   * @param publishRate `--publish-rate`: publishes a second, 0 for no limit.
   * @param maxRateHeldBytes What may arrive after the rate limit stopped reading: one whole WebSocket message and one socket read.
   */
  constructor(
    private readonly socket: GatewaySocket,
    private readonly output: { readonly browserPaused: boolean },
    private readonly owner: BrowserReadsOwner,
    publishRate: number,
    private readonly maxRateHeldBytes: number,
  ) {
    if (publishRate > 0) this.limiter = new PublishLimiter(publishRate);
  }

  /** Whether nothing but the broker's backpressure may hold reading (no step runs, the rate limit does not). */
  get flowing(): boolean {
    return !this.busy && !this.ratePaused;
  }

  /** A frame from the browser: handled now, or held. Throws 506 past the held frames' bound. */
  frame(frame: Frame): void {
    if (this.busy) return this.heldFrames().hold(frame, 'busy');
    // Held, not dropped, while the publish-rate limit has reading stopped.
    if (this.ratePaused) return this.heldFrames().hold(frame, 'rate-limit');
    this.owner.handleBrowserFrame(frame);
  }

  /** Runs an async step with the browser's later frames held back, then replays them in order. */
  runBusy(step: () => Promise<void>): void {
    this.busy = true;
    this.socket.pause();
    step()
      .catch((err: unknown) => this.owner.stepFailed(err))
      .finally(() => {
        this.busy = false;
        this.readOn();
        this.replay();
      });
  }

  /**
   * Counts one publish against `--publish-rate`. Over the limit reading is
   * held rather than the publish dropped or refused: the socket is paused until
   * the bucket has refilled (see {@link PublishLimiter}).
   */
  published(): void {
    const waitMs = this.limiter?.take() ?? 0;
    if (waitMs === 0 || this.ratePaused) return;
    this.ratePaused = true;
    this.socket.pause();
    this.owner.observe({ type: 'backpressure', direction: 'publish-rate' });
    this.rateTimer = setTimeout(() => this.rateRefilled(), waitMs);
  }

  /** The session ended: nothing held is handled, and no timer is left. */
  stop(): void {
    clearTimeout(this.rateTimer);
    this.held?.clear();
  }

  /** Replays the frames held by the rate limit (a publish among them may pause again), then reads on. */
  private rateRefilled(): void {
    this.ratePaused = false;
    if (this.owner.ended || this.busy) return;
    this.replay();
    if (!this.owner.ended) this.readOn();
  }

  /** Reads the socket again unless something still holds it: the rate limit, a step, or the broker. */
  private readOn(): void {
    if (this.flowing && !this.output.browserPaused) this.socket.resume();
  }

  private heldFrames(): HeldFrames {
    return (this.held ??= new HeldFrames(MAX_WAITING_FRAMES, this.maxRateHeldBytes));
  }

  /** Handles the held frames, in order, until something holds them again. */
  private replay(): void {
    try {
      while (this.flowing && this.held !== undefined && this.held.size > 0 && !this.owner.ended) {
        this.owner.handleBrowserFrame(this.held.next()!);
      }
    } catch (err) {
      this.owner.browserProtocolError(err);
    }
    // Frames wait in the handshake and rarely after it: an empty queue is not kept.
    if (this.held?.size === 0) this.held = undefined;
    this.owner.flushReplayed();
  }
}
