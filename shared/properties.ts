import { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { CodecErrorCode, frameError, syntaxError } from './errors.js';
import type { FieldTable } from './field-value.js';
import { readTable, writeTable } from './field-table.js';

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

const CONTENT_TYPE = 1 << 15;
const CONTENT_ENCODING = 1 << 14;
const HEADERS = 1 << 13;
const DELIVERY_MODE = 1 << 12;
const PRIORITY = 1 << 11;
const CORRELATION_ID = 1 << 10;
const REPLY_TO = 1 << 9;
const EXPIRATION = 1 << 8;
const MESSAGE_ID = 1 << 7;
const TIMESTAMP = 1 << 6;
const TYPE = 1 << 5;
const USER_ID = 1 << 4;
const APP_ID = 1 << 3;
const CLUSTER_ID = 1 << 2;
const CONTINUATION = 1;

/** Decodes a content header payload (class, weight, body size, flags, properties). */
export function readContentHeader(r: ByteReader): ContentHeader {
  const classId = r.short();
  r.short(); // weight, unused
  const bodySize = r.longlong();
  const flags = r.short();
  if (flags & (CONTINUATION | 0b10)) {
    throw syntaxError(
      CodecErrorCode.InvalidValue,
      `property flags 0x${flags.toString(16)} set bits class basic does not define`,
    );
  }
  const p: BasicProperties = {};
  if (flags & CONTENT_TYPE) p.contentType = r.shortstr();
  if (flags & CONTENT_ENCODING) p.contentEncoding = r.shortstr();
  if (flags & HEADERS) p.headers = readTable(r);
  if (flags & DELIVERY_MODE) p.deliveryMode = r.octet();
  if (flags & PRIORITY) p.priority = r.octet();
  if (flags & CORRELATION_ID) p.correlationId = r.shortstr();
  if (flags & REPLY_TO) p.replyTo = r.shortstr();
  if (flags & EXPIRATION) p.expiration = r.shortstr();
  if (flags & MESSAGE_ID) p.messageId = r.shortstr();
  if (flags & TIMESTAMP) p.timestamp = new Date(r.longlong() * 1000);
  if (flags & TYPE) p.type = r.shortstr();
  if (flags & USER_ID) p.userId = r.shortstr();
  if (flags & APP_ID) p.appId = r.shortstr();
  if (flags & CLUSTER_ID) p.clusterId = r.shortstr();
  return { classId, bodySize, properties: p };
}

/** Encodes a content header payload. */
export function writeContentHeader(w: ByteWriter, classId: number, bodySize: number, p: BasicProperties): void {
  w.short(classId);
  w.short(0);
  w.longlong(bodySize);
  const flagsAt = w.pos;
  w.short(0);
  let flags = 0;
  if (p.contentType !== undefined) {
    flags |= CONTENT_TYPE;
    w.shortstr(p.contentType);
  }
  if (p.contentEncoding !== undefined) {
    flags |= CONTENT_ENCODING;
    w.shortstr(p.contentEncoding);
  }
  if (p.headers !== undefined) {
    flags |= HEADERS;
    writeTable(w, p.headers);
  }
  if (p.deliveryMode !== undefined) {
    flags |= DELIVERY_MODE;
    w.octet(p.deliveryMode);
  }
  if (p.priority !== undefined) {
    flags |= PRIORITY;
    w.octet(p.priority);
  }
  if (p.correlationId !== undefined) {
    flags |= CORRELATION_ID;
    w.shortstr(p.correlationId);
  }
  if (p.replyTo !== undefined) {
    flags |= REPLY_TO;
    w.shortstr(p.replyTo);
  }
  if (p.expiration !== undefined) {
    flags |= EXPIRATION;
    w.shortstr(p.expiration);
  }
  if (p.messageId !== undefined) {
    flags |= MESSAGE_ID;
    w.shortstr(p.messageId);
  }
  if (p.timestamp !== undefined) {
    flags |= TIMESTAMP;
    w.uint64(BigInt(Math.floor(p.timestamp.getTime() / 1000)));
  }
  if (p.type !== undefined) {
    flags |= TYPE;
    w.shortstr(p.type);
  }
  if (p.userId !== undefined) {
    flags |= USER_ID;
    w.shortstr(p.userId);
  }
  if (p.appId !== undefined) {
    flags |= APP_ID;
    w.shortstr(p.appId);
  }
  if (p.clusterId !== undefined) {
    flags |= CLUSTER_ID;
    w.shortstr(p.clusterId);
  }
  w.view.setUint16(flagsAt, flags);
}

// Decoding is synchronous and never re-entered, so one reader serves every call.
const reader = new ByteReader(new Uint8Array(0));

/** Decodes a header frame's payload; bytes left after the properties are a 501 FRAME_ERROR. */
export function decodeContentHeader(payload: Uint8Array): ContentHeader {
  const r = reader.reset(payload);
  const header = readContentHeader(r);
  if (r.pos !== r.end) {
    throw frameError(CodecErrorCode.TrailingBytes, `${r.end - r.pos} bytes after the content header's properties`);
  }
  return header;
}
