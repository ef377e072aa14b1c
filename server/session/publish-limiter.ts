/**
 * A per-session token bucket over published messages. It never drops a
 * message: a publish past the limit is let through and puts the bucket in
 * debt, and the session stops reading the browser's WebSocket until the debt
 * is repaid. Frames already read when the limit is hit (the rest of one
 * WebSocket message, what the socket had buffered) are still relayed, so a
 * burst can overshoot by that much, but the debt they leave lengthens the
 * pause, which keeps the long-run rate at the limit.
 */
export class PublishLimiter {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSecond messages per second; the bucket holds one second's worth.
   * @param now clock in milliseconds (tests pass their own).
   */
  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = ratePerSecond;
    this.last = now();
  }

  /** Takes one token; returns how long to stop reading (ms), 0 when under the limit. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }
}
