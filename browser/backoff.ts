/** How the connection reconnects after the socket drops. */
export interface ReconnectOptions {
  /** First delay, before jitter, in ms. Default 250. */
  initialDelay?: number;
  /** Largest delay, before jitter, in ms. Default 30 000. */
  maxDelay?: number;
  /** Attempts before giving up and emitting `close`. Default unlimited. */
  maxAttempts?: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped,
 * with "equal jitter" (half fixed, half random) so many pages that lost the
 * same gateway do not come back at the same instant.
 */
export function backoffDelay(attempt: number, options: ReconnectOptions, random = Math.random()): number {
  const ceiling = Math.min(options.maxDelay ?? 30_000, (options.initialDelay ?? 250) * 2 ** attempt);
  return ceiling / 2 + (ceiling / 2) * random;
}
