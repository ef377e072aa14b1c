/** How tokens are verified; the input of `createTokenVerifier`. */
export interface JwtConfig {
  /** HMAC secret for HS256/384/512, as UTF-8 text (at least 32 bytes). */
  readonly secret?: string;
  /** PEM (SPKI or X.509 certificate), JWK or JWK Set JSON file with the public key(s). */
  readonly publicKeyFile?: string;
  /** Remote JWK Set. */
  readonly jwksUrl?: URL;
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksTimeoutMs: number;
  /** Accepted `iss` values; undefined = not checked. */
  readonly issuer?: readonly string[];
  /** Accepted `aud` values; undefined = not checked. */
  readonly audience?: readonly string[];
  /** Accepted `alg` values; undefined = every algorithm the configured keys can verify. */
  readonly algorithms?: readonly string[];
  /** Clock skew allowed on exp/nbf/iat, in seconds. */
  readonly clockToleranceSec: number;
}

/** Serving `wss://`. */
export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Log levels pino knows. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The gateway's whole configuration, parsed and validated. Durations in ms unless named `…Sec`; sizes in bytes. */
export interface GatewayConfig {
  /** The `--config` file read, if any. */
  readonly configFile?: string;
  readonly host: string;
  readonly port: number;
  /** WebSocket path, starting with `/`. */
  readonly path: string;
  readonly tls?: TlsConfig;
  readonly transport: 'ws' | 'uws';
  /** Tried in order; at least one. Protocol `amqp:` or `amqps:`. */
  readonly brokers: readonly URL[];
  readonly brokerAuth: 'service' | 'passthrough';
  readonly brokerCaFile?: string;
  readonly jwt: JwtConfig;
  readonly scopePrefix: string;
  /** Extra claim read for scopes besides `scope` and `scp`. */
  readonly scopeClaim?: string;
  readonly tokenCookie?: string;
  readonly tokenExpiryGraceMs: number;
  /** Normalised origins (`https://app.example.com`), or `['*']`; empty = no browser origin is let in. */
  readonly allowedOrigins: readonly string[];
  /** IP addresses whose `X-Forwarded-For` is believed. */
  readonly trustedProxies: readonly string[];
  /** Lower-case header name. */
  readonly identityHeader: string;
  readonly maxSessions: number;
  readonly maxSessionsPerUser: number;
  readonly maxSessionsPerIp: number;
  readonly maxHandshakes: number;
  readonly maxChannels: number;
  readonly maxFrameSize: number;
  readonly maxMessageSize: number;
  readonly maxPreauthFrameSize: number;
  readonly handshakeTimeoutMs: number;
  /** AMQP heartbeat in seconds; 0 = off. */
  readonly heartbeatSec: number;
  readonly pingIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  /** Messages per second per session; 0 = unlimited. */
  readonly publishRate: number;
  readonly logLevel: LogLevel;
}
