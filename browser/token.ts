/** A bearer token, or a function fetching a fresh one (called on every connect and before expiry). */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * The `exp` claim of a JWT in milliseconds since the epoch, or undefined when
 * `token` is not a JWT or has no numeric `exp`. Nothing is verified: the
 * gateway does that; the client only needs to know when to refresh.
 */
export function jwtExpiry(token: string): number | undefined {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const exp: unknown = JSON.parse(atob(payload)).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long to wait before refreshing a token that expires at `expiresAt`: a
 * fifth of the remaining lifetime before expiry, at most a minute before.
 * Background tabs run timers late, hence the generous margin; a refresh that
 * still comes too late ends in a reconnect with a fresh token.
 */
export function refreshDelay(expiresAt: number, now: number): number {
  const remaining = Math.max(0, expiresAt - now);
  // setTimeout wraps delays above 2^31-1 ms to 0.
  return Math.min(remaining - Math.min(60_000, remaining / 5), 2 ** 31 - 1);
}
