import { ReplyCode } from '../shared/index.js';
import type { Session } from './session/session.js';
import type { Denial } from './session/authorizer.js';

export interface SessionLimits {
  readonly maxSessions: number;
  readonly maxSessionsPerUser: number;
  readonly maxSessionsPerIp: number;
  readonly maxHandshakes: number;
}

/** Why an upgrade is turned away before any AMQP is spoken. */
export interface CapacityRefusal {
  readonly status: 429 | 503;
  readonly reason: string;
}

/**
 * Every live session, and the counts the limits are checked against: in total,
 * per client IP, per authenticated user, and still handshaking.
 */
export class SessionRegistry {
  private readonly sessions = new Set<Session>();
  private readonly perIp = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  private readonly users = new Map<Session, string>();
  private readonly handshaking = new Set<Session>();

  constructor(private readonly limits: SessionLimits) {}

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Whether one more connection from `ip` may start; checked before the upgrade completes. */
  checkCapacity(ip: string): CapacityRefusal | undefined {
    if (this.sessions.size >= this.limits.maxSessions) {
      return { status: 503, reason: 'Service Unavailable: session limit reached' };
    }
    if (this.handshaking.size >= this.limits.maxHandshakes) {
      return { status: 503, reason: 'Service Unavailable: too many handshakes in progress' };
    }
    if ((this.perIp.get(ip) ?? 0) >= this.limits.maxSessionsPerIp) {
      return { status: 429, reason: 'Too Many Requests: session limit for this address reached' };
    }
    return undefined;
  }

  add(session: Session): void {
    this.sessions.add(session);
    this.handshaking.add(session);
    increment(this.perIp, session.remoteAddress);
  }

  /** The session finished its handshake. */
  opened(session: Session): void {
    this.handshaking.delete(session);
  }

  /** Admits an authenticated user, or says which limit refuses them. */
  admit(session: Session, subject: string): Denial | undefined {
    if ((this.perUser.get(subject) ?? 0) >= this.limits.maxSessionsPerUser) {
      return {
        replyCode: ReplyCode.NotAllowed,
        replyText: `NOT_ALLOWED - user '${subject}' has reached the limit of ${this.limits.maxSessionsPerUser} sessions`,
      };
    }
    increment(this.perUser, subject);
    this.users.set(session, subject);
    return undefined;
  }

  remove(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.handshaking.delete(session);
    decrement(this.perIp, session.remoteAddress);
    const user = this.users.get(session);
    if (user !== undefined) {
      this.users.delete(session);
      decrement(this.perUser, user);
    }
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
