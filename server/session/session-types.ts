import type { Logger } from 'pino';
import type { Authorizer, Denial } from './authorizer.js';
import type { Session } from './session.js';

/** A token that passed verification. */
export interface SessionToken {
  readonly subject: string;
  /** Milliseconds since the epoch; undefined when the token does not expire. */
  readonly expiresAt: number | undefined;
  /** The raw JWT, kept only to hand to the broker in passthrough mode. Never logged. */
  readonly jwt: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A token check failure: `code` is stable, `reason` is safe to show the browser. */
export interface TokenFailure {
  readonly code: string;
  readonly reason: string;
}

export interface SessionSettings {
  readonly version: string;
  readonly brokers: readonly URL[];
  readonly brokerAuth: 'service' | 'passthrough';
  readonly brokerCa: string | undefined;
  readonly brokerConnectTimeoutMs: number;
  readonly brokerHeartbeatSec: number;
  readonly maxFrameSize: number;
  readonly maxChannels: number;
  readonly heartbeatSec: number;
  readonly handshakeTimeoutMs: number;
  readonly maxMessageSize: number;
  readonly maxPreauthFrameSize: number;
  /** Messages per second a session may publish; 0 = unlimited. */
  readonly publishRate: number;
  readonly identityHeader: string;
  readonly tokenExpiryGraceMs: number;
  readonly closeTimeoutMs: number;
  /** `bufferedAmount` above which the broker socket stops being read. */
  readonly browserHighWaterMark: number;
  /**
   * Bytes waiting to be written to the broker above which the WebSocket stops
   * being read. Node's default for a socket, 16 KiB, is less than one batch
   * of a client that sends many publishes per message.
   */
  readonly brokerHighWaterMark: number;
}

/** What a session asks of the gateway around it. */
export interface SessionServices {
  readonly settings: SessionSettings;
  readonly log: Logger;
  verifyToken(jwt: string): Promise<SessionToken | TokenFailure>;
  authorizerFor(token: SessionToken): Authorizer;
  /** Admission after authentication (per-user limits); a denial closes the session. */
  admit(session: Session, token: SessionToken): Denial | undefined;
  /** Everything metrics and the session registry want to know, with the session it happened to. */
  observe(event: SessionEvent, session: Session): void;
}

export type SessionEvent =
  | { type: 'auth-failed'; code: string }
  | { type: 'broker-connected'; ms: number; url: URL }
  | { type: 'broker-failover'; url: URL }
  | { type: 'opened'; handshakeMs: number }
  | { type: 'denied'; method: string }
  | { type: 'backpressure'; direction: 'to-browser' | 'to-broker' | 'publish-rate' }
  | { type: 'traffic'; direction: 'in' | 'out'; frames: number; bytes: number }
  | { type: 'ended'; outcome: string };
