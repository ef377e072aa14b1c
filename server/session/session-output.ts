import { FrameWriter, type Frame } from '../../shared/index.js';
import type { BrokerLink } from '../broker/broker-link.js';
import type { GatewaySocket } from '../transport/transport.js';
import { FrameBatch } from './frame-batch.js';
import type { SessionEvent } from './session-types.js';

/** What the output reports to, and asks of, its session. */
export interface OutputOwner {
  /** Reports an event to the gateway (metrics, registry). */
  observe(event: SessionEvent): void;
  /** The session is open and the browser announced the `connection.blocked` capability. */
  readonly browserTakesBlocked: boolean;
}

const BLOCKED = new FrameWriter()
  .method(0, { name: 'connection.blocked', args: { reason: 'gateway: the broker is not reading' } })
  .take();
const UNBLOCKED = new FrameWriter().method(0, { name: 'connection.unblocked', args: {} }).take();

/**
 * What a session sends, batched while it handles one chunk so each side gets
 * one write, and the backpressure between its two sockets: the broker socket
 * stops being read while the browser's WebSocket holds more than the
 * high-water mark, and the WebSocket stops being read while the broker
 * socket's buffer is full. Where the WebSocket cannot stop being read (uWS),
 * a browser that takes it is told connection.blocked once it sent more than
 * the broker's high-water mark after that, and connection.unblocked once the
 * broker socket drained. (Not at the pause itself: one message of a megabyte
 * fills the buffer for a moment even when the broker reads, and the browser
 * would see blocked and unblocked for every such publish.)
 */
export class SessionOutput {
  private readonly toBrowserBatch = new FrameBatch();
  private readonly toBrokerBatch = new FrameBatch();
  private brokerPaused = false;
  /** Reading the WebSocket stopped because the broker socket is full. */
  browserPaused = false;
  /** Bytes sent towards the broker while {@link browserPaused}: where pausing does not stop reading, they pile up. */
  private sentWhilePaused = 0;
  /** The browser was told connection.blocked for {@link browserPaused}. */
  private gatewayBlocked = false;
  /** The broker's own connection.blocked was relayed and its unblocked has not come yet. */
  private brokerBlocked = false;
  /** When the browser was last sent anything (heartbeats fill the silences). */
  lastBrowserWrite = Date.now();

  constructor(
    private readonly socket: GatewaySocket,
    private readonly brokerHighWaterMark: number,
    private readonly owner: OutputOwner,
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

  /**
   * The broker's own connection.blocked or unblocked. The browser sees blocked
   * while either the broker or the gateway blocks it: an unblocked from the
   * broker waits while the gateway still does (RabbitMQ under an alarm blocks
   * and stops reading, so both are common together). A broker's blocked goes
   * on even when the gateway's came first, for its reason.
   */
  relayBrokerBlocked(frame: Uint8Array, blocked: boolean): void {
    this.brokerBlocked = blocked;
    if (blocked || !this.gatewayBlocked) this.toBrowser(frame);
  }

  /** Sends what was batched, and applies backpressure both ways. */
  flush(link: BrokerLink | undefined): void {
    // The broker's side first: stopping reading the browser may have to tell it connection.blocked.
    if (this.toBrokerBatch.length > 0 && link !== undefined) this.flushToBroker(link);
    if (this.toBrowserBatch.length > 0) this.flushToBrowser(link);
  }

  private flushToBroker(link: BrokerLink): void {
    const length = this.toBrokerBatch.length;
    let full = false;
    link.cork();
    this.toBrokerBatch.flushCoalesced((bytes) => {
      if (!link.write(bytes)) full = true;
    });
    link.uncork();
    if (this.browserPaused) {
      this.sentWhilePaused += length;
      if (!this.socket.pauseStopsReading && this.sentWhilePaused > this.brokerHighWaterMark) this.gatewayBlock(true);
    } else if (full) {
      this.browserPaused = true;
      this.sentWhilePaused = 0;
      this.socket.pause();
      this.owner.observe({ type: 'backpressure', direction: 'to-broker' });
    }
  }

  /**
   * Sends what one chunk read from the broker produced (see
   * BrokerLinkListener.brokerChunkEnd); true when the WebSocket still refers to
   * bytes of that chunk. Where the WebSocket keeps what it is sent, the frames
   * leave as one copy when the chunk is `shared` (its memory is read into again
   * at once) or the WebSocket already queues (they would wait there, and with
   * them the whole read buffer and split frames' buffers they lie in: a copy
   * holds the bytes queued and no more, and the link reads into the same memory
   * again). Otherwise they leave as they lie, and only a write that did not
   * complete at once holds them.
   */
  flushBrokerChunk(link: BrokerLink | undefined, shared: boolean): boolean {
    const keeps = this.socket.sendKeepsBytes;
    const copy = keeps && (shared || this.socket.bufferedAmount > 0);
    if (this.toBrokerBatch.length > 0 && link !== undefined) this.flushToBroker(link);
    if (this.toBrowserBatch.length > 0) this.flushToBrowser(link, copy);
    return keeps && !copy && this.socket.bufferedAmount > 0;
  }

  private flushToBrowser(link: BrokerLink | undefined, copy = false): void {
    let messages = 0;
    const bytes = this.toBrowserBatch.length;
    const send = (message: Uint8Array): void => {
      messages++;
      this.socket.send(message);
    };
    // Whole frames in every message; a body of COPY_LIMIT or more goes as a message of its own rather than
    // copied. The messages leave in one write (a delivery's method and header, then its body, would be two).
    this.socket.corked(() => {
      if (copy) this.toBrowserBatch.flushCopied(send);
      else this.toBrowserBatch.flushCoalesced(send);
    });
    this.lastBrowserWrite = Date.now();
    this.owner.observe({ type: 'traffic', direction: 'out', frames: messages, bytes });
    // The socket's own judgement, not bufferedAmount's: it promises the drain that resumes the link.
    if (!this.brokerPaused && link !== undefined && this.socket.overHighWaterMark) {
      this.brokerPaused = true;
      link.pause();
      this.owner.observe({ type: 'backpressure', direction: 'to-browser' });
    }
  }

  /** The browser's WebSocket drained: read the broker again. */
  browserDrained(link: BrokerLink | undefined): void {
    if (!this.brokerPaused) return;
    this.brokerPaused = false;
    link?.resume();
  }

  /** The broker socket drained: read the browser again, unless something else holds it. Flush after. */
  brokerDrained(mayResume: boolean): void {
    if (!this.browserPaused) return;
    this.browserPaused = false;
    this.gatewayBlock(false);
    if (mayResume) this.socket.resume();
  }

  /**
   * Tells a browser that takes it connection.blocked or unblocked for the
   * gateway's own pause, unless the broker's block already says the same: the
   * broker's later unblocked then ends both.
   */
  private gatewayBlock(blocked: boolean): void {
    if (blocked === this.gatewayBlocked) return;
    // Cleared without a word once the session is no longer open: nothing may follow a connection.close.
    this.gatewayBlocked = blocked && this.owner.browserTakesBlocked;
    if (this.brokerBlocked || !this.owner.browserTakesBlocked) return;
    this.toBrowser(blocked ? BLOCKED : UNBLOCKED);
  }
}
