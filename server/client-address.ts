/**
 * The client's IP address. `X-Forwarded-For` is believed only when the direct
 * peer is a trusted proxy, and then only up to the first address that is not
 * one (the rightmost untrusted hop), so a client cannot pick its own address.
 */
export function clientAddress(
  remoteAddress: string,
  forwardedFor: string | undefined,
  trustedProxies: ReadonlySet<string>,
): string {
  const peer = normalise(remoteAddress);
  if (forwardedFor === undefined || !trustedProxies.has(peer)) return peer;
  const hops = forwardedFor
    .split(',')
    .map((h) => normalise(h.trim()))
    .filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!trustedProxies.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same client. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
