import type { Logger } from 'pino';
import {
  AmqpCodecError,
  CodecErrorCode,
  decodeMethod,
  encodeHeartbeat,
  FrameSplitter,
  FrameType,
  FrameWriter,
  PROTOCOL_HEADER,
  ReplyCode,
  REPLY_NAMES,
  type FieldTable,
  type Frame,
  type Method,
} from '../../shared/index.js';
import { parsePlainResponse } from '../auth/token-sources.js';
import { BrokerError, BrokerErrorCode } from '../broker/broker-errors.js';
import { BrokerLink } from '../broker/broker-link.js';
import type { GatewaySocket, SocketHandler } from '../transport/transport.js';
import { WsClose } from '../transport/transport.js';
import type { Authorizer, Denial } from './authorizer.js';
import { ChannelRelay } from './channel-relay.js';
import { FrameBatch } from './frame-batch.js';
import { PublishLimiter } from './publish-limiter.js';
import { proposeTuning, settleTuning, startFrame, type Tuning } from './handshake.js';

/** A token that passed verification. */
export interface SessionToken {
  readonly subject: string;
  /** Milliseconds since the epoch; undefined when the token does not expire. */
  readonly expiresAt: number | undefined;
  /** The raw JWT, kept only to hand to the broker in passthrough mode. Never logged. */
  readonly jwt: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A token check failure: `code` is stable, `reason` is safe to show the browser. */
export interface TokenFailure {
  readonly code: string;
  readonly reason: string;
}

export interface SessionSettings {
  readonly version: string;
  readonly brokers: readonly URL[];
  readonly brokerAuth: 'service' | 'passthrough';
  readonly brokerCa: string | undefined;
  readonly brokerConnectTimeoutMs: number;
  readonly brokerHeartbeatSec: number;
  readonly maxFrameSize: number;
  readonly maxChannels: number;
  readonly heartbeatSec: number;
  readonly handshakeTimeoutMs: number;
  readonly maxMessageSize: number;
  readonly maxPreauthFrameSize: number;
  /** Messages per second a session may publish; 0 = unlimited. */
  readonly publishRate: number;
  readonly identityHeader: string;
  readonly tokenExpiryGraceMs: number;
  readonly closeTimeoutMs: number;
  /** `bufferedAmount` above which the broker socket stops being read. */
  readonly browserHighWaterMark: number;
}

/** What a session asks of the gateway around it. */
export interface SessionServices {
  readonly settings: SessionSettings;
  readonly log: Logger;
  verifyToken(jwt: string): Promise<SessionToken | TokenFailure>;
  authorizerFor(token: SessionToken): Authorizer;
  /** Admission after authentication (per-user limits); a denial closes the session. */
  admit(session: Session, token: SessionToken): Denial | undefined;
  /** Everything metrics and the session registry want to know. */
  observe(event: SessionEvent): void;
}

export type SessionEvent =
  | { type: 'auth-failed'; code: string }
  | { type: 'broker-connected'; ms: number; url: URL }
  | { type: 'broker-failover'; url: URL }
  | { type: 'opened'; handshakeMs: number }
  | { type: 'denied'; method: string }
  | { type: 'backpressure'; direction: 'to-browser' | 'to-broker' | 'publish-rate' }
  | { type: 'traffic'; direction: 'in' | 'out'; frames: number; bytes: number }
  | { type: 'ended'; outcome: string };

const State = {
  AwaitingHeader: 'awaiting-header',
  AwaitingStartOk: 'awaiting-start-ok',
  AwaitingTuneOk: 'awaiting-tune-ok',
  AwaitingOpen: 'awaiting-open',
  Open: 'open',
  /** We sent connection.close to the browser and wait for its close-ok. */
  Closing: 'closing',
  /** The broker closed; its close went to the browser, whose close-ok goes back. */
  BrokerClosing: 'broker-closing',
  /** The browser closed; its close went to the broker, whose close-ok comes back. */
  BrowserClosing: 'browser-closing',
  Ended: 'ended',
} as const;
type State = (typeof State)[keyof typeof State];

/** Frames that may wait while the session checks a token or opens the broker connection. */
const MAX_WAITING_FRAMES = 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;
const START_OK = 11;
const UPDATE_SECRET = 70;

let nextId = 1;

/**
 * One browser session: the server side of the AMQP handshake towards the
 * browser, the client side towards the broker, then the relay between them.
 */
export class Session implements SocketHandler {
  readonly id = (nextId++).toString(36);
  readonly startedAt = Date.now();
  private state: State = State.AwaitingHeader;
  private readonly splitter: FrameSplitter;
  private readonly log: Logger;
  private readonly settings: SessionSettings;
  private token: SessionToken | undefined;
  private authorizer: Authorizer | undefined;
  private link: BrokerLink | undefined;
  private relay: ChannelRelay | undefined;
  private tuning: Tuning | undefined;
  private negotiated: Tuning | undefined;
  private vhost = '/';
  private clientProperties: FieldTable = {};
  private busy = false;
  private headerBytes = 0;
  private readonly waiting: Frame[] = [];
  /** Bytes of `waiting` held by the publish-rate limit. */
  private waitingBytes = 0;
  private readonly maxRateHeldBytes: number;
  private readonly toBrowserBatch = new FrameBatch();
  private readonly toBrokerBatch = new FrameBatch();
  private brokerPaused = false;
  private browserPaused = false;
  /** Reading stopped by the publish-rate limit until `rateTimer` fires. */
  private ratePaused = false;
  private rateTimer: NodeJS.Timeout | undefined;
  private readonly publishLimiter: PublishLimiter | undefined;
  private lastBrowserWrite = Date.now();
  private handshakeTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly endWaiters: (() => void)[] = [];
  private outcome = 'closed';
  private inFrames = 0;
  private inBytes = 0;

