/** Token verification and the places a token arrives from. */
export { AuthError, AuthErrorCode } from './auth-errors.js';
export {
  checkSameSubject,
  createTokenVerifier,
  toAuthError,
  type TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
} from './token-verifier.js';
export { extractUpgradeToken, parsePlainResponse, type UpgradeRequestLike } from './token-sources.js';
export { algorithmsForKey, loadPublicKeyFile, type PublicKeyMaterial } from './verification-keys.js';
