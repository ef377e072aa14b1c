import {
  ByteWriter,
  FRAME_HEADER_SIZE,
  FrameType,
  FrameWriter,
  ReplyCode,
  writeTable,
  type BasicProperties,
  type FieldTable,
  type Frame,
} from '../../shared/index.js';

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

/** The identity header alone, as the encoded table (with its length) that `spliceIdentity` inserts. */
export function encodeIdentityTable(subject: string, rules: IdentityRules): Uint8Array {
  const w = new ByteWriter(64);
  writeTable(w, { [rules.headerName]: subject });
  return w.take();
}

// Flag bits of content-type, content-encoding, headers and user-id (properties 0, 1, 2 and 11).
const CONTENT_TYPE = 0x8000;
const CONTENT_ENCODING = 0x4000;
const HEADERS = 0x2000;
const USER_ID = 0x0010;
/** class (2), weight (2) and body size (8) come before the flags. */
const FLAGS_OFFSET = 12;

/**
 * The stamped header frame, spliced from a received one that has no headers
 * table and no user-id (what most publishes carry): `identityTable` goes where
 * the headers property belongs, after content-type and content-encoding, and
 * the headers flag is set; the other bytes are copied as they came, weight
 * zeroed. Byte for byte what stamping and re-encoding give, without decoding
 * into objects and back. Only for a frame that decoded, so its strings lie
 * within it; undefined when the frame has headers or a user-id.
 */
export function spliceIdentity(frame: Frame, identityTable: Uint8Array): Uint8Array | undefined {
  const bytes = frame.bytes;
  const payload = frame.payloadStart;
  const flags = (bytes[payload + FLAGS_OFFSET]! << 8) | bytes[payload + FLAGS_OFFSET + 1]!;
  if (flags & (HEADERS | USER_ID)) return undefined;
  let insertAt = payload + FLAGS_OFFSET + 2;
  if (flags & CONTENT_TYPE) insertAt += 1 + bytes[insertAt]!;
  if (flags & CONTENT_ENCODING) insertAt += 1 + bytes[insertAt]!;
  const size = frame.size + identityTable.length;
  // Headers are a few dozen bytes: copied by hand, which beats making views to copy them with.
  const out = new Uint8Array(FRAME_HEADER_SIZE + size + 1);
  out[0] = FrameType.Header;
  out[1] = frame.channel >>> 8;
  out[2] = frame.channel & 0xff;
  out[3] = size >>> 24;
  out[4] = (size >>> 16) & 0xff;
  out[5] = (size >>> 8) & 0xff;
  out[6] = size & 0xff;
  let at = FRAME_HEADER_SIZE;
  for (let i = payload; i < insertAt; i++) out[at++] = bytes[i]!;
  const weight = FRAME_HEADER_SIZE + 2;
  out[weight] = 0;
  out[weight + 1] = 0;
  out[FRAME_HEADER_SIZE + FLAGS_OFFSET] = (flags | HEADERS) >>> 8;
  for (let i = 0; i < identityTable.length; i++) out[at++] = identityTable[i]!;
  // The rest of the properties, and the frame-end octet after them.
  const end = payload + frame.size;
  for (let i = insertAt; i <= end; i++) out[at++] = bytes[i]!;
  return out;
}
