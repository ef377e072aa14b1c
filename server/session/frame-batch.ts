/**
 * Collects frames bound for one peer while a chunk is being processed, so they
 * leave in one write. Frames that lie back to back in the same received buffer
 * (the common case when relaying) are merged into one view without copying.
 */
export class FrameBatch {
  private readonly parts: Uint8Array[] = [];
  private bytes = 0;

  /** Frames added since the last flush. */
  get length(): number {
    return this.bytes;
  }

  add(frame: Uint8Array): void {
    const parts = this.parts;
    const last = parts[parts.length - 1];
    if (last !== undefined && last.buffer === frame.buffer && last.byteOffset + last.byteLength === frame.byteOffset) {
      parts[parts.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + frame.byteLength);
    } else {
      parts.push(frame);
    }
    this.bytes += frame.byteLength;
  }

  /** Hands each contiguous run to `write`, then empties the batch. */
  flushEach(write: (run: Uint8Array) => void): void {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) write(parts[i]!);
    parts.length = 0;
    this.bytes = 0;
  }

  /** Hands everything to `send` as one buffer (copying only when there is more than one run). */
  flushJoined(send: (message: Uint8Array) => void): void {
    const parts = this.parts;
    if (parts.length === 0) return;
    if (parts.length === 1) {
      send(parts[0]!);
    } else {
      const joined = new Uint8Array(this.bytes);
      let offset = 0;
      for (const part of parts) {
        joined.set(part, offset);
        offset += part.byteLength;
      }
      send(joined);
    }
    parts.length = 0;
    this.bytes = 0;
  }
}
