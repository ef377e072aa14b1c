import { accessSync, constants as fsConstants } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';
import type { GatewayConfig, JwtConfig, LogLevel } from './gateway-config.js';
import { OPTIONS, type OptionName } from './options.js';
import { parseOptionValue, type OptionValue } from './parse-value.js';
import { readConfigFile, readEnv, readFlags, type RawValue } from './read-sources.js';

/** Algorithms a configured HMAC secret can verify. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** Algorithms a public key or a JWK Set can verify. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

// RFC 7230 token characters: what a header or cookie name may contain.
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Builds the gateway's configuration from command-line flags, `WARREN_<FLAG>`
 * environment variables, the JSON file named by `--config` (or
 * `WARREN_CONFIG`) and the defaults of the option table, in that order of
 * precedence, then validates it as a whole.
 *
 * `argv` is the arguments after the script (`process.argv.slice(2)`). Handle
 * `--help` first with {@link wantsHelp}: a bare `--help` is an unknown option here.
 *
 * @throws {ConfigError} `ERR_CONFIG` naming the option and where its value came from.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig {
  const flags = readFlags(argv);
  const fromEnv = readEnv(env);
  const configRaw = flags.get('config') ?? fromEnv.get('config');
  const configFile = typeof configRaw?.value === 'string' && configRaw.value !== '' ? configRaw.value : undefined;
  const fromFile = configFile === undefined ? new Map<string, RawValue>() : readConfigFile(configFile);

  const values = new Map<string, { value: OptionValue; raw: RawValue }>();
  for (const spec of OPTIONS) {
    const def: string | undefined = 'default' in spec ? spec.default : undefined;
    const raw =
      flags.get(spec.name) ??
      fromEnv.get(spec.name) ??
      fromFile.get(spec.name) ??
      (def === undefined ? undefined : { value: def, source: 'default' as const, origin: `default of --${spec.name}` });
    if (raw !== undefined) values.set(spec.name, { value: parseOptionValue(spec, raw), raw });
  }
  return buildConfig(new OptionValues(values), configFile);
}

/** Typed reads of the parsed values, and errors that point at where a value came from. */
class OptionValues {
  constructor(private readonly values: ReadonlyMap<string, { value: OptionValue; raw: RawValue }>) {}

