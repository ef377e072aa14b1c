import { encodeHeartbeat } from '../../shared/index.js';
import { stopEvery, tickEvery, type Periodic } from '../shared-interval.js';
import type { GatewaySocket } from '../transport/transport.js';

/**
 * How often due expiries are looked for, on one timer shared by every session:
 * a token is noticed at most this long after `exp` plus the grace, never before.
 */
const EXPIRY_CHECK_MS = 1000;

/** What an {@link ExpiryTimer} tells when the token ran out. */
export interface ExpiryListener {
  tokenExpired(): void;
}

/**
 * Calls `tokenExpired` once a token's `exp` plus the grace has passed; re-armed
 * on every refresh. A session's token lives for minutes or hours, so rather than
 * a Timeout of its own (about 250 B with its argument list and timer list, held
 * for the whole session) it is a member of a shared one-second check.
 */
export class ExpiryTimer implements Periodic {
  /** When `tokenExpired` is due, in ms since the epoch; 0 while nothing is scheduled. */
  private dueAt = 0;

  constructor(
    private readonly graceMs: number,
    private readonly listener: ExpiryListener,
  ) {}

  /** An `expiresAt` already past (with the grace) calls `tokenExpired` at once. */
  schedule(expiresAt: number | undefined): void {
    this.clear();
    if (expiresAt === undefined) return;
    const dueAt = expiresAt + this.graceMs;
    if (dueAt <= Date.now()) return this.listener.tokenExpired();
    this.dueAt = dueAt;
    tickEvery(EXPIRY_CHECK_MS, this);
  }

  clear(): void {
    if (this.dueAt === 0) return;
    this.dueAt = 0;
    stopEvery(EXPIRY_CHECK_MS, this);
  }

  tick(now: number): void {
    if (now < this.dueAt) return;
    this.clear();
    this.listener.tokenExpired();
  }
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
