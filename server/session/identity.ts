import { FrameWriter, ReplyCode, type BasicProperties, type FieldTable } from '../../shared/index.js';

export interface IdentityRules {
  /** Header every published message carries, set by the gateway. */
  readonly headerName: string;
  /** In service mode the broker judges `user-id` against the gateway's own account, so it cannot stay. */
  readonly keepUserId: boolean;
}

/** Why a content header was refused. */
export interface HeaderRefusal {
  readonly replyCode: number;
  readonly replyText: string;
}

/**
 * Stamps the session's identity on a published message's properties: the
 * identity header is set to `subject` (whatever the page put there is replaced),
 * and a `user-id` naming anyone else is refused.
 */
export function stampIdentity(
  properties: BasicProperties,
  subject: string,
  rules: IdentityRules,
): HeaderRefusal | undefined {
  if (properties.userId !== undefined) {
    if (properties.userId !== subject) {
      return {
        replyCode: ReplyCode.PreconditionFailed,
        replyText: `PRECONDITION_FAILED - user_id property set to '${properties.userId}' but authenticated user was '${subject}'`,
      };
    }
    if (!rules.keepUserId) delete properties.userId;
  }
  properties.headers = { ...withoutHeader(properties.headers, rules.headerName), [rules.headerName]: subject };
  return undefined;
}

/**
 * `headers` without `name` in any letter case: field-table keys are
 * case-sensitive, but a consumer that looks headers up case-insensitively
 * (as HTTP taught many to) must not find a page's `X-Warren-User` first.
 */
function withoutHeader(headers: FieldTable | undefined, name: string): FieldTable {
  const lower = name.toLowerCase();
  // fromEntries defines keys rather than assigning them, so a `__proto__` header stays a header.
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([key]) => key.toLowerCase() !== lower));
}

const writer = new FrameWriter();

/** Re-encodes a content header frame after its properties were changed. */
export function encodeHeaderFrame(channel: number, bodySize: number, properties: BasicProperties): Uint8Array {
  return writer.header(channel, bodySize, properties).take();
}
