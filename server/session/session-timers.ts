import { encodeHeartbeat } from '../../shared/index.js';
import type { GatewaySocket } from '../transport/transport.js';

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `onExpire` once a token's `exp` plus the grace has passed; re-armed on every refresh. */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly graceMs: number,
    private readonly onExpire: () => void,
  ) {}

  schedule(expiresAt: number | undefined): void {
    this.clear();
    if (expiresAt === undefined) return;
    const delay = expiresAt + this.graceMs - Date.now();
    if (delay <= 0) return this.onExpire();
    this.timer = setTimeout(() => this.schedule(expiresAt), Math.min(delay, MAX_TIMER_MS));
    this.timer.unref();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const HEARTBEAT = encodeHeartbeat();

/**
 * Sends the browser AMQP heartbeats at half the negotiated interval whenever
 * nothing else was sent, for clients that asked for them. Liveness itself is
 * checked with WebSocket pings, which background tabs still answer.
 */
export function startHeartbeats(
  seconds: number,
  output: { lastBrowserWrite: number },
  socket: GatewaySocket,
): NodeJS.Timeout | undefined {
  if (seconds <= 0) return undefined;
  const intervalMs = (seconds * 1000) / 2;
  const timer = setInterval(() => {
    if (Date.now() - output.lastBrowserWrite >= intervalMs) {
      socket.send(HEARTBEAT);
      output.lastBrowserWrite = Date.now();
    }
  }, intervalMs);
  timer.unref();
  return timer;
}