  constructor(
    private readonly socket: GatewaySocket,
    private readonly services: SessionServices,
    private readonly upgradeToken: SessionToken | undefined,
    readonly remoteAddress: string,
  ) {
    this.settings = services.settings;
    this.log = services.log.child({ session: this.id });
    this.splitter = new FrameSplitter({ frameMax: this.settings.maxPreauthFrameSize });
    if (this.settings.publishRate > 0) this.publishLimiter = new PublishLimiter(this.settings.publishRate);
    // One whole WebSocket message plus one socket read may arrive after reading stops.
    this.maxRateHeldBytes = this.settings.maxMessageSize + 4 * this.settings.maxFrameSize + 1024 * 1024;
    this.handshakeTimer = setTimeout(() => this.handshakeTimedOut(), this.settings.handshakeTimeoutMs);
  }

  /** The verified subject, once authenticated. */
  get subject(): string | undefined {
    return this.token?.subject;
  }

  // ——— socket events ———

  message(data: Uint8Array): void {
    if (this.state === State.Ended) return;
    this.inBytes += data.length;
    if (this.state === State.AwaitingHeader) {
      data = this.protocolHeader(data);
      if (data.length === 0) return;
    }
    try {
      this.splitter.push(data, this.onBrowserFrame);
    } catch (err) {
      this.browserProtocolError(err);
    }
    this.flush();
    if (this.inFrames > 0) {
      this.services.observe({ type: 'traffic', direction: 'in', frames: this.inFrames, bytes: this.inBytes });
      this.inFrames = 0;
      this.inBytes = 0;
    }
  }

  drain(): void {
    if (this.brokerPaused) {
      this.brokerPaused = false;
      this.link?.resume();
    }
  }

  closed(code: number, _reason: string): void {
    if (this.state === State.Ended) return;
    if (this.state !== State.Closing && this.state !== State.BrowserClosing) {
      this.outcome = code === WsClose.Normal ? 'browser-closed' : 'browser-gone';
    }
    this.end();
    this.link?.close(ReplyCode.Success, 'browser disconnected');
  }

