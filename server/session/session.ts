import {
  AmqpCodecError,
  decodeMethodFrame,
  FrameSplitter,
  FrameType,
  FrameWriter,
  methodKey,
  ReplyCode,
  REPLY_NAMES,
  type Frame,
  type Method,
} from '../../shared/index.js';
import type { BrokerError } from '../broker/broker-errors.js';
import type { BrokerLink, BrokerLinkListener } from '../broker/broker-link.js';
import { SessionLog } from '../observability/session-log.js';
import type { GatewaySocket, SocketHandler } from '../transport/transport.js';
import { WsClose } from '../transport/transport.js';
import { replyText as fitReplyText } from '../policy/authorize.js';
import type { Authorizer, Denial } from './authorizer.js';
import { BrowserHandshake, type HandshakeContext, type OpenedSession } from './browser-handshake.js';
import { ChannelRelay, type RelaySession } from './channel-relay.js';
import { BrowserReads, type BrowserReadsOwner } from './browser-reads.js';
import { SessionOutput, type OutputOwner } from './session-output.js';
import { BrowserHeartbeats, ExpiryTimer, type ExpiryListener } from './session-timers.js';
import { judgeRefresh } from './token-refresh.js';
import type { SessionEvent, SessionServices, SessionSettings, SessionToken } from './session-types.js';

export type { SessionEvent, SessionServices, SessionSettings, SessionToken, TokenFailure } from './session-types.js';

