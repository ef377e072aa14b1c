import type { Socket } from 'node:net';
import {
  AmqpCodecError,
  decodeMethodFrame,
  encodeHeartbeat,
  FrameSplitter,
  FrameType,
  FrameWriter,
  PROTOCOL_HEADER,
  ReplyCode,
  type FieldTable,
  type Frame,
  type Method,
} from '../../shared/index.js';
import { stopEvery, tickEvery, type Periodic } from '../shared-interval.js';
import { BrokerError, BrokerErrorCode } from './broker-errors.js';
import { carryUpTo, openBrokerSocket, readInto, type ChunkReader } from './broker-socket.js';
import { HandshakeReader } from './handshake-reader.js';
import { SpareBuffers } from './spare-buffers.js';

export interface BrokerCredentials {
  readonly username: string;
  readonly password: string;
}

export interface BrokerLinkOptions {
  /** Tried in order; the first that completes the handshake up to tune wins. */
  readonly urls: readonly URL[];
  /** Credentials for a URL: the URL's own (service mode) or the session's token (passthrough). */
  readonly credentialsFor: (url: URL) => BrokerCredentials;
  readonly connectTimeoutMs: number;
  /** Bytes waiting to be written above which `write` returns false (Node's default: 16 KiB). */
  readonly writableHighWaterMark?: number;
  readonly clientProperties: FieldTable;
  /** CA bundle for amqps:// URLs. */
  readonly ca?: string | Buffer | undefined;
  /** Called when a URL fails and the next is tried. */
  readonly onFailover?: (url: URL, err: Error) => void;
}

/** What the broker proposed in connection.tune. */
export interface BrokerTune {
  readonly channelMax: number;
  readonly frameMax: number;
  readonly heartbeat: number;
}

/** Who a link reports to: one object, so a link costs no closures. */
export interface BrokerLinkListener {
  /** A frame from the broker once the link is open (heartbeats excluded). */
  brokerFrame(frame: Frame): void;
  /**
   * After each chunk read from the socket once the link is open, so what was
   * batched can be flushed. The chunk's memory (frames' `bytes`) is read into
   * again after this returns: always when `shared`, so nothing may refer to it
   * by then; otherwise unless this answers true, that something still does.
   */
  brokerChunkEnd(shared: boolean): boolean;
  /** Once, when the connection is gone, with the reason when it was not a clean close. */
  brokerClosed(err: BrokerError | undefined): void;
  /** The socket's write buffer drained, once the link is open. */
  brokerDrained(): void;
}

/**
 * Memory of split frames that links gave up when their socket stopped
 * streaming, for the next link's split frames (see FrameSplitter.release):
 * 1 MiB at most, for the process.
 */
const SPLIT_FRAME_SPARES = new SpareBuffers(1024 * 1024);

/**
 * The largest frame a read that ends in it leaves to the next (see ReadBuffer):
 * the default --max-frame-size. Larger ones are gathered apart.
 */
const MAX_CARRY = 128 * 1024;

const NO_LISTENER: BrokerLinkListener = {
  brokerFrame: () => {},
  brokerChunkEnd: () => false,
  brokerClosed: () => {},
  brokerDrained: () => {},
};

/**
 * One broker-side AMQP connection. `connectBroker` runs the handshake up to
 * connection.tune; `open` completes it for a vhost; after that, frames flow
 * to the listener's `brokerFrame` and `write` sends raw frames.
 */
export class BrokerLink implements Periodic, ChunkReader {
  listener: BrokerLinkListener = NO_LISTENER;

  private readonly splitter = new FrameSplitter({ spares: SPLIT_FRAME_SPARES });
  private waiter: ((method: Method | Error) => void) | undefined;
  /** Negotiated heartbeat in seconds; 0 while none runs. */
  private heartbeatSec = 0;
  private lastRead = Date.now();
  private lastWrite = Date.now();
  private closed = false;
  private closing = false;
  private open = false;
  /** The largest unfinished frame a full read leaves to the next; set once frame_max is. */
  private carryLimit = 0;

  constructor(
    private readonly socket: Socket,
    readonly url: URL,
    readonly tune: BrokerTune,
  ) {}

