import { FrameSplitter, FrameWriter, PROTOCOL_HEADER, type Frame } from '../shared/index.js';

/** The part of the standard WebSocket API the client uses; browsers' and the `ws` package's classes fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  onopen(event: unknown): void;
  onmessage(event: { data: unknown }): void;
  onclose(event: { code: number; reason: string }): void;
  onerror(event: unknown): void;
  /** Names the negotiated extensions; '' (or, in a class without it, absent) when there are none. */
  readonly extensions?: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: the browser's global, Node 22's global, or `ws` on Node 20. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** What a socket reports to its connection, which passes itself as `events`; each call names the socket. */
export interface SocketEvents {
  _onFrame(socket: Socket, frame: Frame): void;
  /** Once, however the socket ended; `error` is set for a malformed stream. */
  _onClose(socket: Socket, error?: unknown): void;
  /** The event loop turned after a flush: publishes that waited for the burst to clear may go. */
  _pump(): void;
}

/** Frames pending beyond this many bytes leave at once rather than when the writing pauses. */
const FLUSH_AT = 128 * 1024;

/**
 * One WebSocket carrying AMQP, from the protocol header it sends on open.
 * Frames written in a run of microtasks leave as one binary message (a
 * publish's method, header and body frames; a burst of publishes or acks);
 * received messages are split into frames in any chunking.
 */
export class Socket {
  /** Where frames are written; `send()` schedules them. */
  readonly _out = new FrameWriter();
  readonly _splitter = new FrameSplitter();
  private readonly _ws: WebSocketLike;
  private _scheduled?: boolean;
  /** Bytes in `_out` at the last tick of a scheduled flush. */
  private _seen = 0;
  private _ended?: boolean;
  /**
   * Bytes sent since the event loop last turned: counted as buffered, so that
   * publishing waits for a turn after a high-water mark's worth even where the
   * peer takes everything at once (uWS reads on whatever it is told), and what
   * the peer sent meanwhile (connection.blocked) is read first.
   */
  private _burst = 0;
  /**
   * Says when the event loop turned after a flush: a posted message, which
   * background tabs do not hold back as they do timers (to one a second, or
   * one a minute after five minutes hidden).
   */
  private readonly _turn = new MessageChannel();

  constructor(url: string, WebSocketClass: WebSocketConstructor, events: SocketEvents) {
    const ws = (this._ws = new WebSocketClass(url, 'amqp'));
    const onFrame = (frame: Frame): void => events._onFrame(this, frame);
    // Reported once, however the socket ended.
    const end = (error?: unknown): void => {
      if (this._ended) return;
      this._ended = true;
      // In Node, a port that listens would keep the process alive.
      this._turn.port1.close();
      events._onClose(this, error);
    };
    this._turn.port1.onmessage = () => {
      this._burst = 0;
      events._pump();
    };
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this._out.raw(PROTOCOL_HEADER);
      this._send();
    };
    ws.onmessage = (event) => {
      if (this._ended) return;
      try {
        this._splitter.push(new Uint8Array(event.data as ArrayBuffer), onFrame);
      } catch (err) {
        this._close();
        end(err);
      }
    };
    // Browsers follow every error with a close event; `close` carries what we need.
    ws.onerror = () => {};
    ws.onclose = () => end();
  }

  /** Bytes to count as not yet on the wire: the WebSocket's buffer, frames waiting in `_out`, and the burst. */
  get _buffered(): number {
    return this._ws.bufferedAmount + this._out.length + this._burst;
  }

  /**
   * Sends what was written to `_out`: now if much is waiting, else once a
   * microtask passes without more being written. A loop of awaited publishes
   * resumes within a microtask, so its messages share one WebSocket message
   * rather than each paying for its own (and for the gateway's handling of it).
   */
  _send(): void {
    if (this._out.length >= FLUSH_AT) this._flush();
    else if (!this._scheduled) {
      this._scheduled = true;
      queueMicrotask(this._tick);
    }
  }

  /**
   * Sends the frames in `_out` without copying them first: a WebSocket copies
   * what `send` is given before it returns (the standard has it take a snapshot
   * of the bytes). `ws` in Node does too, except into its compressor, so with
   * permessage-deflate negotiated (Warren never does) the frames go as a copy.
   */
  _flush(): void {
    this._seen = 0;
    if (this._out.length === 0 || this._ended) return;
    const frames = this._out.takeView();
    if (!this._burst) this._turn.port2.postMessage(0);
    this._burst += frames.length;
    this._ws.send(this._ws.extensions ? frames.slice() : frames);
  }

  private readonly _tick = (): void => {
    const length = this._out.length;
    if (length > this._seen) {
      this._seen = length;
      queueMicrotask(this._tick);
    } else {
      this._scheduled = false;
      this._flush();
    }
  };

  _close(): void {
    this._flush();
    try {
      this._ws.close();
    } catch {
      // Closing a socket that never opened throws in some runtimes; it is gone either way.
    }
  }
}