const State = {
  /** Before connection.open-ok: {@link BrowserHandshake} has the frames. */
  Handshake: 'handshake',
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

const UPDATE_SECRET = 70;

let nextId = 1;

/**
 * One browser session: the server side of the AMQP handshake towards the
 * browser, the client side towards the broker, then the relay between them.
 */
export class Session
  implements SocketHandler, BrokerLinkListener, ExpiryListener, RelaySession, OutputOwner, BrowserReadsOwner
{
  readonly id = (nextId++).toString(36);
  readonly startedAt = Date.now();
  private state: State = State.Handshake;
  private readonly splitter: FrameSplitter;
  private readonly log: SessionLog;
  private readonly settings: SessionSettings;
  /** The token's subject once authenticated (the token itself is not kept: the authorizer has what it granted). */
  private subject = '';
  private authorizer: Authorizer | undefined;
  private link: BrokerLink | undefined;
  /** Created with the first frame on a channel: an idle session has none. */
  private relay: ChannelRelay | undefined;
  private channelMax = 0;
  /** Dropped once the session is open. */
  private handshake: BrowserHandshake | undefined;
  private vhost = '/';
  private readonly output: SessionOutput;
  /** Whether the browser's frames are handled as they come or held (a token check, the publish-rate limit). */
  private readonly reads: BrowserReads;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private readonly expiry: ExpiryTimer;
  private heartbeats: BrowserHeartbeats | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private endWaiters: (() => void)[] | undefined;
  private outcome = 'closed';
  /** The browser's start-ok announced the `connection.blocked` capability. */
  private announcedBlocked = false;
  private inFrames = 0;
  private inBytes = 0;

  constructor(
    private readonly socket: GatewaySocket,
    private readonly services: SessionServices,
    upgradeToken: SessionToken | undefined,
    readonly remoteAddress: string,
  ) {
    this.settings = services.settings;
    this.log = new SessionLog(services.log, this.id);
    this.splitter = new FrameSplitter({ frameMax: this.settings.maxPreauthFrameSize });
    this.output = new SessionOutput(socket, this.settings.brokerHighWaterMark, this);
    this.reads = new BrowserReads(
      socket,
      this.output,
      this,
      this.settings.publishRate,
      // One whole WebSocket message plus one socket read may arrive after reading stops.
      this.settings.maxMessageSize + 4 * this.settings.maxFrameSize + 1024 * 1024,
    );
    this.expiry = new ExpiryTimer(this.settings.tokenExpiryGraceMs, this);
    this.handshake = new BrowserHandshake(this.handshakeContext(upgradeToken));
    this.handshakeTimer = setTimeout(() => this.handshakeTimedOut(), this.settings.handshakeTimeoutMs);
  }

  // ——— socket events ———

  message(data: Uint8Array): void {
    if (this.state === State.Ended) return;
    this.inBytes += data.length;
    if (this.state === State.Handshake && this.handshake?.awaitingProtocolHeader === true) {
      data = this.handshake.protocolHeader(data);
    }
    if (data.length > 0 && !this.ended) {
      try {
        this.splitter.push(data, this.onBrowserFrame, this);
      } catch (err) {
        this.browserProtocolError(err);
      }
    }
  }

  /** After the messages of one socket read: what they produced leaves in one write each way. */
  messagesEnd(): void {
    this.flush();
    if (this.inFrames > 0) {
      this.observe({ type: 'traffic', direction: 'in', frames: this.inFrames, bytes: this.inBytes });
      this.inFrames = 0;
      this.inBytes = 0;
    }
  }

  drain(): void {
    this.output.browserDrained(this.link);
  }

  /** More arrived while reading was held than the transport bounds (uWS, whose pause does not stop reading). */
  overrun(): void {
    if (this.state !== State.Open && this.state !== State.Handshake) {
      // Closing already (the 506 went out a bound's worth ago, or another close), and the browser still sends.
      this.finish(WsClose.PolicyViolation, 'resource error: too much sent while reading was held');
      return;
    }
    this.outcome = 'overrun';
    this.log.info({ state: this.state }, 'browser sent too much while reading was held');
    this.closeConnection(
      ReplyCode.ResourceError,
      'RESOURCE_ERROR - too much sent while the gateway was not reading; wait for connection.unblocked',
      0,
      0,
    );
    this.flush();
  }

  /** Whether the browser may be told connection.blocked ({@link OutputOwner}). */
  get browserTakesBlocked(): boolean {
    return this.state === State.Open && this.announcedBlocked;
  }

  /** Reports an event to the gateway (metrics, registry). */
  observe(event: SessionEvent): void {
    this.services.observe(event, this);
  }

  closed(code: number, _reason: string): void {
    if (this.state === State.Ended) return;
    // What the browser's last messages produced goes first: uWS ends a read's messages after its
    // callbacks, and the close can come before that (see MessagesEndQueue).
    this.messagesEnd();
    if (this.state !== State.Closing && this.state !== State.BrowserClosing) {
      this.outcome = code === WsClose.Normal ? 'browser-closed' : 'browser-gone';
    }
    this.end();
    this.link?.close(ReplyCode.Success, 'browser disconnected');
  }

  /** Closes the session with 320 CONNECTION_FORCED; resolves once it ended or the close timeout passed. */
  shutdown(): Promise<void> {
    if (this.state === State.Ended) return Promise.resolve();
    const done = new Promise<void>((resolve) => (this.endWaiters ??= []).push(resolve));
    this.outcome = 'shutdown';
    this.closeConnection(ReplyCode.ConnectionForced, 'CONNECTION_FORCED - gateway shutting down', 0, 0);
    this.flush();
    return done;
  }

  // ——— frames from the browser ———

  /** The splitter's callback, called with the session as `this` (a method, so no closure per session). */
  private onBrowserFrame(frame: Frame): void {
    this.inFrames++;
    this.reads.frame(frame);
  }

  /** A browser frame, now that nothing holds it ({@link BrowserReadsOwner}). */
  handleBrowserFrame(frame: Frame): void {
    switch (this.state) {
      case State.Open:
        if (frame.channel !== 0) return this.channels().fromBrowser(frame);
        if (frame.type === FrameType.Heartbeat) return;
        if (frame.type !== FrameType.Method) {
          return this.closeConnection(ReplyCode.UnexpectedFrame, 'UNEXPECTED_FRAME - content on channel 0', 0, 0);
        }
        return this.connectionMethodWhileOpen(frame);
      case State.Handshake:
        return this.handshake?.frame(frame);
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

  private handshakeContext(upgradeToken: SessionToken | undefined): HandshakeContext {
    return {
      sessionId: this.id,
      settings: this.settings,
      services: this.services,
      log: this.log,
      upgradeToken,
      send: (frame) => this.send(frame),
      observe: (event) => this.observe(event),
      closeConnection: (code, text, classId, methodId, outcome) => {
        if (outcome !== undefined) this.outcome = outcome;
        this.closeConnection(code, text, classId, methodId);
      },
      finish: (outcome, wsCode, reason) => {
        this.outcome = outcome;
        this.finish(wsCode, reason);
      },
      runBusy: (step) => this.reads.runBusy(step),
      ended: () => this.ended,
      admit: (token) => this.services.admit(this, token),
      setFrameMax: (frameMax) => {
        this.splitter.frameMax = frameMax;
      },
      brokerLinked: (link) => {
        this.link = link;
        link.listener = this;
      },
      opened: (opened) => this.opened(opened),
    };
  }

  /** The handshake is done: relay from now on. */
  private opened({ token, authorizer, link, tuning, vhost, takesBlocked }: OpenedSession): void {
    this.subject = token.subject;
    this.announcedBlocked = takesBlocked;
    this.authorizer = authorizer;
    this.vhost = vhost;
    this.channelMax = tuning.channelMax;
    this.handshake = undefined;
    this.state = State.Open;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.expiry.schedule(token.expiresAt);
    this.heartbeats = BrowserHeartbeats.start(tuning.heartbeat, this.output, this.socket);
    this.observe({ type: 'opened', handshakeMs: Date.now() - this.startedAt });
    this.log.info({ subject: token.subject, vhost, broker: link.url.host }, 'session open');
  }

  /** The channel relay, created on first use. */
  private channels(): ChannelRelay {
    return (this.relay ??= this.createRelay());
  }

  private createRelay(): ChannelRelay {
    return new ChannelRelay({
      vhost: this.vhost,
      subject: this.subject,
      channelMax: this.channelMax,
      maxMessageSize: this.settings.maxMessageSize,
      identity: { headerName: this.settings.identityHeader, keepUserId: this.settings.brokerAuth === 'passthrough' },
      output: this.output,
      session: this,
    });
  }

  // ——— the relay's session side ({@link RelaySession}) ———

  relayAuthorizer(): Authorizer {
    return this.authorizer!;
  }

  relayConnectionError(replyCode: number, replyText: string, classId: number, methodId: number): void {
    this.closeConnection(replyCode, replyText, classId, methodId);
  }

  relayPublished(): void {
    this.reads.published();
  }

  relayDenied(method: Method, denial: Denial): void {
    this.observe({ type: 'denied', method: method.name });
    this.log.info({ method: method.name, reply: denial.replyCode }, 'operation refused');
  }

  private connectionMethodWhileOpen(frame: Frame): void {
    const method = decodeMethodFrame(frame);
    switch (method.name) {
      case 'connection.close':
        this.state = State.BrowserClosing;
        this.outcome = 'browser-closed';
        return this.toBroker(frame.raw);
      case 'connection.updateSecret':
        return this.reads.runBusy(() => this.updateSecret(frame, method.args.newSecret));
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
    const refresh = await judgeRefresh(this.services, jwt, this.subject, this.vhost);
    if (this.state !== State.Open) return;
    if (!refresh.accepted) {
      if (refresh.failure !== undefined) this.observe({ type: 'auth-failed', code: refresh.failure });
      return this.refuseRefresh(refresh.replyText);
    }
    this.authorizer = refresh.authorizer;
    this.expiry.schedule(refresh.expiresAt);
    this.log.info({ expiresAt: refresh.expiresAt }, 'token refreshed');
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

  /** A frame from the broker (its {@link BrokerLinkListener} side). */
  brokerFrame(frame: Frame): void {
    if (frame.channel !== 0) {
      if (this.state === State.Open || this.state === State.BrowserClosing) this.channels().fromBroker(frame);
      return;
    }
    if (frame.type !== FrameType.Method) return;
    const method = decodeMethodFrame(frame);
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
      case 'connection.blocked':
      case 'connection.unblocked':
        if (this.state === State.Open) this.output.relayBrokerBlocked(frame.raw, method.name === 'connection.blocked');
        return;
      default:
        // update-secret-ok (passthrough): the browser's to see.
        if (this.state === State.Open) this.send(frame.raw);
        return;
    }
  }

  brokerChunkEnd(shared: boolean): boolean {
    return this.output.flushBrokerChunk(this.link, shared);
  }

  brokerDrained(): void {
    this.output.brokerDrained(this.reads.flowing);
    // connection.unblocked, if the browser was told it was blocked.
    this.flush();
  }

  brokerClosed(err: BrokerError | undefined): void {
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
    this.output.toBrowser(frame);
  }

  private toBroker(frame: Uint8Array): void {
    this.output.toBroker(frame);
  }

  private flush(): void {
    this.output.flush(this.link);
  }

  // ——— closing ———

  /** Sends connection.close to the browser and waits (bounded) for its close-ok. */
  private closeConnection(replyCode: number, replyText: string, classId: number, methodId: number): void {
    if (this.state === State.Closing || this.state === State.Ended) return;
    if (this.outcome === 'closed') this.outcome = `error-${replyCode}`;
    this.state = State.Closing;
    clearTimeout(this.handshakeTimer);
    this.output.discardToBroker();
    this.link?.close(ReplyCode.Success, 'gateway closed the session');
    this.link = undefined;
    this.send(
      new FrameWriter()
        .method(0, {
          name: 'connection.close',
          args: { replyCode, replyText: fitReplyText(replyText), classId, methodId },
        })
        .take(),
    );
    this.closeTimer = setTimeout(() => this.finish(), this.settings.closeTimeoutMs);
  }

  /** Closes with 403 naming connection.update-secret (10, 70), the method that carried the refused token. */
  private refuseRefresh(replyText: string): void {
    this.outcome = 'auth-failed';
    this.closeConnection(ReplyCode.AccessRefused, replyText, 10, UPDATE_SECRET);
  }

  /** A malformed frame from the browser, or an error handling one ({@link BrowserReadsOwner}). */
  browserProtocolError(err: unknown): void {
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
    this.expiry.clear();
    clearTimeout(this.closeTimer);
    this.reads.stop();
    this.heartbeats?.stop();
    this.observe({ type: 'ended', outcome: this.outcome });
    this.log.info({ outcome: this.outcome, ms: Date.now() - this.startedAt }, 'session ended');
    for (const resolve of this.endWaiters?.splice(0) ?? []) resolve();
  }

  // ——— timers ———

  /** The token ran out without a refresh (its {@link ExpiryListener} side). */
  tokenExpired(): void {
    this.outcome = 'token-expired';
    this.log.info({}, 'token expired');
    this.closeConnection(
      ReplyCode.AccessRefused,
      'ACCESS_REFUSED - token expired; refresh it with connection.update-secret',
      0,
      0,
    );
    this.flush();
  }

  // ——— the browser reads' session side ({@link BrowserReadsOwner}) ———

  /** Read through a getter so the compiler does not narrow `state` across calls that change it. */
  get ended(): boolean {
    return this.state === State.Ended;
  }

  /** An async step of the handshake or a refresh threw. */
  stepFailed(err: unknown): void {
    this.log.error({ err }, 'session step failed');
    this.closeConnection(ReplyCode.InternalError, 'INTERNAL_ERROR - gateway error', 0, 0);
  }

  /** Sends what replaying held frames produced. */
  flushReplayed(): void {
    this.flush();
  }
}

function isConnectionMethod(frame: Frame, classId: number, methodId: number): boolean {
  return frame.type === FrameType.Method && methodKey(frame) === classId * 65536 + methodId;
}