  /** Closes the session with 320 CONNECTION_FORCED; resolves once it ended or the close timeout passed. */
  shutdown(): Promise<void> {
    if (this.state === State.Ended) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.endWaiters.push(resolve));
    this.outcome = 'shutdown';
    this.closeConnection(ReplyCode.ConnectionForced, 'CONNECTION_FORCED - gateway shutting down', 0, 0);
    this.flush();
    return done;
  }

  // ——— frames from the browser ———

  /** Reads the protocol header (possibly split across messages); returns the bytes after it. */
  private protocolHeader(data: Uint8Array): Uint8Array {
    const have = this.headerBytes;
    const n = Math.min(PROTOCOL_HEADER.length - have, data.length);
    for (let i = 0; i < n; i++) {
      if (data[i] !== PROTOCOL_HEADER[have + i]) {
        // The spec's answer to another protocol's header: ours, then close.
        this.outcome = 'protocol-header';
        this.socket.send(PROTOCOL_HEADER);
        this.finish(WsClose.ProtocolError, 'AMQP 0-9-1 expected');
        return data.subarray(data.length);
      }
    }
    this.headerBytes += n;
    if (this.headerBytes === PROTOCOL_HEADER.length) {
      this.state = State.AwaitingStartOk;
      this.socket.send(startFrame(this.settings.version));
    }
    return data.subarray(n);
  }

  private readonly onBrowserFrame = (frame: Frame): void => {
    this.inFrames++;
    if (this.ratePaused && !this.busy) {
      // Held, not dropped, while the publish-rate limit has reading stopped; bounded
      // by what the socket had already read when it paused.
      this.waitingBytes += frame.raw.length;
      if (this.waitingBytes > this.maxRateHeldBytes) {
        throw new AmqpCodecError(
          CodecErrorCode.InvalidValue,
          ReplyCode.ResourceError,
          'too much data sent past the publish-rate limit',
        );
      }
      this.waiting.push(frame);
      return;
    }
    if (this.busy) {
      if (this.waiting.length >= MAX_WAITING_FRAMES) {
        throw new AmqpCodecError(
          CodecErrorCode.InvalidValue,
          ReplyCode.ResourceError,
          'too many frames while authenticating',
        );
      }
      this.waiting.push(frame);
      return;
    }
    this.handleBrowserFrame(frame);
  };

  private handleBrowserFrame(frame: Frame): void {
    switch (this.state) {
      case State.Open:
        if (frame.channel !== 0) return this.relay!.fromBrowser(frame);
        if (frame.type === FrameType.Heartbeat) return;
        if (frame.type !== FrameType.Method) {
          return this.closeConnection(ReplyCode.UnexpectedFrame, 'UNEXPECTED_FRAME - content on channel 0', 0, 0);
        }
        return this.connectionMethodWhileOpen(frame);
      case State.AwaitingHeader:
        // The splitter consumed and checked the header; the first frame means it passed.
        return this.closeConnection(ReplyCode.UnexpectedFrame, 'UNEXPECTED_FRAME - expected connection.start-ok', 0, 0);
      case State.AwaitingStartOk:
      case State.AwaitingTuneOk:
      case State.AwaitingOpen:
        return this.handshakeFrame(frame);
      case State.Closing:
        return this.whileClosing(frame);
      case State.BrokerClosing:
        if (isConnectionMethod(frame, 10, 51)) {
          this.toBroker(frame.raw);
          this.outcome = 'broker-closed';
          this.finish();
        }
        return;
      case State.BrowserClosing:
      case State.Ended:
        return;
    }
  }

