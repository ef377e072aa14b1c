import type { Authorizer } from './authorizer.js';
import type { SessionServices } from './session-types.js';

/** What a token sent in connection.update-secret comes to. */
export type RefreshOutcome =
  | { readonly accepted: true; readonly authorizer: Authorizer; readonly expiresAt: number | undefined }
  | {
      readonly accepted: false;
      /** The 403's reply text. */
      readonly replyText: string;
      /** The authentication failure to count, when there is one. */
      readonly failure?: string;
    };

/**
 * Judges a refreshed token against the live session: it must verify, name the
 * session's subject and grant the session's vhost. The permissions it carries
 * replace the old ones only when all three hold.
 */
export async function judgeRefresh(
  services: SessionServices,
  jwt: string,
  subject: string,
  vhost: string,
): Promise<RefreshOutcome> {
  const verified = await services.verifyToken(jwt);
  if (!('subject' in verified)) {
    return {
      accepted: false,
      failure: verified.code,
      replyText: `ACCESS_REFUSED - token refresh refused: ${verified.reason}`,
    };
  }
  if (verified.subject !== subject) {
    return {
      accepted: false,
      failure: 'ERR_TOKEN_SUBJECT_MISMATCH',
      replyText: 'ACCESS_REFUSED - token refresh refused: the new token names another subject',
    };
  }
  const authorizer = services.authorizerFor(verified);
  if (authorizer.refuseVhost(vhost) !== undefined) {
    return { accepted: false, replyText: `ACCESS_REFUSED - the new token does not grant vhost '${vhost}'` };
  }
  return { accepted: true, authorizer, expiresAt: verified.expiresAt };
}
