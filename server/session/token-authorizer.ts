import { authorize, authorizeVhost } from '../policy/authorize.js';
import type { Permissions } from '../policy/permissions.js';
import type { ScopeOptions } from '../policy/scopes.js';
import { permissionsFor } from '../policy/permissions-cache.js';
import type { Authorizer, Denial } from './authorizer.js';
import type { SessionToken } from './session.js';

/** The {@link Authorizer} for one token: its scopes, checked against RabbitMQ's access-control table. */
export function createTokenAuthorizer(token: SessionToken, options: ScopeOptions): Authorizer {
  return new TokenAuthorizer(permissionsFor(token.claims, options), token.subject);
}

/** Keeps what the token granted and whose it is, not the token itself. */
class TokenAuthorizer implements Authorizer {
  constructor(
    private readonly permissions: Permissions,
    private readonly subject: string,
  ) {}

  authorize(method: Parameters<Authorizer['authorize']>[0], vhost: string, lastQueue: string): Denial | undefined {
    const denial = authorize(method, vhost, this.permissions, this.subject, { lastQueue });
    return denial === undefined ? undefined : { replyCode: denial.replyCode, replyText: denial.reason };
  }

  refuseVhost(vhost: string): Denial | undefined {
    const denial = authorizeVhost(vhost, this.permissions, this.subject);
    return denial === undefined ? undefined : { replyCode: denial.replyCode, replyText: denial.reason };
  }
}