  private handshakeFrame(frame: Frame): void {
    if (frame.type === FrameType.Heartbeat && this.state !== State.AwaitingStartOk) return;
    if (frame.type !== FrameType.Method || frame.channel !== 0) {
      return this.closeConnection(ReplyCode.UnexpectedFrame, 'UNEXPECTED_FRAME - the handshake is not finished', 0, 0);
    }
    const method = decodeMethod(frame.payload);
    if (method.name === 'connection.close') {
      this.send(new FrameWriter().method(0, { name: 'connection.closeOk', args: {} }).take());
      this.outcome = 'browser-closed';
      return this.finish();
    }
    const expected =
      this.state === State.AwaitingStartOk
        ? 'connection.startOk'
        : this.state === State.AwaitingTuneOk
          ? 'connection.tuneOk'
          : 'connection.open';
    if (method.name !== expected) {
      return this.closeConnection(
        ReplyCode.CommandInvalid,
        `COMMAND_INVALID - expected ${expected}, got ${method.name}`,
        10,
        0,
      );
    }
    switch (method.name) {
      case 'connection.startOk':
        return this.runBusy(() => this.authenticate(method));
      case 'connection.tuneOk':
        return this.tuned(method);
      case 'connection.open':
        return this.runBusy(() => this.openVhost(method.args.virtualHost));
    }
  }

  private async authenticate(startOk: Method & { name: 'connection.startOk' }): Promise<void> {
    if (startOk.args.mechanism !== 'PLAIN') {
      this.services.observe({ type: 'auth-failed', code: 'ERR_MECHANISM' });
      return this.refuseAccess(
        `ACCESS_REFUSED - mechanism ${startOk.args.mechanism.slice(0, 40)} is not supported, use PLAIN`,
      );
    }
    this.clientProperties = startOk.args.clientProperties;
    let token = this.upgradeToken;
    if (token === undefined) {
      const verified = await this.services.verifyToken(plainPassword(startOk.args.response));
      if (this.state === State.Ended) return;
      if (!('subject' in verified)) {
        this.services.observe({ type: 'auth-failed', code: verified.code });
        this.log.info({ code: verified.code }, 'token refused');
        return this.refuseAccess(`ACCESS_REFUSED - ${verified.reason}`);
      }
      token = verified;
    }
    const refusal = this.services.admit(this, token);
    if (refusal !== undefined) {
      this.outcome = 'limit';
      return this.closeConnection(refusal.replyCode, refusal.replyText, 10, 11);
    }
    this.token = token;
    this.authorizer = this.services.authorizerFor(token);
    this.splitter.frameMax = Math.max(this.settings.maxPreauthFrameSize, this.settings.maxFrameSize);

    const started = Date.now();
    let link: BrokerLink;
    try {
      link = await BrokerLink.connect({
        urls: this.settings.brokers,
        credentialsFor: (url) =>
          this.settings.brokerAuth === 'passthrough'
            ? { username: '', password: token.jwt }
            : {
                username: decodeURIComponent(url.username || 'guest'),
                password: decodeURIComponent(url.password || 'guest'),
              },
        connectTimeoutMs: this.settings.brokerConnectTimeoutMs,
        clientProperties: this.brokerClientProperties(token.subject),
        ca: this.settings.brokerCa,
        onFailover: (url, err) => {
          this.log.warn({ broker: url.host, err: err.message }, 'broker unreachable, trying the next');
          this.services.observe({ type: 'broker-failover', url });
        },
      });
    } catch (err) {
      if (this.state === State.Ended) return;
      const e = err instanceof BrokerError ? err : BrokerError.unreachable(String(err));
      this.log.warn({ code: e.code, reply: e.replyCode, text: e.replyText }, 'broker connection failed');
      this.outcome = e.code === BrokerErrorCode.Refused ? 'broker-refused' : 'broker-unreachable';
      return this.closeConnection(e.replyCode, e.replyText, e.classId, e.methodId);
    }
    if (this.state === State.Ended) {
      link.destroy();
      return;
    }
    this.link = link;
    link.onClosed = (err) => this.brokerGone(err);
    this.services.observe({ type: 'broker-connected', ms: Date.now() - started, url: link.url });
    this.tuning = proposeTuning(this.settings, link.tune);
    this.send(new FrameWriter().method(0, { name: 'connection.tune', args: this.tuning }).take());
    this.state = State.AwaitingTuneOk;
  }

  private tuned(tuneOk: Method & { name: 'connection.tuneOk' }): void {
    const settled = settleTuning(this.tuning!, tuneOk.args);
    if ('replyCode' in settled) return this.closeConnection(settled.replyCode, settled.replyText, 10, 31);
    this.negotiated = settled;
    this.splitter.frameMax = settled.frameMax;
    this.state = State.AwaitingOpen;
  }