  /** Connects to the first broker that answers, authenticates, and stops at connection.tune. */
  static async connect(options: BrokerLinkOptions): Promise<BrokerLink> {
    let lastError: Error = new Error('no broker URL configured');
    for (const url of options.urls) {
      try {
        return await connectOne(url, options);
      } catch (err) {
        // The broker refusing us (bad credentials) is an answer, not an outage: stop there.
        if (err instanceof BrokerError && err.code === BrokerErrorCode.Refused) throw err;
        lastError = err as Error;
        options.onFailover?.(url, lastError);
      }
    }
    if (lastError instanceof BrokerError) throw lastError;
    throw BrokerError.unreachable(lastError.message, lastError);
  }

  /** Sends tune-ok and connection.open; resolves on open-ok, rejects with the broker's close. */
  async openVhost(vhost: string, tuning: BrokerTune): Promise<void> {
    this.splitter.frameMax = tuning.frameMax;
    this.carryLimit = Math.min(tuning.frameMax, MAX_CARRY);
    carryUpTo(this.socket, this.carryLimit);
    const writer = new FrameWriter();
    writer.method(0, { name: 'connection.tuneOk', args: tuning });
    writer.method(0, { name: 'connection.open', args: { virtualHost: vhost } });
    this.socket.write(writer.take());
    const reply = await this.next();
    if (reply.name !== 'connection.openOk') throw unexpected(reply);
    this.open = true;
    this.startHeartbeats(tuning.heartbeat);
  }

  /** Writes whole frames; false means the socket's buffer is full (wait for `drain`). */
  write(frames: Uint8Array): boolean {
    this.lastWrite = Date.now();
    return this.socket.write(frames);
  }

  /** Stops reading from the broker (the browser cannot keep up). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  /**
   * Closes the AMQP connection cleanly: connection.close, then the socket once
   * close-ok arrives or `timeoutMs` passes.
   */
  close(replyCode: number, replyText: string, timeoutMs = 2000): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.stopHeartbeats();
    this.socket.write(
      new FrameWriter()
        .method(0, { name: 'connection.close', args: { replyCode, replyText, classId: 0, methodId: 0 } })
        .take(),
    );
    setTimeout(() => this.destroy(), timeoutMs).unref();
  }

  /** Drops the socket at once. */
  destroy(): void {
    this.socket.destroy();
  }

  /** One chunk read from the socket (see {@link ChunkReader}). */
  read(chunk: Uint8Array, shared: boolean, full: boolean): boolean {
    this.lastRead = Date.now();
    // Only a socket that streams reads again at once, into memory of its own that can hold what is left.
    this.splitter.carryLimit = full ? this.carryLimit : 0;
    try {
      this.splitter.push(chunk, this.dispatch, this);
    } catch (err) {
      // What came before the malformed frame goes on while the chunk is still there to send.
      if (this.open) this.listener.brokerChunkEnd(shared);
      const reason =
        err instanceof AmqpCodecError ? `broker sent a malformed frame: ${err.message}` : 'broker frame error';
      this.fail(BrokerError.protocol(reason));
      return true;
    }
    const held = this.open && this.listener.brokerChunkEnd(shared);
    // A split frame's memory is kept for the next only while the socket streams (see ReadBuffer).
    this.splitter.release(held, full);
    return held;
  }

  /** What the last chunk left unread, for the next to begin with (see {@link ChunkReader}). */
  get leftover(): number {
    return this.splitter.leftover;
  }

  handleDrain(): void {
    if (this.open) this.listener.brokerDrained();
  }

  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopHeartbeats();
    const err = this.closing
      ? undefined
      : new BrokerError(BrokerErrorCode.Lost, ReplyCode.ConnectionForced, 'CONNECTION_FORCED - broker connection lost');
    this.waiter?.(err ?? new Error('closed'));
    this.listener.brokerClosed(err);
  }

  /** The splitter's callback, called with the link as `this` (a method, so no closure per link). */
  private dispatch(frame: Frame): void {
    if (frame.type === FrameType.Heartbeat) return;
    if (this.open) {
      // connection.close-ok to our own close ends the link; everything else goes to the session.
      if (this.closing && frame.channel === 0 && frame.type === FrameType.Method) {
        const method = decodeMethodFrame(frame);
        if (method.name === 'connection.closeOk') {
          this.socket.end();
          return;
        }
      }
      if (!this.closing) this.listener.brokerFrame(frame);
      return;
    }
    if (frame.type !== FrameType.Method || frame.channel !== 0) {
      return this.fail(BrokerError.protocol(`unexpected frame type ${frame.type} during the handshake`));
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(decodeMethodFrame(frame));
  }

  /** The next method of the handshake; a connection.close from the broker rejects. */
  next(): Promise<Method> {
    return new Promise((resolve, reject) => {
      this.waiter = (method) => {
        if (method instanceof Error) return reject(method);
        if (method.name === 'connection.close') {
          this.socket.write(new FrameWriter().method(0, { name: 'connection.closeOk', args: {} }).take());
          this.closing = true;
          const { replyCode, replyText, classId, methodId } = method.args;
          return reject(new BrokerError(BrokerErrorCode.Refused, replyCode, replyText, classId, methodId));
        }
        resolve(method);
      };
    });
  }

  private fail(err: BrokerError): void {
    this.waiter?.(err);
    this.waiter = undefined;
    if (!this.closed) {
      this.closed = true;
      this.stopHeartbeats();
      this.socket.destroy();
      this.listener.brokerClosed(err);
    }
  }

  private startHeartbeats(seconds: number): void {
    if (seconds <= 0) return;
    this.heartbeatSec = seconds;
    tickEvery((seconds * 1000) / 2, this);
  }

  /** Heartbeat check, at half the negotiated interval (one shared timer for every link). */
  tick(now: number): void {
    const seconds = this.heartbeatSec;
    if (now - this.lastRead > seconds * 2000) {
      this.fail(
        new BrokerError(
          BrokerErrorCode.Lost,
          ReplyCode.ConnectionForced,
          'CONNECTION_FORCED - broker missed heartbeats',
        ),
      );
      return;
    }
    if (now - this.lastWrite >= (seconds * 1000) / 2) this.write(HEARTBEAT);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatSec === 0) return;
    stopEvery((this.heartbeatSec * 1000) / 2, this);
    this.heartbeatSec = 0;
  }
}

