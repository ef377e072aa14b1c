import { authorize, authorizeVhost } from '../policy/authorize.js';
import { Permissions } from '../policy/permissions.js';
import { parseScopes, type ScopeOptions } from '../policy/scopes.js';
import type { Authorizer } from './authorizer.js';
import type { SessionToken } from './session.js';

/** The {@link Authorizer} for one token: its scopes, checked against RabbitMQ's access-control table. */
export function createTokenAuthorizer(token: SessionToken, options: ScopeOptions): Authorizer {
  const permissions = new Permissions(parseScopes(token.claims, options));
  return {
    authorize: (method, vhost, lastQueue) => {
      const denial = authorize(method, vhost, permissions, token.subject, { lastQueue });
      return denial === undefined ? undefined : { replyCode: denial.replyCode, replyText: denial.reason };
    },
    refuseVhost: (vhost) => {
      const denial = authorizeVhost(vhost, permissions, token.subject);
      return denial === undefined ? undefined : { replyCode: denial.replyCode, replyText: denial.reason };
    },
  };
}
