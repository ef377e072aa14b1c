/**
 * Every option of the gateway in one declarative table. The flag, the
 * `WARREN_<FLAG>` environment variable and the JSON file key all derive from
 * `name`; defaults are written as the text an operator would type, and parsed
 * by the same code that parses flags, so `--help` shows exactly what applies.
 */

/** How an option's text is parsed. */
export type OptionKind = 'string' | 'int' | 'bool' | 'duration' | 'size' | 'list' | 'enum';

/** One row of the option table. */
export interface OptionSpec {
  /** Flag name without the leading dashes, kebab-case. */
  readonly name: string;
  readonly kind: OptionKind;
  /** Default as text (parsed like a flag value); absent = unset. */
  readonly default?: string;
  readonly help: string;
  /** Allowed values of an `enum`. */
  readonly choices?: readonly string[];
  /** Inclusive bounds of an `int`, `size` or `duration` (in bytes or milliseconds). */
  readonly min?: number;
  readonly max?: number;
  /** Never echoed back in errors or help. */
  readonly secret?: boolean;
  /** Shown in help as the value placeholder. */
  readonly placeholder?: string;
}

/** The option table, in the order `--help` lists it. */
export const OPTIONS = [
  { name: 'config', kind: 'string', placeholder: 'FILE', help: 'JSON file of options (keys are flag names)' },
  { name: 'host', kind: 'string', default: '0.0.0.0', help: 'address to listen on' },
  { name: 'port', kind: 'int', default: '15680', min: 0, max: 65535, help: 'port to listen on (0 = any free port)' },
  { name: 'path', kind: 'string', default: '/amqp', help: 'WebSocket path' },
  {
    name: 'tls-cert',
    kind: 'string',
    placeholder: 'FILE',
    help: 'PEM certificate chain; with --tls-key serves wss://',
  },
  { name: 'tls-key', kind: 'string', placeholder: 'FILE', help: 'PEM private key for --tls-cert' },
  { name: 'transport', kind: 'enum', default: 'ws', choices: ['ws', 'uws'], help: 'WebSocket backend' },
  {
    name: 'broker',
    kind: 'list',
    default: 'amqp://guest:guest@127.0.0.1:5672',
    placeholder: 'URL[,URL…]',
    help: 'broker URLs (amqp:// or amqps://), tried in order; credentials are the gateway’s own account',
  },
  {
    name: 'broker-auth',
    kind: 'enum',
    default: 'service',
    choices: ['service', 'passthrough'],
    help: 'service: log in with the broker URL’s credentials; passthrough: send the browser’s JWT as the password',
  },
  { name: 'broker-ca', kind: 'string', placeholder: 'FILE', help: 'PEM CA bundle to verify amqps:// brokers' },
  {
    name: 'jwt-secret',
    kind: 'string',
    secret: true,
    placeholder: 'SECRET',
    help: 'HMAC secret (at least 32 bytes) for HS256/384/512 tokens',
  },
  {
    name: 'jwt-public-key',
    kind: 'string',
    placeholder: 'FILE',
    help: 'public key for RS/PS/ES/EdDSA tokens: PEM (SPKI or X.509 certificate), JWK or JWK Set JSON',
  },
  {
    name: 'jwks-url',
    kind: 'string',
    placeholder: 'URL',
    help: 'remote JWK Set (http/https), cached and refetched on unknown kid',
  },
  {
    name: 'jwks-cache-max-age',
    kind: 'duration',
    default: '10m',
    min: 0,
    help: 'how long fetched JWKS keys are trusted',
  },
  { name: 'jwks-cooldown', kind: 'duration', default: '30s', min: 0, help: 'least time between two JWKS fetches' },
  { name: 'jwks-timeout', kind: 'duration', default: '5s', min: 1, help: 'timeout of one JWKS fetch' },
  { name: 'jwt-issuer', kind: 'list', placeholder: 'ISS[,ISS…]', help: 'accepted `iss` values (unset = not checked)' },
  {
    name: 'jwt-audience',
    kind: 'list',
    placeholder: 'AUD[,AUD…]',
    help: 'accepted `aud` values (unset = not checked)',
  },
  {
    name: 'jwt-algorithms',
    kind: 'list',
    placeholder: 'ALG[,ALG…]',
    help: 'accepted `alg` values (unset = every algorithm of the configured keys; never `none`)',
  },
  {
    name: 'jwt-clock-tolerance',
    kind: 'duration',
    default: '5s',
    min: 0,
    max: 300_000,
    help: 'clock skew allowed on exp/nbf/iat',
  },
  { name: 'scope-prefix', kind: 'string', default: 'rabbitmq.', help: 'prefix of permission scopes' },
  {
    name: 'scope-claim',
    kind: 'string',
    placeholder: 'CLAIM',
    help: 'extra claim to read scopes from, besides scope and scp',
  },
  { name: 'token-cookie', kind: 'string', placeholder: 'NAME', help: 'cookie that carries the token at the upgrade' },
  {
    name: 'token-expiry-grace',
    kind: 'duration',
    default: '0s',
    min: 0,
    help: 'how long a session outlives its token’s exp before it is closed',
  },
  {
    name: 'allowed-origins',
    kind: 'list',
    default: '',
    placeholder: 'ORIGIN[,ORIGIN…]',
    help: 'browser origins (scheme://host[:port]) let in, or * for any; empty = none',
  },
  {
    name: 'trusted-proxies',
    kind: 'list',
    default: '',
    placeholder: 'IP[,IP…]',
    help: 'proxies whose X-Forwarded-For is believed',
  },
  {
    name: 'identity-header',
    kind: 'string',
    default: 'x-warren-user',
    help: 'message header the gateway sets to the token subject on every publish (pages cannot forge it)',
  },
  { name: 'max-sessions', kind: 'int', default: '10000', min: 1, help: 'sessions open at once' },
  { name: 'max-sessions-per-user', kind: 'int', default: '100', min: 1, help: 'sessions per token subject' },
  { name: 'max-sessions-per-ip', kind: 'int', default: '200', min: 1, help: 'sessions per client address' },
  { name: 'max-handshakes', kind: 'int', default: '1000', min: 1, help: 'unauthenticated connections at once' },
  { name: 'max-channels', kind: 'int', default: '128', min: 1, max: 65535, help: 'channels per session (channel_max)' },
  {
    name: 'max-frame-size',
    kind: 'size',
    default: '128KiB',
    min: 4096,
    max: 0xffffffff,
    help: 'frame_max the gateway negotiates with the browser',
  },
  {
    name: 'max-message-size',
    kind: 'size',
    default: '16MiB',
    min: 1,
    help: 'largest message body a browser may publish',
  },
  {
    name: 'max-preauth-frame-size',
    kind: 'size',
    default: '16KiB',
    min: 4096,
    help: 'largest frame accepted before the session is authenticated',
  },
  {
    name: 'handshake-timeout',
    kind: 'duration',
    default: '10s',
    min: 1,
    help: 'time allowed to finish the AMQP handshake',
  },
  {
    name: 'heartbeat',
    kind: 'duration',
    default: '60s',
    min: 0,
    max: 65_535_000,
    help: 'AMQP heartbeat offered to the browser (whole seconds; 0 = off)',
  },
  { name: 'ping-interval', kind: 'duration', default: '30s', min: 0, help: 'WebSocket ping to the browser (0 = off)' },
  {
    name: 'shutdown-timeout',
    kind: 'duration',
    default: '10s',
    min: 0,
    help: 'time sessions get to close on shutdown',
  },
  { name: 'publish-rate', kind: 'int', default: '0', min: 0, help: 'messages per second per session (0 = unlimited)' },
  {
    name: 'log-level',
    kind: 'enum',
    default: 'info',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    help: 'log level',
  },
] as const satisfies readonly OptionSpec[];

/** The name of every option. */
export type OptionName = (typeof OPTIONS)[number]['name'];

const byName = new Map<string, OptionSpec>(OPTIONS.map((spec) => [spec.name, spec]));

/** The table row for `name` (kebab-case), or undefined. */
export function findOption(name: string): OptionSpec | undefined {
  return byName.get(name);
}

/** `jwt-secret` → `WARREN_JWT_SECRET`. */
export function envName(name: string): string {
  return `WARREN_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** `jwtSecret` → `jwt-secret`; kebab-case names pass through. */
export function kebabName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
