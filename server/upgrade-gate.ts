import { extractUpgradeToken } from './auth/token-sources.js';
import { clientAddress } from './client-address.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionToken, TokenFailure } from './session/session.js';
import type { RequestInfo, UpgradeDecision } from './transport/transport.js';

export interface UpgradeGateOptions {
  readonly path: string;
  /** Normalised `scheme://host[:port]` origins, or `*`. */
  readonly allowedOrigins: readonly string[];
  readonly trustedProxies: ReadonlySet<string>;
  readonly tokenCookie: string | undefined;
  readonly registry: SessionRegistry;
  verifyToken(jwt: string): Promise<SessionToken | TokenFailure>;
  refused(status: number, why: string): void;
}

/** What an accepted upgrade hands to its session. */
export interface UpgradeContext {
  readonly clientIp: string;
  /** The token found at the upgrade, already verified; absent when the page sends it in start-ok. */
  readonly token: SessionToken | undefined;
}

/**
 * Decides a WebSocket upgrade before it completes: the path, the page's
 * origin, capacity, and a token carried by the upgrade (cookie, `access_token`
 * query, Bearer header), which must verify or the answer is 401.
 */
export async function decideUpgrade(
  req: RequestInfo,
  offeredProtocols: readonly string[],
  gate: UpgradeGateOptions,
): Promise<UpgradeDecision> {
  const path = req.url.split('?', 1)[0];
  if (path !== gate.path) return refuse(gate, 404, 'Not Found', 'path');
  const origin = req.headers['origin'];
  if (origin !== undefined && !originAllowed(origin, gate.allowedOrigins)) {
    return refuse(gate, 403, 'Forbidden: origin not allowed', 'origin');
  }
  const clientIp = clientAddress(req.remoteAddress, req.headers['x-forwarded-for'], gate.trustedProxies);
  const capacity = gate.registry.checkCapacity(clientIp);
  if (capacity !== undefined) return refuse(gate, capacity.status, capacity.reason, 'capacity');

  let token: SessionToken | undefined;
  const jwt = extractUpgradeToken({ url: req.url, headers: req.headers }, gate.tokenCookie);
  if (jwt !== undefined) {
    const verified = await gate.verifyToken(jwt);
    if (!('subject' in verified)) return refuse(gate, 401, 'Unauthorized', verified.code);
    token = verified;
  }
  const protocol = offeredProtocols.includes('amqp') ? 'amqp' : undefined;
  const context: UpgradeContext = { clientIp, token };
  return { accept: true, protocol, context };
}

function refuse(gate: UpgradeGateOptions, status: number, reason: string, why: string): UpgradeDecision {
  gate.refused(status, why);
  return { accept: false, status, reason };
}

/** Exact match on scheme, host and port; `*` lets any page in. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  let normalised: string;
  try {
    normalised = new URL(origin).origin;
  } catch {
    return false;
  }
  return allowed.includes(normalised);
}
