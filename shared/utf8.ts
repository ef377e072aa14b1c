const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Decodes UTF-8; short ASCII runs (most AMQP names) skip TextDecoder's call cost. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length <= 32) {
    let out = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
      out += String.fromCharCode(c);
    }
    return out;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Writes `text` as UTF-8 into `target` at `offset`, returning the byte count, or -1
 * when it does not fit in `room` bytes. ASCII is copied directly.
 */
export function encodeUtf8Into(text: string, target: Uint8Array, offset: number, room: number): number {
  const length = text.length;
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
