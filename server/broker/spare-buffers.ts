import type { SpareMemory } from '../../shared/index.js';

/**
 * Memory that sockets gave up with nothing referring to it, kept for the next
 * that needs some, up to `maxBytes` in all: a burst of reads then costs no
 * allocation and leaves no garbage, which V8 frees only when it next collects
 * and which RSS counts until then. One per kind of memory, for the process.
 */
export class SpareBuffers implements SpareMemory {
  private readonly buffers: ArrayBuffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Memory of `bytes` to twice that, taken out; undefined when none fits (a larger one would hold memory for nothing). */
  take(bytes: number): ArrayBuffer | undefined {
    const buffers = this.buffers;
    for (let i = buffers.length - 1; i >= 0; i--) {
      const buffer = buffers[i]!;
      if (buffer.byteLength >= bytes && buffer.byteLength <= 2 * bytes) {
        buffers[i] = buffers[buffers.length - 1]!;
        buffers.pop();
        this.bytes -= buffer.byteLength;
        return buffer;
      }
    }
    return undefined;
  }

  give(buffer: ArrayBuffer): void {
    if (this.bytes + buffer.byteLength > this.maxBytes) return;
    this.buffers.push(buffer);
    this.bytes += buffer.byteLength;
  }

  /** Bytes kept, for tests. */
  get size(): number {
    return this.bytes;
  }
}