const HEARTBEAT = encodeHeartbeat();

function unexpected(method: Method): BrokerError {
  return BrokerError.protocol(`broker sent ${method.name} during the handshake`);
}

async function connectOne(url: URL, options: BrokerLinkOptions): Promise<BrokerLink> {
  const socket = await openBrokerSocket(url, options);
  socket.setNoDelay(true);
  let link: BrokerLink;
  const handshake = new HandshakeReader(socket);
  socket.write(PROTOCOL_HEADER);
  try {
    const start = await handshake.next(options.connectTimeoutMs);
    if (start.name !== 'connection.start') throw unexpected(start);
    if (!start.args.mechanisms.split(' ').includes('PLAIN')) {
      throw BrokerError.protocol(`broker offers no PLAIN mechanism (${start.args.mechanisms})`);
    }
    const { username, password } = options.credentialsFor(url);
    socket.write(
      new FrameWriter()
        .method(0, {
          name: 'connection.startOk',
          args: {
            clientProperties: options.clientProperties,
            mechanism: 'PLAIN',
            response: `\u0000${username}\u0000${password}`,
            locale: 'en_US',
          },
        })
        .take(),
    );
    const tune = await handshake.next(options.connectTimeoutMs);
    if (tune.name !== 'connection.tune') throw unexpected(tune);
    link = new BrokerLink(socket, url, tune.args);
    handshake.detach();
  } catch (err) {
    socket.destroy();
    throw err;
  }
  (socket as LinkedSocket)[LINK] = link;
  readInto(socket, link);
  socket.on('close', onLinkClose);
  socket.on('drain', onLinkDrain);
  return link;
}

/** The link a socket's shared listeners report to. */
const LINK = Symbol('warren.brokerLink');
type LinkedSocket = Socket & { [LINK]: BrokerLink };

function onLinkClose(this: LinkedSocket): void {
  this[LINK].handleClose();
}

function onLinkDrain(this: LinkedSocket): void {
  this[LINK].handleDrain();
}
