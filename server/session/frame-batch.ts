import { FRAME_HEADER_SIZE, type Frame } from '../../shared/index.js';

/**
 * Collects frames bound for one peer while a chunk is being processed, so they
 * leave in one write. Frames that lie back to back in the same received chunk
 * (the common case when relaying) become one run, sliced from the chunk once
 * when flushed: no view per frame and no copy.
 */
export class FrameBatch {
  private readonly parts: Uint8Array[] = [];
  private bytes = 0;
  /** The run being extended: `runChunk` from `runStart` to `runEnd`. */
  private runChunk: Uint8Array | undefined;
  private runStart = 0;
  private runEnd = 0;

  /** Bytes added since the last flush. */
  get length(): number {
    return this.bytes;
  }

  /** Adds encoded frames. */
  add(frames: Uint8Array): void {
    this.addRange(frames, 0, frames.length);
  }

  /** Adds a received frame as it came, from the chunk it lies in. */
  addFrame(frame: Frame): void {
    const start = frame.payloadStart - FRAME_HEADER_SIZE;
    this.addRange(frame.bytes, start, frame.payloadStart + frame.size + 1);
  }

  /** Hands each contiguous run to `write`, then empties the batch. */
  flushEach(write: (run: Uint8Array) => void): void {
    this.closeRun();
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) write(parts[i]!);
    parts.length = 0;
    this.bytes = 0;
  }

  /** Hands everything to `send` as one buffer (copying only when there is more than one run). */
  flushJoined(send: (message: Uint8Array) => void): void {
    this.closeRun();
    const parts = this.parts;
    if (parts.length === 0) return;
    if (parts.length === 1) {
      send(parts[0]!);
    } else {
      const joined = Buffer.allocUnsafe(this.bytes);
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

  private addRange(chunk: Uint8Array, start: number, end: number): void {
    if (chunk === this.runChunk && start === this.runEnd) {
      this.runEnd = end;
    } else {
      this.closeRun();
      this.runChunk = chunk;
      this.runStart = start;
      this.runEnd = end;
    }
    this.bytes += end - start;
  }

  private closeRun(): void {
    const chunk = this.runChunk;
    if (chunk === undefined) return;
    this.runChunk = undefined;
    // A received chunk is a Buffer, and so is its subarray: the socket writes it without wrapping it again.
    this.parts.push(
      this.runStart === 0 && this.runEnd === chunk.length ? chunk : chunk.subarray(this.runStart, this.runEnd),
    );
  }
}
