import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWSHeaderParameters } from 'jose';
import { ConfigError } from '../config/config-error.js';
import type { JwtConfig } from '../config/gateway-config.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from '../config/load-config.js';
import { AuthError, AuthErrorCode } from './auth-errors.js';
import { loadPublicKeyFile, type KeyResolver, type PublicKeyMaterial } from './verification-keys.js';

/** A token whose signature and claims checked out. */
export interface VerifiedToken {
  /** The `sub` claim: the user the session acts for. */
  readonly subject: string;
  /** `exp` in milliseconds since the epoch; always present, since tokens without `exp` are refused. */
  readonly expiresAt: number;
  /** The `alg` it was signed with. */
  readonly algorithm: string;
  readonly claims: JWTPayload;
}

/** Verifies JWTs against the configured keys and claim checks. */
export interface TokenVerifier {
  /**
   * @throws {AuthError} with a code saying why the token is refused; `reason` is safe to show the client.
   */
  verify(token: string): Promise<VerifiedToken>;
  /** The algorithms accepted, for logs. */
  readonly algorithms: readonly string[];
}

/** What {@link createTokenVerifier} needs: the `jwt` part of the gateway config; JWKS timings default to jose's. */
export type TokenVerifierOptions = Pick<JwtConfig, 'clockToleranceSec'> &
  Partial<Omit<JwtConfig, 'clockToleranceSec'>> & {
    /** Longest token accepted, in characters (default 16384); longer ones are refused before parsing. */
    readonly maxTokenLength?: number;
  };

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const HMAC = new Set<string>(HMAC_ALGORITHMS);

/**
 * Builds a verifier from the configured keys: an HMAC secret for HS*, a public
 * key file for RS/PS/ES/EdDSA, or a remote JWK Set (cached for
 * `jwksCacheMaxAgeMs`; a token with an unknown `kid` triggers a refetch at most
 * once per `jwksCooldownMs`, which is how key rotation is picked up).
 *
 * The algorithm allowlist is `algorithms` if given, else every algorithm the
 * configured keys can verify; `none` is never accepted, and the key for a token
 * is chosen by its `alg` family, so an HS256 token "signed" with the public
 * key's bytes is checked against the secret (or refused), never against the key.
 * Every token must carry `exp` and a non-empty string `sub`.
 *
 * @throws {ConfigError} when no key is configured or an algorithm does not fit the keys.
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const secret = options.secret === undefined ? undefined : createSecretKey(Buffer.from(options.secret, 'utf8'));
  let asymmetric: { resolve: KeyResolver | KeyObject; algorithms: readonly string[] } | undefined;
  if (options.publicKeyFile !== undefined) {
    const material: PublicKeyMaterial = await loadPublicKeyFile(options.publicKeyFile);
    asymmetric = {
      resolve: material.kind === 'key' ? material.key : material.resolve,
      algorithms: material.algorithms,
    };
  } else if (options.jwksUrl !== undefined) {
    const remote = createRemoteJWKSet(options.jwksUrl, {
      ...(options.jwksCacheMaxAgeMs === undefined ? {} : { cacheMaxAge: options.jwksCacheMaxAgeMs }),
      ...(options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs }),
      ...(options.jwksTimeoutMs === undefined ? {} : { timeoutDuration: options.jwksTimeoutMs }),
    });
    asymmetric = { resolve: remote, algorithms: [...ASYMMETRIC_ALGORITHMS] };
  }
  if (secret === undefined && asymmetric === undefined) {
    throw new ConfigError('jwt-secret', 'no way to verify tokens: set --jwt-secret, --jwt-public-key or --jwks-url');
  }
  const available = [...(secret === undefined ? [] : HMAC_ALGORITHMS), ...(asymmetric?.algorithms ?? [])];
  const algorithms = options.algorithms ?? available;
  for (const alg of algorithms) {
    if (!available.includes(alg)) {
      throw new ConfigError('jwt-algorithms', `--jwt-algorithms: no configured key can verify ${alg}`, { value: alg });
    }
  }

  const keyFor = async (header: JWSHeaderParameters, token: Parameters<KeyResolver>[1]) => {
    // Choosing the key by alg family is what defeats HS/RS confusion.
    if (header.alg !== undefined && HMAC.has(header.alg)) {
      if (secret === undefined) throw new AuthError(AuthErrorCode.Algorithm, 'token algorithm is not allowed');
      return secret;
    }
    if (asymmetric === undefined) throw new AuthError(AuthErrorCode.Algorithm, 'token algorithm is not allowed');
    return typeof asymmetric.resolve === 'function' ? asymmetric.resolve(header, token) : asymmetric.resolve;
  };
  const maxTokenLength = options.maxTokenLength ?? 16_384;

  return {
    algorithms,
    async verify(token: string): Promise<VerifiedToken> {
      if (typeof token !== 'string' || token === '') throw new AuthError(AuthErrorCode.Missing, 'no token presented');
      if (token.length > maxTokenLength || !COMPACT_JWS.test(token)) {
        throw new AuthError(AuthErrorCode.Malformed, 'token is not a compact JWT');
      }
      let verified: Awaited<ReturnType<typeof jwtVerify>>;
      try {
        verified = await jwtVerify(token, keyFor, {
          algorithms: [...algorithms],
          clockTolerance: options.clockToleranceSec,
          requiredClaims: ['exp', 'sub'],
          ...(options.issuer === undefined ? {} : { issuer: [...options.issuer] }),
          ...(options.audience === undefined ? {} : { audience: [...options.audience] }),
        });
      } catch (error) {
        throw toAuthError(error);
      }
      const { payload, protectedHeader } = verified;
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new AuthError(AuthErrorCode.Claim, "token claim 'sub' must be a non-empty string", { claim: 'sub' });
      }
      return {
        subject: payload.sub,
        expiresAt: (payload.exp ?? 0) * 1000,
        algorithm: protectedHeader.alg,
        claims: payload,
      };
    },
  };
}

/**
 * Refuses a refreshed token (`connection.update-secret`) that names another user.
 *
 * @throws {AuthError} `ERR_TOKEN_SUBJECT_MISMATCH`.
 */