  private async openVhost(vhost: string): Promise<void> {
    const token = this.token!;
    const vhostRefusal = this.authorizer!.refuseVhost(vhost);
    if (vhostRefusal !== undefined) {
      this.outcome = 'vhost-refused';
      return this.closeConnection(vhostRefusal.replyCode, vhostRefusal.replyText, 10, 40);
    }
    const negotiated = this.negotiated!;
    const link = this.link!;
    const brokerHeartbeat =
      link.tune.heartbeat === 0
        ? this.settings.brokerHeartbeatSec
        : Math.min(link.tune.heartbeat, this.settings.brokerHeartbeatSec);
    try {
      await link.openVhost(vhost, {
        channelMax: negotiated.channelMax,
        frameMax: negotiated.frameMax,
        heartbeat: brokerHeartbeat,
      });
    } catch (err) {
      if (this.state === State.Ended) return;
      const e = err instanceof BrokerError ? err : BrokerError.unreachable(String(err));
      this.outcome = 'broker-refused';
      return this.closeConnection(e.replyCode, e.replyText, e.classId, e.methodId);
    }
    if (this.state === State.Ended) return;
    this.vhost = vhost;
    this.relay = this.createRelay(negotiated.channelMax);
    link.onFrame = this.onBrokerFrame;
    link.onChunkEnd = () => this.flush();
    link.onDrain(() => {
      if (this.browserPaused) {
        this.browserPaused = false;
        if (!this.busy && !this.ratePaused) this.socket.resume();
      }
    });
    this.state = State.Open;
    clearTimeout(this.handshakeTimer);
    this.send(new FrameWriter().method(0, { name: 'connection.openOk', args: {} }).take());
    this.scheduleExpiry();
    this.startBrowserHeartbeats(negotiated.heartbeat);
    this.services.observe({ type: 'opened', handshakeMs: Date.now() - this.startedAt });
    this.log.info({ subject: token.subject, vhost, broker: link.url.host }, 'session open');
  }

  private createRelay(channelMax: number): ChannelRelay {
    return new ChannelRelay({
      vhost: this.vhost,
      subject: this.token!.subject,
      channelMax,
      maxMessageSize: this.settings.maxMessageSize,
      identity: { headerName: this.settings.identityHeader, keepUserId: this.settings.brokerAuth === 'passthrough' },
      authorizer: () => this.authorizer!,
      toBrowser: (frame) => this.send(frame),
      toBroker: (frame) => this.toBroker(frame),
      connectionError: (code, text, classId, methodId) => this.closeConnection(code, text, classId, methodId),
      published: () => this.throttlePublish(),
      denied: (method, denial) => {
        this.services.observe({ type: 'denied', method: method.name });
        this.log.info({ method: method.name, reply: denial.replyCode }, 'operation refused');
      },
    });
  }

  private connectionMethodWhileOpen(frame: Frame): void {
    const method = decodeMethod(frame.payload);
    switch (method.name) {
      case 'connection.close':
        this.state = State.BrowserClosing;
        this.outcome = 'browser-closed';
        return this.toBroker(frame.raw);
      case 'connection.updateSecret':
        return this.runBusy(() => this.updateSecret(frame, method.args.newSecret));
      default:
        return this.closeConnection(
          ReplyCode.CommandInvalid,
          `COMMAND_INVALID - ${method.name} is not allowed on an open connection`,
          10,
          0,
        );
    }
  }

