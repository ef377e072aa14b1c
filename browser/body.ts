import { encodeUtf8 } from '../shared/index.js';
import { WarrenError } from './errors.js';

/** A message body as a page may give it: text (sent as UTF-8) or bytes. */
export type Body = string | ArrayBuffer | ArrayBufferView;

/**
 * The bytes of `body`: a Uint8Array as it is, another view (a DataView, a
 * Uint16Array…) or an ArrayBuffer (of this realm or another, or shared) as a
 * Uint8Array over the same memory, so a Uint16Array sends all its bytes rather
 * than each element cut to one. Anything without a `byteLength` is refused.
 */
export function bodyBytes(body: Body): Uint8Array {
  if (typeof body === 'string') return encodeUtf8(body);
  if (body instanceof Uint8Array) return body;
  // An ArrayBuffer has no `buffer`, and no `byteOffset` (taken as 0).
  const bytes = body as Partial<ArrayBufferView> | null;
  if (typeof bytes?.byteLength !== 'number') throw new WarrenError('ERR_INVALID_VALUE', 'body not text or bytes');
  return new Uint8Array(bytes.buffer ?? (body as ArrayBuffer), bytes.byteOffset, bytes.byteLength);
}
