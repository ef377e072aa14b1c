import { FRAME_HEADER_SIZE, type Frame } from '../../shared/index.js';

/**
 * Runs at least this long are handed over as they lie (a body is relayed as the
 * same bytes); shorter ones that follow each other are copied into one buffer,
 * because a write per small run costs more than copying it.
 */
export const COPY_LIMIT = 4096;

/**
 * Collects frames bound for one peer while a chunk is being processed, so they
 * leave in one write. Frames that lie back to back in the same received chunk
 * (the common case when relaying) become one run of that chunk; a run is kept
 * as its chunk and bounds, so adding a frame allocates nothing.
 */
export class FrameBatch {
  /**
   * The runs, three entries each: chunk, start, end (one array rather than
   * three, since every session keeps two batches); the last run may still grow.
   */
  private readonly runs: (Uint8Array | number)[] = [];
  private bytes = 0;

  /** Bytes added since the last flush. */
  get length(): number {
    return this.bytes;
  }

  /** Adds encoded frames; they are read when flushed, so they must not change before. */
  add(frames: Uint8Array): void {
    this.addRange(frames, 0, frames.length);
  }

  /** Adds a received frame as it came, from the chunk it lies in. */
  addFrame(frame: Frame): void {
    const start = frame.payloadStart - FRAME_HEADER_SIZE;
    this.addRange(frame.bytes, start, frame.payloadStart + frame.size + 1);
  }

  /**
   * Hands the batch to `write` in as few buffers as copying only small runs
   * allows (see COPY_LIMIT), in order, then empties it.
   */
  flushCoalesced(write: (bytes: Uint8Array) => void): void {
    const count = this.runs.length / 3;
    let i = 0;
    while (i < count) {
      let group = this.size(i);
      let next = i + 1;
      if (group < COPY_LIMIT) {
        for (let size; next < count && (size = this.size(next)) < COPY_LIMIT; next++) group += size;
      }
      write(next === i + 1 ? this.run(i) : this.copy(i, next, group));
      i = next;
    }
    this.clear();
  }

  /**
   * Hands the whole batch to `write` as one copy, then empties it: for runs
   * whose memory is read into again once the caller returns.
   */
  flushCopied(write: (bytes: Uint8Array) => void): void {
    if (this.runs.length > 0) write(this.copy(0, this.runs.length / 3, this.bytes));
    this.clear();
  }

  /** Empties the batch without sending anything. */
  discard(): void {
    this.clear();
  }

  private addRange(chunk: Uint8Array, start: number, end: number): void {
    const runs = this.runs;
    const last = runs.length - 3;
    if (last >= 0 && runs[last] === chunk && runs[last + 2] === start) {
      runs[last + 2] = end;
    } else {
      runs.push(chunk, start, end);
    }
    this.bytes += end - start;
  }

  /** Run `i`'s length in bytes. */
  private size(i: number): number {
    return (this.runs[3 * i + 2] as number) - (this.runs[3 * i + 1] as number);
  }

  /** Run `i` as a view of its chunk (a received chunk is a Buffer, and so is its subarray). */
  private run(i: number): Uint8Array {
    const chunk = this.runs[3 * i] as Uint8Array;
    const start = this.runs[3 * i + 1] as number;
    const end = this.runs[3 * i + 2] as number;
    return start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
  }

  /** Runs `from` to `to` (excluded), `size` bytes in all, copied into one Buffer. */
  private copy(from: number, to: number, size: number): Uint8Array {
    const out = Buffer.allocUnsafe(size);
    let offset = 0;
    for (let i = from; i < to; i++) {
      const run = this.run(i);
      out.set(run, offset);
      offset += run.length;
    }
    return out;
  }

  private clear(): void {
    this.runs.length = 0;
    this.bytes = 0;
  }
}