export function checkSameSubject(sessionSubject: string, refreshed: VerifiedToken): void {
  if (refreshed.subject !== sessionSubject) {
    throw new AuthError(AuthErrorCode.SubjectMismatch, "refreshed token names a different subject ('sub')", {
      claim: 'sub',
    });
  }
}

/** Maps jose's errors, by their stable `code`, onto the gateway's. */
export function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const options = { cause: error };
  switch (code) {
    case joseErrors.JWTExpired.code:
      return new AuthError(AuthErrorCode.Expired, 'token has expired', { ...options, claim: 'exp' });
    case joseErrors.JWTClaimValidationFailed.code: {
      const { claim, reason } = error as joseErrors.JWTClaimValidationFailed;
      if (claim === 'nbf' && reason === 'check_failed') {
        return new AuthError(AuthErrorCode.NotYetValid, 'token is not valid yet', { ...options, claim });
      }
      const why = reason === 'missing' ? 'is missing' : reason === 'invalid' ? 'is invalid' : 'is not accepted';
      return new AuthError(AuthErrorCode.Claim, `token claim '${claim}' ${why}`, { ...options, claim });
    }
    case joseErrors.JWSSignatureVerificationFailed.code:
      return new AuthError(AuthErrorCode.Signature, 'token signature does not verify', options);
    case joseErrors.JOSEAlgNotAllowed.code:
    case joseErrors.JOSENotSupported.code:
      return new AuthError(AuthErrorCode.Algorithm, 'token algorithm is not allowed', options);
    case joseErrors.JWSInvalid.code:
    case joseErrors.JWTInvalid.code:
      return new AuthError(AuthErrorCode.Malformed, 'token is not a valid JWT', options);
    case joseErrors.JWKSNoMatchingKey.code:
    case joseErrors.JWKSMultipleMatchingKeys.code:
      return new AuthError(AuthErrorCode.KeyUnavailable, 'no key matches the token', options);
    default:
      // JWKS timeouts, unreachable or invalid key sets, and anything unforeseen: the key could not be had.
      return new AuthError(AuthErrorCode.KeyUnavailable, 'token verification key is unavailable', options);
  }
}
