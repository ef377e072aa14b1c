/** Stable codes of the reasons a token is refused. */
export const AuthErrorCode = {
  /** No token was presented. */
  Missing: 'ERR_TOKEN_MISSING',
  /** Not a compact JWS, or a SASL response of the wrong shape. */
  Malformed: 'ERR_TOKEN_MALFORMED',
  /** `exp` has passed (beyond the clock tolerance). */
  Expired: 'ERR_TOKEN_EXPIRED',
  /** `nbf` (or `iat`) lies in the future. */
  NotYetValid: 'ERR_TOKEN_NOT_YET_VALID',
  /** The signature does not verify with the configured key. */
  Signature: 'ERR_TOKEN_SIGNATURE',
  /** The `alg` is not allowed (`none`, or HS* with an asymmetric key…). */
  Algorithm: 'ERR_TOKEN_ALGORITHM',
  /** A required claim is missing or fails its check (`sub`, `exp`, `iss`, `aud`…); see `claim`. */
  Claim: 'ERR_TOKEN_CLAIM',
  /** No key to verify with: no JWKS key matches the `kid`, or the JWKS could not be fetched. */
  KeyUnavailable: 'ERR_TOKEN_KEY_UNAVAILABLE',
  /** A refreshed token names a different subject than the session's. */
  SubjectMismatch: 'ERR_TOKEN_SUBJECT_MISMATCH',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/**
 * A token the gateway refuses. `reason` is safe to send to the client (in a
 * 401 body or a 403 reply text): it never contains the token or key material.
 * `claim` names the offending claim for `ERR_TOKEN_CLAIM` and friends.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  readonly reason: string;
  readonly claim: string | undefined;

  constructor(code: AuthErrorCode, reason: string, options: { claim?: string | undefined; cause?: unknown } = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.claim = options.claim;
  }
}
