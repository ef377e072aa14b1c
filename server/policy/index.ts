/** Permission policy: scopes → grants → per-method authorization. */
export {
  DEFAULT_EXCHANGE_NAME,
  SERVER_NAMED_QUEUE_PROBE,
  checkReservedName,
  requiredAccess,
  type Access,
  type AccessContext,
} from './access-control.js';
export { authorize, authorizeVhost, replyText, type Denial, type VhostDenial } from './authorize.js';
export { GlobPattern } from './glob.js';
export { Permissions } from './permissions.js';
export {
  parseScopes,
  readScopes,
  type Grant,
  type PermissionKind,
  type ScopeOptions,
  type ScopeReport,
} from './scopes.js';
