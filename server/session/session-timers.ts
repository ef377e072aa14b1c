import { encodeHeartbeat } from '../../shared/index.js';
import { stopEvery, tickEvery, type Periodic } from '../shared-interval.js';
import type { GatewaySocket } from '../transport/transport.js';

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What an {@link ExpiryTimer} tells when the token ran out. */
export interface ExpiryListener {
  tokenExpired(): void;
}

/** Calls `tokenExpired` once a token's `exp` plus the grace has passed; re-armed on every refresh. */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;
  private expiresAt = 0;

  constructor(
    private readonly graceMs: number,
    private readonly listener: ExpiryListener,
  ) {}

  schedule(expiresAt: number | undefined): void {
    this.clear();
    if (expiresAt === undefined) return;
    this.expiresAt = expiresAt;
    this.arm();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Also what the timer calls: a delay past setTimeout's limit is re-armed for the rest. */
  arm(): void {
    const delay = this.expiresAt + this.graceMs - Date.now();
    if (delay <= 0) {
      this.timer = undefined;
      return this.listener.tokenExpired();
    }
    // A shared callback with the timer as its argument: no closure per session.
    this.timer = setTimeout(rearm, Math.min(delay, MAX_TIMER_MS), this);
    this.timer.unref();
  }
}

function rearm(timer: ExpiryTimer): void {
  timer.arm();
}

const HEARTBEAT = encodeHeartbeat();

/**
 * Sends the browser AMQP heartbeats at half the negotiated interval whenever
 * nothing else was sent, for clients that asked for them. Liveness itself is
 * checked with WebSocket pings, which background tabs still answer. Every
 * session's check runs on one shared timer per interval.
 */
export class BrowserHeartbeats implements Periodic {
  private constructor(
    private readonly intervalMs: number,
    private readonly output: { lastBrowserWrite: number },
    private readonly socket: GatewaySocket,
  ) {}

  /** Starts heartbeats for a negotiated `seconds`; undefined when the browser asked for none. */
  static start(
    seconds: number,
    output: { lastBrowserWrite: number },
    socket: GatewaySocket,
  ): BrowserHeartbeats | undefined {
    if (seconds <= 0) return undefined;
    const heartbeats = new BrowserHeartbeats((seconds * 1000) / 2, output, socket);
    tickEvery(heartbeats.intervalMs, heartbeats);
    return heartbeats;
  }

  tick(now: number): void {
    if (now - this.output.lastBrowserWrite >= this.intervalMs) {
      this.socket.send(HEARTBEAT);
      this.output.lastBrowserWrite = now;
    }
  }

  stop(): void {
    stopEvery(this.intervalMs, this);
  }
}
