import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../server/config/index.js';
import { startGateway as start, type Gateway } from '../../server/gateway.js';

export interface TestGateway {
  readonly gateway: Gateway;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/amqp` */
  readonly url: string;
  readonly secret: string;
  /** Signs a token: `sub` 'alice', full access to vhost `/`, one hour, unless overridden. */
  token(claims?: TokenClaims): Promise<string>;
  stop(): Promise<void>;
}

export interface TokenClaims extends JWTPayload {
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
}

/** Full access to vhost `/`, as RabbitMQ OAuth2 scopes. */
export const ALL_SCOPES = 'rabbitmq.configure:%2F/* rabbitmq.write:%2F/* rabbitmq.read:%2F/*';

/**
 * Starts a real gateway on a free port in front of the local RabbitMQ, with an
 * HS256 secret of its own. `flags` are extra command-line flags; `options.log`
 * replaces the (silent) logger, for tests that read the gateway's log lines.
 */
export async function startTestGateway(
  flags: string[] = [],
  options: { log?: Logger; /** Share another gateway's token secret. */ secret?: string } = {},
): Promise<TestGateway> {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const config = loadConfig(
    ['--port', '0', '--host', '127.0.0.1', '--jwt-secret', secret, '--allowed-origins', '*', ...flags],
    {},
  );
  const log = options.log ?? pino({ level: process.env['WARREN_TEST_LOG'] ?? 'silent' });
  const gateway = await start(config, { log });
  return {
    gateway,
    port: gateway.port,
    url: `ws://127.0.0.1:${gateway.port}/amqp`,
    secret,
    token: (claims = {}) => signToken(secret, claims),
    stop: () => gateway.shutdown(),
  };
}

/** An HS256 token signed with `secret`. */
export async function signToken(secret: string, claims: TokenClaims = {}): Promise<string> {
  const { expiresIn = 3600, ...rest } = claims;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'alice', scope: ALL_SCOPES, ...rest })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(secret));
}
