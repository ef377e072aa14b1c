import { SignJWT } from 'jose';
import { NAME_PATTERN, type ChatNames } from './chat-model.js';

/** Issuer and audience the demo's tokens carry and its gateway demands. */
export const DEMO_ISSUER = 'warren-demo';
export const DEMO_AUDIENCE = 'warren-demo';

/**
 * The scopes of a chat user, in the RabbitMQ OAuth2 grammar (vhost `/` as `%2F`):
 * publish to the chat exchange only on room, presence and typing keys; bind
 * and consume only their own `chat.user.<name>.*` queues, and bind those only
 * to presence and typing keys; read the rooms' history streams.
 */
export function chatScopes(names: ChatNames, user: string, prefix = 'rabbitmq.'): string[] {
  const own = `${names.userQueuePrefix(user)}*`;
  return [
    ...['room', 'presence', 'typing'].map((kind) => `${prefix}write:%2F/${names.exchange}/${kind}.*`),
    ...['presence', 'typing'].map((kind) => `${prefix}read:%2F/${names.exchange}/${kind}.*`),
    `${prefix}configure:%2F/${own}`,
    `${prefix}write:%2F/${own}`,
    `${prefix}read:%2F/${own}`,
    `${prefix}read:%2F/${names.historyStream('*')}`,
  ];
}

/** Mints short-lived chat tokens with the demo's random secret. */
export class TokenMint {
  private readonly key: Uint8Array;

  constructor(
    private readonly names: ChatNames,
    secret: string,
    /** Token lifetime in milliseconds. */
    private readonly lifetimeMs: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A signed JWT for `user`, or undefined when the name is not allowed. */
  async mint(user: string): Promise<{ token: string; expiresAt: number } | undefined> {
    if (!NAME_PATTERN.test(user)) return undefined;
    const now = Date.now();
    const expiresAt = now + this.lifetimeMs;
    const token = await new SignJWT({ scope: chatScopes(this.names, user).join(' ') })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user)
      .setIssuer(DEMO_ISSUER)
      .setAudience(DEMO_AUDIENCE)
      .setIssuedAt(Math.floor(now / 1000))
      // Whole seconds in the claim; round up so a 1.5 s lifetime is not 1 s.
      .setExpirationTime(Math.ceil(expiresAt / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }
}
