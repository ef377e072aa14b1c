import { GlobPattern } from './glob.js';

/** The three RabbitMQ permissions. */
export type PermissionKind = 'configure' | 'write' | 'read';

/** One permission a scope grants. */
export interface Grant {
  readonly kind: PermissionKind;
  readonly vhost: GlobPattern;
  readonly name: GlobPattern;
  /** Topic (routing-key) restriction of a write/read grant; absent = any routing key. */
  readonly routingKey?: GlobPattern;
  /** The scope it came from, for logs. */
  readonly scope: string;
}

/** Where to read scopes from. */
export interface ScopeOptions {
  /** Only scopes starting with this are considered (`rabbitmq.`). */
  readonly prefix: string;
  /** An extra claim read like `scope`, e.g. `permissions`. */
  readonly extraClaim?: string | undefined;
}

/** What the claims granted, and which prefixed scopes could not be understood. */
export interface ScopeReport {
  readonly grants: readonly Grant[];
  /** Prefixed entries that are not valid permission scopes (ignored, never fatal). */
  readonly malformed: readonly string[];
}

const KINDS = new Set<string>(['configure', 'write', 'read']);

/**
 * The permission grants in a token's claims, in the RabbitMQ OAuth2 grammar:
 * `<prefix>configure:<vhost>/<name>`, `<prefix>write:<vhost>/<name>[/<routing-key>]`,
 * `<prefix>read:<vhost>/<name>[/<routing-key>]`. Scopes come from `scope`
 * (space-separated string or array), `scp` (same) and `extraClaim`. Parts are
 * percent-decoded after splitting on `/` (`%2F` is the vhost `/`); `*` is a
 * wildcard. `<prefix>tag:…` and scopes without the prefix are skipped;
 * malformed ones are skipped and counted.
 */
export function readScopes(claims: Readonly<Record<string, unknown>>, options: ScopeOptions): ScopeReport {
  const entries = [
    ...scopeEntries(claims['scope']),
    ...scopeEntries(claims['scp']),
    ...(options.extraClaim === undefined || options.extraClaim === '' ? [] : scopeEntries(claims[options.extraClaim])),
  ];
  const grants: Grant[] = [];
  const malformed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(options.prefix)) continue;
    const body = entry.slice(options.prefix.length);
    if (body.startsWith('tag:')) continue;
    const grant = parseGrant(entry, body);
    if (grant === undefined) malformed.push(entry);
    else grants.push(grant);
  }
  return { grants, malformed };
}

/** The grants of {@link readScopes}, without the report of malformed entries. */
export function parseScopes(claims: Readonly<Record<string, unknown>>, options: ScopeOptions): Grant[] {
  return [...readScopes(claims, options).grants];
}

function scopeEntries(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((entry) => entry !== '');
  if (Array.isArray(value)) {
    return value
      .filter((item): item is string => typeof item === 'string')
      .flatMap((item) => item.split(/\s+/))
      .filter((entry) => entry !== '');
  }
  return [];
}

function parseGrant(scope: string, body: string): Grant | undefined {
  const colon = body.indexOf(':');
  if (colon === -1) return undefined;
  const kind = body.slice(0, colon);
  if (!KINDS.has(kind)) return undefined;
  const parts = body
    .slice(colon + 1)
    .split('/')
    .map(percentDecode);
  if (parts.some((part) => part === undefined)) return undefined;
  const [vhost, name, routingKey] = parts as string[];
  if (vhost === undefined || vhost === '' || name === undefined || name === '') return undefined;
  // configure has no routing-key part; more than three parts means an unescaped '/'.
  if (parts.length > 3 || (parts.length === 3 && kind === 'configure')) return undefined;
  return {
    kind: kind as PermissionKind,
    vhost: new GlobPattern(vhost),
    name: new GlobPattern(name),
    ...(routingKey === undefined ? {} : { routingKey: new GlobPattern(routingKey) }),
    scope,
  };
}

function percentDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