  text(name: OptionName): string | undefined {
    const value = this.values.get(name)?.value;
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  number(name: OptionName): number {
    const value = this.values.get(name)?.value;
    if (typeof value !== 'number') throw new Error(`option table has no numeric default for ${name}`);
    return value;
  }

  list(name: OptionName): readonly string[] | undefined {
    const value = this.values.get(name)?.value;
    return Array.isArray(value) ? (value as readonly string[]) : undefined;
  }

  error(name: OptionName, why: string, value?: string): ConfigError {
    const raw = this.values.get(name)?.raw;
    const where = raw === undefined ? `--${name}` : raw.origin;
    return new ConfigError(name, `${where}: ${why}`, { value, source: raw?.source });
  }
}

function buildConfig(o: OptionValues, configFile: string | undefined): GatewayConfig {
  const path = o.text('path') ?? '/';
  if (!path.startsWith('/')) throw o.error('path', 'must start with /', path);

  const heartbeatMs = o.number('heartbeat');
  if (heartbeatMs % 1000 !== 0) throw o.error('heartbeat', 'must be whole seconds', `${heartbeatMs}ms`);

  const tlsCert = o.text('tls-cert');
  const tlsKey = o.text('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw o.error(tlsCert === undefined ? 'tls-cert' : 'tls-key', '--tls-cert and --tls-key go together');
  }
  for (const file of ['tls-cert', 'tls-key', 'broker-ca', 'jwt-public-key'] as const) requireReadable(o, file);

  const identityHeader = (o.text('identity-header') ?? '').toLowerCase();
  if (!HTTP_TOKEN.test(identityHeader)) throw o.error('identity-header', 'is not a header name', identityHeader);
  const tokenCookie = o.text('token-cookie');
  if (tokenCookie !== undefined && !HTTP_TOKEN.test(tokenCookie)) {
    throw o.error('token-cookie', 'is not a cookie name', tokenCookie);
  }
  const scopeClaim = o.text('scope-claim');
  const brokerCaFile = o.text('broker-ca');

  return {
    ...(configFile === undefined ? {} : { configFile }),
    host: o.text('host') ?? '0.0.0.0',
    port: o.number('port'),
    path,
    ...(tlsCert !== undefined && tlsKey !== undefined ? { tls: { certFile: tlsCert, keyFile: tlsKey } } : {}),
    transport: o.text('transport') === 'uws' ? 'uws' : 'ws',
    brokers: brokerUrls(o),
    brokerAuth: o.text('broker-auth') === 'passthrough' ? 'passthrough' : 'service',
    ...(brokerCaFile === undefined ? {} : { brokerCaFile }),
    jwt: jwtConfig(o),
    scopePrefix: o.text('scope-prefix') ?? '',
    ...(scopeClaim === undefined ? {} : { scopeClaim }),
    ...(tokenCookie === undefined ? {} : { tokenCookie }),
    tokenExpiryGraceMs: o.number('token-expiry-grace'),
    allowedOrigins: allowedOrigins(o),
    trustedProxies: trustedProxies(o),
    identityHeader,
    maxSessions: o.number('max-sessions'),
    maxSessionsPerUser: o.number('max-sessions-per-user'),
    maxSessionsPerIp: o.number('max-sessions-per-ip'),
    maxHandshakes: o.number('max-handshakes'),
    maxChannels: o.number('max-channels'),
    maxFrameSize: o.number('max-frame-size'),
    maxMessageSize: o.number('max-message-size'),
    maxPreauthFrameSize: o.number('max-preauth-frame-size'),
    handshakeTimeoutMs: o.number('handshake-timeout'),
    heartbeatSec: heartbeatMs / 1000,
    pingIntervalMs: o.number('ping-interval'),
    shutdownTimeoutMs: o.number('shutdown-timeout'),
    publishRate: o.number('publish-rate'),
    logLevel: (o.text('log-level') ?? 'info') as LogLevel,
  };
}

function jwtConfig(o: OptionValues): JwtConfig {
  const secret = o.text('jwt-secret');
  const publicKeyFile = o.text('jwt-public-key');
  const jwksText = o.text('jwks-url');
  if (secret === undefined && publicKeyFile === undefined && jwksText === undefined) {
    throw new ConfigError(
      'jwt-secret',
      'no way to verify tokens: set --jwt-secret, --jwt-public-key or --jwks-url (or WARREN_JWT_SECRET, …)',
    );
  }
  if (publicKeyFile !== undefined && jwksText !== undefined) {
    throw o.error('jwks-url', 'use either --jwt-public-key or --jwks-url, not both', jwksText);
  }
  // A short HMAC secret can be brute-forced offline from any one token.
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < 32) {
    throw o.error('jwt-secret', 'must be at least 32 bytes');
  }
  let jwksUrl: URL | undefined;
  if (jwksText !== undefined) {
    jwksUrl = URL.canParse(jwksText) ? new URL(jwksText) : undefined;
    if (jwksUrl === undefined || (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:')) {
      throw o.error('jwks-url', 'must be an http:// or https:// URL', jwksText);
    }
  }
  const algorithms = o.list('jwt-algorithms');
  if (algorithms !== undefined) {
    if (algorithms.length === 0) throw o.error('jwt-algorithms', 'must name at least one algorithm');
    for (const alg of algorithms) {
      const hmac = (HMAC_ALGORITHMS as readonly string[]).includes(alg);
      const asymmetric = (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
      if (!hmac && !asymmetric) {
        throw o.error('jwt-algorithms', `unsupported algorithm '${alg}' (never none)`, alg);
      }
      if (hmac && secret === undefined) throw o.error('jwt-algorithms', `${alg} needs --jwt-secret`, alg);
      if (asymmetric && publicKeyFile === undefined && jwksUrl === undefined) {
        throw o.error('jwt-algorithms', `${alg} needs --jwt-public-key or --jwks-url`, alg);
      }
    }
  }
  const issuer = o.list('jwt-issuer');
  const audience = o.list('jwt-audience');
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(publicKeyFile === undefined ? {} : { publicKeyFile }),
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    jwksCacheMaxAgeMs: o.number('jwks-cache-max-age'),
    jwksCooldownMs: o.number('jwks-cooldown'),
    jwksTimeoutMs: o.number('jwks-timeout'),
    ...(issuer === undefined || issuer.length === 0 ? {} : { issuer }),
    ...(audience === undefined || audience.length === 0 ? {} : { audience }),
    ...(algorithms === undefined ? {} : { algorithms }),
    clockToleranceSec: o.number('jwt-clock-tolerance') / 1000,
  };
}

function brokerUrls(o: OptionValues): readonly URL[] {
  const texts = o.list('broker') ?? [];
  if (texts.length === 0) throw o.error('broker', 'needs at least one broker URL');
  return texts.map((text) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url === undefined || (url.protocol !== 'amqp:' && url.protocol !== 'amqps:')) {
      // The URL may hold the gateway's broker password: show only its scheme.
      throw o.error('broker', `'${text.split(':')[0]}:…' is not an amqp:// or amqps:// URL`);
    }
    return url;
  });
}

function allowedOrigins(o: OptionValues): readonly string[] {
  const texts = o.list('allowed-origins') ?? [];
  if (texts.includes('*')) {
    if (texts.length > 1) throw o.error('allowed-origins', '* cannot be combined with other origins', texts.join(','));
    return ['*'];
  }
  return texts.map((text) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    // An origin has no path, query, fragment or credentials; compare without the trailing slash URL adds.
    const exact = url !== undefined && url.origin !== 'null' && url.origin === text.toLowerCase().replace(/\/$/, '');
    if (!exact || url === undefined) {
      throw o.error('allowed-origins', `'${text}' is not scheme://host[:port] or *`, text);
    }
    return url.origin;
  });
}

function trustedProxies(o: OptionValues): readonly string[] {
  const texts = o.list('trusted-proxies') ?? [];
  for (const text of texts) {
    if (isIP(text) === 0) throw o.error('trusted-proxies', `'${text}' is not an IP address`, text);
  }
  return texts;
}

function requireReadable(o: OptionValues, name: OptionName): void {
  const file = o.text(name);
  if (file === undefined) return;
  try {
    accessSync(file, fsConstants.R_OK);
  } catch (cause) {
    const error = o.error(name, `cannot read file ${file}`, file);
    throw new ConfigError(error.option, error.message, { value: file, source: error.source, cause });
  }
}
