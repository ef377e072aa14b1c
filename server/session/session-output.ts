import type { Frame } from '../../shared/index.js';
import type { BrokerLink } from '../broker/broker-link.js';
import type { GatewaySocket } from '../transport/transport.js';
import { FrameBatch } from './frame-batch.js';
import type { SessionEvent } from './session-types.js';

/**
 * What a session sends, batched while it handles one chunk so each side gets
 * one write, and the backpressure between its two sockets: the broker socket
 * stops being read while the browser's WebSocket holds more than the
 * high-water mark, and the WebSocket stops being read while the broker
 * socket's buffer is full.
 */
export class SessionOutput {
  private readonly toBrowserBatch = new FrameBatch();
  private readonly toBrokerBatch = new FrameBatch();
  private brokerPaused = false;
  /** Reading the WebSocket stopped because the broker socket is full. */
  browserPaused = false;
  /** When the browser was last sent anything (heartbeats fill the silences). */
  lastBrowserWrite = Date.now();

  constructor(
    private readonly socket: GatewaySocket,
    private readonly highWaterMark: number,
    private readonly observer: { observe(event: SessionEvent): void },
  ) {}

  toBrowser(frame: Uint8Array): void {
    this.toBrowserBatch.add(frame);
  }

  toBroker(frame: Uint8Array): void {
    this.toBrokerBatch.add(frame);
  }

  /** Forwards a frame from the broker as it came. */
  relayToBrowser(frame: Frame): void {
    this.toBrowserBatch.addFrame(frame);
  }

  /** Forwards a frame from the browser as it came. */
  relayToBroker(frame: Frame): void {
    this.toBrokerBatch.addFrame(frame);
  }

  /** Drops what was meant for the broker: after a connection error nothing more may reach it. */
  discardToBroker(): void {
    this.toBrokerBatch.discard();
  }

  /** Sends what was batched, and applies backpressure both ways. */
  flush(link: BrokerLink | undefined): void {
    if (this.toBrowserBatch.length > 0) {
      let messages = 0;
      const bytes = this.toBrowserBatch.length;
      // Whole frames in every message; a body of COPY_LIMIT or more goes as a message of its own rather than copied.
      this.toBrowserBatch.flushCoalesced((message) => {
        messages++;
        this.socket.send(message);
      });
      this.lastBrowserWrite = Date.now();
      this.observer.observe({ type: 'traffic', direction: 'out', frames: messages, bytes });
      if (!this.brokerPaused && link !== undefined && this.socket.bufferedAmount > this.highWaterMark) {
        this.brokerPaused = true;
        link.pause();
        this.observer.observe({ type: 'backpressure', direction: 'to-browser' });
      }
    }
    if (this.toBrokerBatch.length > 0 && link !== undefined) {
      let full = false;
      link.cork();
      this.toBrokerBatch.flushCoalesced((bytes) => {
        if (!link.write(bytes)) full = true;
      });
      link.uncork();
      if (full && !this.browserPaused) {
        this.browserPaused = true;
        this.socket.pause();
        this.observer.observe({ type: 'backpressure', direction: 'to-broker' });
      }
    }
  }

  /** The browser's WebSocket drained: read the broker again. */
  browserDrained(link: BrokerLink | undefined): void {
    if (!this.brokerPaused) return;
    this.brokerPaused = false;
    link?.resume();
  }

  /** The broker socket drained: read the browser again, unless something else holds it. */
  brokerDrained(mayResume: boolean): void {
    if (!this.browserPaused) return;
    this.browserPaused = false;
    if (mayResume) this.socket.resume();
  }
}