  private async updateSecret(frame: Frame, jwt: string): Promise<void> {
    const verified = await this.services.verifyToken(jwt);
    if (this.state !== State.Open) return;
    if (!('subject' in verified)) {
      this.services.observe({ type: 'auth-failed', code: verified.code });
      return this.refuseAccess(`ACCESS_REFUSED - token refresh refused: ${verified.reason}`, UPDATE_SECRET);
    }
    if (verified.subject !== this.token!.subject) {
      this.services.observe({ type: 'auth-failed', code: 'ERR_TOKEN_SUBJECT_MISMATCH' });
      return this.refuseAccess(
        'ACCESS_REFUSED - token refresh refused: the new token names another subject',
        UPDATE_SECRET,
      );
    }
    const authorizer = this.services.authorizerFor(verified);
    if (authorizer.refuseVhost(this.vhost) !== undefined) {
      return this.refuseAccess(`ACCESS_REFUSED - the new token does not grant vhost '${this.vhost}'`, UPDATE_SECRET);
    }
    this.token = verified;
    this.authorizer = authorizer;
    this.scheduleExpiry();
    this.log.info({ expiresAt: verified.expiresAt }, 'token refreshed');
    if (this.settings.brokerAuth === 'passthrough') {
      // The broker checks the new token itself and answers update-secret-ok.
      this.toBroker(frame.raw);
    } else {
      this.send(new FrameWriter().method(0, { name: 'connection.updateSecretOk', args: {} }).take());
    }
  }

  private whileClosing(frame: Frame): void {
    if (frame.type !== FrameType.Method || frame.channel !== 0) return;
    if (isConnectionMethod(frame, 10, 51)) return this.finish();
    if (isConnectionMethod(frame, 10, 50)) {
      this.send(new FrameWriter().method(0, { name: 'connection.closeOk', args: {} }).take());
      this.finish();
    }
  }

  // ——— frames from the broker ———

  private readonly onBrokerFrame = (frame: Frame): void => {
    if (frame.channel !== 0) {
      if (this.state === State.Open || this.state === State.BrowserClosing) this.relay!.fromBroker(frame);
      return;
    }
    if (frame.type !== FrameType.Method) return;
    const method = decodeMethod(frame.payload);
    switch (method.name) {
      case 'connection.close':
        if (this.state === State.Open || this.state === State.BrowserClosing) {
          this.state = State.BrokerClosing;
          this.log.info({ reply: method.args.replyCode, text: method.args.replyText }, 'broker closed the connection');
          this.send(frame.raw);
          this.closeTimer = setTimeout(() => this.finish(), this.settings.closeTimeoutMs);
        }
        return;
      case 'connection.closeOk':
        if (this.state === State.BrowserClosing) {
          this.send(frame.raw);
          this.finish();
        }
        return;
      default:
        // blocked, unblocked, update-secret-ok (passthrough): the browser's to see.
        if (this.state === State.Open) this.send(frame.raw);
        return;
    }
  };

  private brokerGone(err: BrokerError | undefined): void {
    if (this.state === State.Ended) return;
    if (this.state === State.BrowserClosing) return this.finish();
    if (this.state === State.BrokerClosing) {
      // The browser already has the broker's own close (RabbitMQ drops the socket without waiting for
      // close-ok); a second close would contradict it. Its close-ok now ends the session here.
      this.link = undefined;
      return;
    }
    if (err === undefined) return;
    this.log.warn({ code: err.code, text: err.replyText }, 'broker connection lost');
    this.outcome = 'broker-lost';
    this.link = undefined;
    this.closeConnection(err.replyCode, err.replyText, 0, 0);
    this.flush();
  }

  // ——— output ———

  private send(frame: Uint8Array): void {
    this.toBrowserBatch.add(frame);
  }

  private toBroker(frame: Uint8Array): void {
    this.toBrokerBatch.add(frame);
  }

  /** Sends what was batched while handling a chunk, and applies backpressure both ways. */
  private flush(): void {
    if (this.toBrowserBatch.length > 0) {
      let frames = 0;
      const bytes = this.toBrowserBatch.length;
      this.toBrowserBatch.flushJoined((message) => {
        frames++;
        this.socket.send(message);
      });
      this.lastBrowserWrite = Date.now();
      this.services.observe({ type: 'traffic', direction: 'out', frames, bytes });
      if (
        !this.brokerPaused &&
        this.link !== undefined &&
        this.socket.bufferedAmount > this.settings.browserHighWaterMark
      ) {
        this.brokerPaused = true;
        this.link.pause();
        this.services.observe({ type: 'backpressure', direction: 'to-browser' });
      }
    }
    const link = this.link;
    if (this.toBrokerBatch.length > 0 && link !== undefined) {
      let full = false;
      link.cork();
      this.toBrokerBatch.flushEach((run) => {
        if (!link.write(run)) full = true;
      });
      link.uncork();
      if (full && !this.browserPaused) {
        this.browserPaused = true;
        this.socket.pause();
        this.services.observe({ type: 'backpressure', direction: 'to-broker' });
      }
    }
  }

