import { Permissions } from './permissions.js';
import { parseScopes, type ScopeOptions } from './scopes.js';

/** Distinct scope sets kept; tokens of one role share theirs. */
const MAX_ENTRIES = 1024;
/** Scope claims longer than this are parsed for their session alone, not kept. */
const MAX_KEY_LENGTH = 8192;

const cache = new Map<string, Permissions>();

/**
 * The {@link Permissions} a token's claims grant. Parsed permissions are
 * immutable, so sessions whose tokens carry the same scopes share one parse
 * (and its compiled patterns) instead of holding a copy each. Bounded: the
 * least recently used scope set is dropped first.
 */
export function permissionsFor(claims: Readonly<Record<string, unknown>>, options: ScopeOptions): Permissions {
  const extra = options.extraClaim === undefined || options.extraClaim === '' ? undefined : claims[options.extraClaim];
  const key = JSON.stringify([options.prefix, options.extraClaim ?? '', claims['scope'], claims['scp'], extra]);
  if (key.length > MAX_KEY_LENGTH) return new Permissions(parseScopes(claims, options));
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Re-inserted so the Map's order stays least recently used first.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const permissions = new Permissions(parseScopes(claims, options));
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, permissions);
  return permissions;
}
