import { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { CodecErrorCode, frameError, syntaxError } from './errors.js';
import type { FieldTable } from './field-value.js';
import { readTable, writeTable } from './field-table.js';
import type { Frame } from './frame-splitter.js';

/** The 14 properties of class basic, in wire order. */
export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  /** 1 transient, 2 persistent. */
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  /** Whole seconds on the wire. */
  timestamp?: Date;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

/** A decoded content header frame. */
export interface ContentHeader {
  classId: number;
  bodySize: number;
  properties: BasicProperties;
}

/**
 * Whether a header that basic does not allow is refused (flags of a 15th
 * property or a second flags word, bytes after the last property), and whether
 * a header without properties skips the 14 lookups: the gateway decodes and
 * re-encodes every header a browser publishes. rollup.config.mjs turns both off
 * in the browser bundle, where a header the broker relays from some other
 * publisher is better read as far as it makes sense than a reason to drop the
 * connection (and meet the same message again after reconnecting).
 */
const STRICT_HEADERS = true;
const NO_PROPERTIES_FAST_PATH = true;

/** The properties in wire order: property `i` has flag bit `0x8000 >> i` (see propertyFlag). */
export const PROPERTIES = [
  'contentType',
  'contentEncoding',
  'headers',
  'deliveryMode',
  'priority',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'timestamp',
  'type',
  'userId',
  'appId',
  'clusterId',
] as const;
// Every other property is a short string.
const HEADERS = 2;
const DELIVERY_MODE = 3;
const PRIORITY = 4;
const TIMESTAMP = 9;

/** The flag bit that announces `property` in a content header. */
export function propertyFlag(property: keyof BasicProperties): number {
  return 0x8000 >> PROPERTIES.indexOf(property);
}

/** Bytes of a property's value on the wire that has a fixed size: octets and the timestamp; the others are sized. */
export function fixedPropertySize(index: number): number | undefined {
  return index === DELIVERY_MODE || index === PRIORITY ? 1 : index === TIMESTAMP ? 8 : undefined;
}

/** Decodes a content header payload (class, weight, body size, flags, properties). */
export function readContentHeader(r: ByteReader): ContentHeader {
  const classId = r.short();
  r.short(); // weight, unused
  const bodySize = r.longlong();
  const flags = r.short();
  // Bit 0 would announce a second flags word, bit 1 a 15th property: basic has neither.
  if (STRICT_HEADERS && flags & 3) {
    throw syntaxError(CodecErrorCode.InvalidValue, `property flags 0x${flags.toString(16)}`);
  }
  const p: Record<string, unknown> = {};
  // Bits 1 and 0 (refused above when strict) name no property.
  const present = flags & 0xfffc;
  // Stops after the last flag set, so a header without properties costs no iteration.
  for (let i = 0; (present << i) & 0xffff; i++) {
    if (present & (0x8000 >> i)) {
      p[PROPERTIES[i]!] =
        i === HEADERS
          ? readTable(r)
          : i === DELIVERY_MODE || i === PRIORITY
            ? r.octet()
            : i === TIMESTAMP
              ? r.timestamp()
              : r.shortstr();
    }
  }
  return { classId, bodySize, properties: p as BasicProperties };
}

/** Encodes a content header payload. */
export function writeContentHeader(w: ByteWriter, classId: number, bodySize: number, p: BasicProperties): void {
  w.short(classId);
  w.short(0);
  w.longlong(bodySize);
  const flagsAt = w.pos;
  w.short(0);
  let flags = 0;
  // Most messages carry no properties: skip the 14 keyed lookups then.
  let any = !NO_PROPERTIES_FAST_PATH;
  if (NO_PROPERTIES_FAST_PATH) {
    for (const _ in p) {
      any = true;
      break;
    }
  }
  for (let i = 0; any && i < PROPERTIES.length; i++) {
    const v = p[PROPERTIES[i]!];
    if (v === undefined) continue;
    flags |= 0x8000 >> i;
    if (i === HEADERS) writeTable(w, v as FieldTable);
    else if (i === DELIVERY_MODE || i === PRIORITY) w.octet(v as number);
    else if (i === TIMESTAMP) w.timestamp(v as Date);
    else w.shortstr(v as string);
  }
  w.view.setUint16(flagsAt, flags);
}

// Decoding is synchronous and never re-entered, so one reader serves every call.
const reader = new ByteReader(new Uint8Array(0));

/**
 * Decodes a header frame's payload, `bytes` from `start` to `end`; bytes left
 * after the properties are a 501 FRAME_ERROR (see STRICT_HEADERS).
 */
export function decodeContentHeader(bytes: Uint8Array, start = 0, end = bytes.length): ContentHeader {
  const r = reader.reset(bytes, start, end);
  const header = readContentHeader(r);
  if (STRICT_HEADERS && r.pos !== r.end) {
    throw frameError(CodecErrorCode.TrailingBytes, `${r.end - r.pos} bytes after header`);
  }
  return header;
}

/** Decodes a header frame in place, without making a view of its payload. */
export function decodeHeaderFrame(frame: Frame): ContentHeader {
  return decodeContentHeader(frame.bytes, frame.payloadStart, frame.payloadStart + frame.size);
}