  // ——— closing ———

  /** Sends connection.close to the browser and waits (bounded) for its close-ok. */
  private closeConnection(replyCode: number, replyText: string, classId: number, methodId: number): void {
    if (this.state === State.Closing || this.state === State.Ended) return;
    if (this.outcome === 'closed') this.outcome = `error-${replyCode}`;
    this.state = State.Closing;
    clearTimeout(this.handshakeTimer);
    this.toBrokerBatch.flushEach(() => {});
    this.link?.close(ReplyCode.Success, 'gateway closed the session');
    this.link = undefined;
    this.send(
      new FrameWriter()
        .method(0, {
          name: 'connection.close',
          args: { replyCode, replyText: replyText.slice(0, 255), classId, methodId },
        })
        .take(),
    );
    this.closeTimer = setTimeout(() => this.finish(), this.settings.closeTimeoutMs);
  }

  /** Closes with 403, naming the method that carried the token: start-ok (10, 11) or update-secret (10, 70). */
  private refuseAccess(replyText: string, methodId = START_OK): void {
    this.outcome = 'auth-failed';
    this.closeConnection(ReplyCode.AccessRefused, replyText, 10, methodId);
  }

  private browserProtocolError(err: unknown): void {
    if (err instanceof AmqpCodecError) {
      this.outcome = `error-${err.replyCode}`;
      const name = REPLY_NAMES[err.replyCode] ?? 'FRAME_ERROR';
      return this.closeConnection(err.replyCode, `${name} - ${err.message}`, err.classId, err.methodId);
    }
    this.log.error({ err }, 'unexpected error handling a browser frame');
    this.closeConnection(ReplyCode.InternalError, 'INTERNAL_ERROR - gateway error', 0, 0);
  }

  private handshakeTimedOut(): void {
    if (this.state === State.Open || this.state === State.Ended) return;
    this.outcome = 'handshake-timeout';
    this.log.info({ state: this.state }, 'handshake timed out');
    this.finish(WsClose.PolicyViolation, 'AMQP handshake timed out');
  }

  /** Ends the session: the WebSocket is closed and the broker connection released. */
  private finish(code: number = WsClose.Normal, reason = ''): void {
    if (this.state === State.Ended) return;
    this.flush();
    this.end();
    this.link?.close(ReplyCode.Success, 'session ended');
    this.socket.close(code, reason);
  }

