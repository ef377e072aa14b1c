import {
  ByteReader,
  ByteWriter,
  FRAME_END,
  FRAME_HEADER_SIZE,
  FrameType,
  PROPERTIES,
  ReplyCode,
  decodeUtf8,
  encodeUtf8,
  fixedPropertySize,
  propertyFlag,
  skipFieldValue,
  writeTable,
  type Frame,
} from '../../shared/index.js';
import { sameBytes } from './same-bytes.js';

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

/** What one session stamps on every message it publishes, encoded once. */
export interface IdentityStamp {
  /** The identity header alone as an encoded table, with its size: inserted where a header had none. */
  readonly table: Uint8Array;
  /** The same header as one table entry (name, type, value): appended to a header's own table. */
  readonly entry: Uint8Array;
  /** The header's name in lower case: a page's entries of that name, in any letter case, are dropped. */
  readonly nameLower: string;
  /** The subject in UTF-8, which a user-id must equal byte for byte. */
  readonly subject: Uint8Array;
  readonly subjectText: string;
  readonly keepUserId: boolean;
}

export function identityStamp(subject: string, rules: IdentityRules): IdentityStamp {
  const w = new ByteWriter(64);
  writeTable(w, { [rules.headerName]: subject });
  const table = w.take();
  return {
    table,
    entry: table.subarray(4),
    nameLower: rules.headerName.toLowerCase(),
    subject: encodeUtf8(subject),
    subjectText: subject,
    keepUserId: rules.keepUserId,
  };
}

const CONTENT_TYPE = propertyFlag('contentType');
const CONTENT_ENCODING = propertyFlag('contentEncoding');
const HEADERS = propertyFlag('headers');
const USER_ID = propertyFlag('userId');
/** class (2), weight (2) and body size (8) come before the flags. */
const FLAGS_OFFSET = 12;

/**
 * The header frame the broker gets for a page's publish: the identity header
 * set to the session's subject, a user-id naming anyone else refused (406, as
 * RabbitMQ does) and left out where the rules say so, the weight zeroed; every
 * other byte as the page sent it. Nothing is decoded and encoded again, so a
 * header value or property that is not UTF-8 reaches consumers unchanged.
 *
 * The identity header replaces the page's entries of that name in any letter
 * case: field-table keys are case-sensitive, but a consumer that looks headers
 * up case-insensitively (as HTTP taught many to) must not find a page's
 * `X-Warren-User` first. It goes last in the page's headers table, or is the
 * table when there was none.
 *
 * For a frame that decoded (decodeHeaderFrame), so its sizes lie within it.
 */
export function stampHeaderFrame(frame: Frame, stamp: IdentityStamp): Uint8Array | HeaderRefusal {
  const bytes = frame.bytes;
  const flags = (bytes[frame.payloadStart + FLAGS_OFFSET]! << 8) | bytes[frame.payloadStart + FLAGS_OFFSET + 1]!;
  return flags & (HEADERS | USER_ID) ? rewrite(frame, flags, stamp) : splice(frame, flags, stamp.table);
}

/**
 * A header without a headers table or user-id (what most publishes carry):
 * the identity table goes where the headers property belongs, after
 * content-type and content-encoding, and the rest is copied around it.
 */
function splice(frame: Frame, flags: number, identityTable: Uint8Array): Uint8Array {
  const bytes = frame.bytes;
  const payload = frame.payloadStart;
  let insertAt = payload + FLAGS_OFFSET + 2;
  if (flags & CONTENT_TYPE) insertAt += 1 + bytes[insertAt]!;
  if (flags & CONTENT_ENCODING) insertAt += 1 + bytes[insertAt]!;
  const size = frame.size + identityTable.length;
  // Headers are a few dozen bytes: copied by hand, which beats making views to copy them with. From
  // Node's buffer pool, as a view: a Uint8Array of this size would get memory of its own outside the
  // heap, for the garbage collector to free one by one. Every byte is written below.
  const out = Buffer.allocUnsafe(FRAME_HEADER_SIZE + size + 1);
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

// Stamping is synchronous and never re-entered, so one reader and one writer serve every call.
const reader = new ByteReader(new Uint8Array(0));
const writer = new ByteWriter(512);

/** A header with a headers table or a user-id: walked property by property, each copied as it came or edited. */
function rewrite(frame: Frame, flags: number, stamp: IdentityStamp): Uint8Array | HeaderRefusal {
  const bytes = frame.bytes;
  const r = reader.reset(bytes, frame.payloadStart, frame.payloadStart + frame.size);
  const w = writer;
  w.pos = 0;
  w.octet(FrameType.Header);
  w.short(frame.channel);
  const frameSize = w.beginLength();
  w.bytes(bytes.subarray(r.pos, r.pos + 2)); // class
  w.short(0); // weight
  w.bytes(bytes.subarray(r.pos + 4, r.pos + FLAGS_OFFSET)); // body size
  r.pos += FLAGS_OFFSET + 2;
  const flagsAt = w.pos;
  w.short(0);
  let written = flags | HEADERS;
  for (let i = 0; i < PROPERTIES.length; i++) {
    const flag = 0x8000 >> i;
    if (flag === HEADERS) {
      stampTable(r, w, flags & HEADERS ? r.long() : 0, stamp);
      continue;
    }
    if (!(flags & flag)) continue;
    const start = r.pos;
    r.pos += fixedPropertySize(i) ?? 1 + bytes[r.pos]!;
    if (flag === USER_ID) {
      if (!sameBytes(bytes, start + 1, r.pos, stamp.subject)) {
        const userId = decodeUtf8(bytes, start + 1, r.pos);
        return {
          replyCode: ReplyCode.PreconditionFailed,
          replyText: `PRECONDITION_FAILED - user_id property set to '${userId}' but authenticated user was '${stamp.subjectText}'`,
        };
      }
      if (!stamp.keepUserId) {
        written &= ~USER_ID;
        continue;
      }
    }
    w.bytes(bytes.subarray(start, r.pos));
  }
  w.view.setUint16(flagsAt, written);
  w.endLength(frameSize);
  w.octet(FRAME_END);
  // A copy from Node's buffer pool (see splice).
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** Copies a headers table of `size` bytes at the reader without the page's identity entries, then adds the stamp's. */
function stampTable(r: ByteReader, w: ByteWriter, size: number, stamp: IdentityStamp): void {
  const bytes = r.bytes;
  const slot = w.beginLength();
  const end = r.pos + size;
  // Runs of kept entries are copied whole.
  let kept = r.pos;
  while (r.pos < end) {
    const entry = r.pos;
    const name = r.shortstr();
    skipFieldValue(r);
    if (name.toLowerCase() === stamp.nameLower) {
      w.bytes(bytes.subarray(kept, entry));
      kept = r.pos;
    }
  }
  w.bytes(bytes.subarray(kept, end));
  w.bytes(stamp.entry);
  w.endLength(slot);
}
