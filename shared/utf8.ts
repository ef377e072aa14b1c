const encoder = new TextEncoder();
// ignoreBOM: a name or value that starts with U+FEFF keeps it (by default TextDecoder drops a leading BOM).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Whether short strings take the hand-written paths below rather than a
 * TextDecoder/TextEncoder call each, and whether decoded names are cached: on
 * in the gateway and the codec benchmark, which handle millions of names a
 * second; rollup.config.mjs turns both off in the browser bundle, where they
 * cost more in bundle size than they save a page that receives a few thousand
 * messages a second.
 */
const ASCII_FAST_PATHS = true;
const NAME_CACHE = true;
/** Longest string the ASCII fast path and the name cache take. */
const SHORT_ASCII = 64;
const CACHE_SIZE = 4096; // a power of two
/**
 * Recently decoded short ASCII strings, by a hash of their bytes. AMQP traffic
 * repeats the same exchange, routing key, consumer tag, content type and header
 * names in every message; a hit returns the existing string without allocating.
 */
const nameCache: string[] = NAME_CACHE ? new Array<string>(CACHE_SIZE).fill('') : [];
/** Reused argument list for String.fromCharCode on a cache miss. */
const charCodes: number[] = [];

/**
 * Decodes UTF-8. Short ASCII runs (most AMQP names) skip TextDecoder's call cost
 * and are looked up in a small cache of recent names.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (!ASCII_FAST_PATHS || length > SHORT_ASCII) return decoder.decode(bytes.subarray(start, end));
  if (length === 0) return '';
  let slot = -1;
  if (NAME_CACHE) {
    // Hash a few sampled bytes only; the comparison below reads every byte anyway.
    const last = end - 1;
    const mid = start + (length >> 1);
    let hash = Math.imul(length, 0x9e3779b1) ^ bytes[start]!;
    hash = Math.imul(hash ^ bytes[last]!, 31) ^ bytes[mid]!;
    hash = Math.imul(hash ^ bytes[last - (length >> 2)]!, 31) ^ bytes[start + (length >> 2)]!;
    hash = Math.imul(hash ^ bytes[last - 1 < start ? start : last - 1]!, 31);
    slot = (hash ^ (hash >>> 15)) & (CACHE_SIZE - 1);
    const cached = nameCache[slot]!;
    // Cached strings are ASCII, so a match also proves these bytes are ASCII.
    if (cached.length === length) {
      let i = 0;
      while (i < length && cached.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return cached;
    }
  }
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return decoder.decode(bytes.subarray(start, end));
  }
  charCodes.length = length;
  for (let i = 0; i < length; i++) charCodes[i] = bytes[start + i]!;
  const text = String.fromCharCode.apply(null, charCodes);
  if (NAME_CACHE) nameCache[slot] = text;
  return text;
}

/**
 * Writes `text` as UTF-8 into `target` at `offset`, returning the byte count, or -1
 * when it does not fit in `room` bytes. ASCII is copied directly.
 */
export function encodeUtf8Into(text: string, target: Uint8Array, offset: number, room: number): number {
  const length = text.length;
  if (!ASCII_FAST_PATHS) {
    // Writes what fits; it all fit when every UTF-16 unit was read.
    const { read, written } = encoder.encodeInto(text, target.subarray(offset, offset + room));
    return read < length ? -1 : written;
  }
  if (length <= room) {
    let i = 0;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      target[offset + i] = c;
    }
    if (i === length) return length;
  }
  const encoded = encoder.encode(text);
  if (encoded.length > room) return -1;
  target.set(encoded, offset);
  return encoded.length;
}

/** UTF-8 byte length of `text`, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Encodes a whole string as UTF-8. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}