  private end(): void {
    if (this.state === State.Ended) return;
    this.state = State.Ended;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.expiryTimer);
    clearTimeout(this.closeTimer);
    clearTimeout(this.rateTimer);
    clearInterval(this.heartbeatTimer);
    this.waiting.length = 0;
    this.waitingBytes = 0;
    this.services.observe({ type: 'ended', outcome: this.outcome });
    this.log.info({ outcome: this.outcome, ms: Date.now() - this.startedAt }, 'session ended');
    for (const resolve of this.endWaiters.splice(0)) resolve();
  }

  // ——— timers ———

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const expiresAt = this.token?.expiresAt;
    if (expiresAt === undefined) return;
    const delay = expiresAt + this.settings.tokenExpiryGraceMs - Date.now();
    if (delay <= 0) return this.expire();
    this.expiryTimer = setTimeout(() => this.scheduleExpiryOrExpire(), Math.min(delay, MAX_TIMER_MS));
    this.expiryTimer.unref();
  }

  private scheduleExpiryOrExpire(): void {
    const expiresAt = this.token?.expiresAt;
    if (expiresAt !== undefined && expiresAt + this.settings.tokenExpiryGraceMs <= Date.now()) return this.expire();
    this.scheduleExpiry();
  }

  private expire(): void {
    this.outcome = 'token-expired';
    this.log.info('token expired');
    this.closeConnection(
      ReplyCode.AccessRefused,
      'ACCESS_REFUSED - token expired; refresh it with connection.update-secret',
      0,
      0,
    );
    this.flush();
  }

  private startBrowserHeartbeats(seconds: number): void {
    if (seconds <= 0) return;
    const intervalMs = (seconds * 1000) / 2;
    const frame = encodeHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastBrowserWrite >= intervalMs) {
        this.socket.send(frame);
        this.lastBrowserWrite = Date.now();
      }
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  /**
   * Counts one publish against `--publish-rate`. Over the limit the session
   * holds reading rather than dropping or refusing: the browser's socket is
   * paused until the bucket has refilled (see {@link PublishLimiter}).
   */
  private throttlePublish(): void {
    const waitMs = this.publishLimiter?.take() ?? 0;
    if (waitMs === 0 || this.ratePaused) return;
    this.ratePaused = true;
    this.socket.pause();
    this.services.observe({ type: 'backpressure', direction: 'publish-rate' });
    this.rateTimer = setTimeout(() => this.rateRefilled(), waitMs);
  }

  /** Replays the frames held by the rate limit (a publish among them may pause again), then reads on. */
  private rateRefilled(): void {
    this.ratePaused = false;
    if (this.state === State.Ended || this.busy) return;
    try {
      while (!this.busy && !this.ratePaused && this.waiting.length > 0 && !this.ended) {
        const frame = this.waiting.shift()!;
        this.waitingBytes -= frame.raw.length;
        this.handleBrowserFrame(frame);
      }
    } catch (err) {
      this.browserProtocolError(err);
    }
    this.flush();
    if (!this.ended && !this.busy && !this.ratePaused && !this.browserPaused) this.socket.resume();
  }

  /** Read through a getter so the compiler does not narrow `state` across calls that change it. */
  private get ended(): boolean {
    return this.state === State.Ended;
  }

  /** Runs an async step with the browser's later frames held back, then replays them in order. */
  private runBusy(step: () => Promise<void>): void {
    this.busy = true;
    this.socket.pause();
    step()
      .catch((err: unknown) => {
        this.log.error({ err }, 'session step failed');
        this.closeConnection(ReplyCode.InternalError, 'INTERNAL_ERROR - gateway error', 0, 0);
      })
      .finally(() => {
        this.busy = false;
        if (!this.browserPaused && !this.ratePaused) this.socket.resume();
        try {
          while (!this.busy && !this.ratePaused && this.waiting.length > 0 && this.state !== State.Ended) {
            const frame = this.waiting.shift()!;
            this.waitingBytes = Math.max(0, this.waitingBytes - frame.raw.length);
            this.handleBrowserFrame(frame);
          }
        } catch (err) {
          this.browserProtocolError(err);
        }
        this.flush();
      });
  }

  private brokerClientProperties(subject: string): FieldTable {
    const browserName = this.clientProperties['connection_name'];
    return {
      product: 'Warren gateway',
      version: this.settings.version,
      capabilities: this.clientProperties['capabilities'] ?? {},
      connection_name:
        `warren ${this.id} ${subject}${typeof browserName === 'string' ? ` (${browserName})` : ''}`.slice(0, 1000),
    };
  }
}

function isConnectionMethod(frame: Frame, classId: number, methodId: number): boolean {
  const p = frame.payload;
  return (
    frame.type === FrameType.Method &&
    p.length >= 4 &&
    ((p[0]! << 8) | p[1]!) === classId &&
    ((p[2]! << 8) | p[3]!) === methodId
  );
}

/** The PLAIN password, where the token travels; an empty string when the response is malformed. */
function plainPassword(response: string): string {
  try {
    return parsePlainResponse(response).password;
  } catch {
    return '';
  }
}
