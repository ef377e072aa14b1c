import type { SessionLog } from '../observability/session-log.js';
import {
  decodeMethodFrame,
  FrameType,
  FrameWriter,
  PROTOCOL_HEADER,
  ReplyCode,
  type FieldTable,
  type FieldValue,
  type Frame,
  type Method,
} from '../../shared/index.js';
import { parsePlainResponse } from '../auth/token-sources.js';
import { BrokerError, BrokerErrorCode } from '../broker/broker-errors.js';
import type { BrokerLink } from '../broker/broker-link.js';
import { WsClose } from '../transport/transport.js';
import type { Authorizer, Denial } from './authorizer.js';
import { connectBroker } from './broker-connect.js';
import { proposeTuning, settleTuning, startFrame, type Tuning } from './handshake.js';
import type { SessionEvent, SessionServices, SessionSettings, SessionToken } from './session-types.js';

/** What the handshake needs from its session. */
export interface HandshakeContext {
  readonly sessionId: string;
  readonly settings: SessionSettings;
  readonly services: SessionServices;
  readonly log: SessionLog;
  /** The token found at the WebSocket upgrade, already verified. */
  readonly upgradeToken: SessionToken | undefined;
  send(frame: Uint8Array): void;
  /** Reports an event to the gateway (metrics, registry). */
  observe(event: SessionEvent): void;
  /** Sends connection.close and waits for close-ok; `outcome` names why, for metrics. */
  closeConnection(replyCode: number, replyText: string, classId: number, methodId: number, outcome?: string): void;
  /** Ends the session at once, closing the WebSocket with `wsCode`. */
  finish(outcome: string, wsCode?: number, reason?: string): void;
  /** Runs an async step while later frames wait. */
  runBusy(step: () => Promise<void>): void;
  ended(): boolean;
  admit(token: SessionToken): Denial | undefined;
  /** Raises the largest frame the session accepts from the browser. */
  setFrameMax(frameMax: number): void;
  /** The broker connection exists; the session owns it from now on. */
  brokerLinked(link: BrokerLink): void;
  /** connection.open-ok is on its way: the session starts relaying. */
  opened(session: OpenedSession): void;
}

/** What a finished handshake hands to the relay. */
export interface OpenedSession {
  readonly token: SessionToken;
  readonly authorizer: Authorizer;
  readonly link: BrokerLink;
  readonly tuning: Tuning;
  readonly vhost: string;
  /** The browser's start-ok announced the `connection.blocked` capability. */
  readonly takesBlocked: boolean;
}

const Stage = {
  ProtocolHeader: 0,
  StartOk: 1,
  TuneOk: 2,
  Open: 3,
  Done: 4,
} as const;
type Stage = (typeof Stage)[keyof typeof Stage];

const EXPECTED = ['', 'connection.startOk', 'connection.tuneOk', 'connection.open', ''] as const;
const START_OK = 11;

/**
 * The server side of the connection class towards the browser — protocol
 * header, start (PLAIN), start-ok (the JWT), tune, tune-ok, open — with the
 * client side towards the broker interleaved: the broker connection is opened
 * once the token passed, and its limits bound what the browser is offered, so
 * frames later relay without re-chunking.
 */
export class BrowserHandshake {
  private stage: Stage = Stage.ProtocolHeader;
  private headerBytes = 0;
  private token: SessionToken | undefined;
  private authorizer: Authorizer | undefined;
  private link: BrokerLink | undefined;
  private proposed: Tuning | undefined;
  private negotiated: Tuning | undefined;
  private clientProperties: FieldTable = {};

  constructor(private readonly ctx: HandshakeContext) {}

  get awaitingProtocolHeader(): boolean {
    return this.stage === Stage.ProtocolHeader;
  }

  /** Reads the protocol header (possibly split across messages); returns the bytes after it. */
  protocolHeader(data: Uint8Array): Uint8Array {
    const have = this.headerBytes;
    const n = Math.min(PROTOCOL_HEADER.length - have, data.length);
    for (let i = 0; i < n; i++) {
      if (data[i] !== PROTOCOL_HEADER[have + i]) {
        // The spec's answer to another protocol's header: ours, then close.
        this.ctx.send(PROTOCOL_HEADER);
        this.ctx.finish('protocol-header', WsClose.ProtocolError, 'AMQP 0-9-1 expected');
        return data.subarray(data.length);
      }
    }
    this.headerBytes += n;
    if (this.headerBytes === PROTOCOL_HEADER.length) {
      this.stage = Stage.StartOk;
      this.ctx.send(startFrame(this.ctx.settings.version));
    }
    return data.subarray(n);
  }

  /** A frame from the browser before connection.open-ok. */
  frame(frame: Frame): void {
    if (frame.type === FrameType.Heartbeat && this.stage !== Stage.StartOk) return;
    if (frame.type !== FrameType.Method || frame.channel !== 0) {
      return this.ctx.closeConnection(
        ReplyCode.UnexpectedFrame,
        'UNEXPECTED_FRAME - the handshake is not finished',
        0,
        0,
      );
    }
    const method = decodeMethodFrame(frame);
    if (method.name === 'connection.close') {
      this.ctx.send(new FrameWriter().method(0, { name: 'connection.closeOk', args: {} }).take());
      return this.ctx.finish('browser-closed');
    }
    const expected = EXPECTED[this.stage];
    if (method.name !== expected) {
      return this.ctx.closeConnection(
        ReplyCode.CommandInvalid,
        `COMMAND_INVALID - expected ${expected}, got ${method.name}`,
        10,
        0,
      );
    }
    switch (method.name) {
      case 'connection.startOk':
        return this.ctx.runBusy(() => this.authenticate(method));
      case 'connection.tuneOk':
        return this.tuned(method);
      case 'connection.open':
        return this.ctx.runBusy(() => this.openVhost(method.args.virtualHost));
    }
  }

  private async authenticate(startOk: Method & { name: 'connection.startOk' }): Promise<void> {
    const { ctx } = this;
    if (startOk.args.mechanism !== 'PLAIN') {
      ctx.observe({ type: 'auth-failed', code: 'ERR_MECHANISM' });
      return this.refuse(
        `ACCESS_REFUSED - mechanism ${startOk.args.mechanism.slice(0, 40)} is not supported, use PLAIN`,
      );
    }
    this.clientProperties = startOk.args.clientProperties;
    let token = ctx.upgradeToken;
    if (token === undefined) {
      const verified = await ctx.services.verifyToken(plainPassword(startOk.args.response));
      if (ctx.ended()) return;
      if (!('subject' in verified)) {
        ctx.observe({ type: 'auth-failed', code: verified.code });
        ctx.log.info({ code: verified.code }, 'token refused');
        return this.refuse(`ACCESS_REFUSED - ${verified.reason}`);
      }
      token = verified;
    }
    const refusal = ctx.admit(token);
    if (refusal !== undefined) {
      return ctx.closeConnection(refusal.replyCode, refusal.replyText, 10, START_OK, 'limit');
    }
    this.token = token;
    this.authorizer = ctx.services.authorizerFor(token);
    ctx.setFrameMax(Math.max(ctx.settings.maxPreauthFrameSize, ctx.settings.maxFrameSize));

    const started = Date.now();
    let link: BrokerLink;
    try {
      link = await connectBroker(ctx.settings, token, this.brokerClientProperties(token.subject), {
        failover: (url, err) => {
          ctx.log.warn({ broker: url.host, err: err.message }, 'broker unreachable, trying the next');
          ctx.observe({ type: 'broker-failover', url });
        },
      });
    } catch (err) {
      if (ctx.ended()) return;
      const e = err instanceof BrokerError ? err : BrokerError.unreachable(String(err));
      ctx.log.warn({ code: e.code, reply: e.replyCode, text: e.replyText }, 'broker connection failed');
      const outcome = e.code === BrokerErrorCode.Refused ? 'broker-refused' : 'broker-unreachable';
      return ctx.closeConnection(e.replyCode, e.replyText, e.classId, e.methodId, outcome);
    }
    if (ctx.ended()) {
      link.destroy();
      return;
    }
    this.link = link;
    ctx.brokerLinked(link);
    ctx.observe({ type: 'broker-connected', ms: Date.now() - started, url: link.url });
    this.proposed = proposeTuning(ctx.settings, link.tune);
    ctx.send(new FrameWriter().method(0, { name: 'connection.tune', args: this.proposed }).take());
    this.stage = Stage.TuneOk;
  }

  private tuned(tuneOk: Method & { name: 'connection.tuneOk' }): void {
    const settled = settleTuning(this.proposed!, tuneOk.args);
    if ('replyCode' in settled) return this.ctx.closeConnection(settled.replyCode, settled.replyText, 10, 31);
    this.negotiated = settled;
    this.ctx.setFrameMax(settled.frameMax);
    this.stage = Stage.Open;
  }

  private async openVhost(vhost: string): Promise<void> {
    const { ctx } = this;
    const vhostRefusal = this.authorizer!.refuseVhost(vhost);
    if (vhostRefusal !== undefined) {
      return ctx.closeConnection(vhostRefusal.replyCode, vhostRefusal.replyText, 10, 40, 'vhost-refused');
    }
    const tuning = this.negotiated!;
    const link = this.link!;
    const brokerHeartbeat =
      link.tune.heartbeat === 0
        ? ctx.settings.brokerHeartbeatSec
        : Math.min(link.tune.heartbeat, ctx.settings.brokerHeartbeatSec);
    try {
      await link.openVhost(vhost, {
        channelMax: tuning.channelMax,
        frameMax: tuning.frameMax,
        heartbeat: brokerHeartbeat,
      });
    } catch (err) {
      if (ctx.ended()) return;
      const e = err instanceof BrokerError ? err : BrokerError.unreachable(String(err));
      return ctx.closeConnection(e.replyCode, e.replyText, e.classId, e.methodId, 'broker-refused');
    }
    if (ctx.ended()) return;
    this.stage = Stage.Done;
    ctx.send(new FrameWriter().method(0, { name: 'connection.openOk', args: {} }).take());
    const takesBlocked = booleanEntries(this.clientProperties['capabilities'])['connection.blocked'] === true;
    ctx.opened({ token: this.token!, authorizer: this.authorizer!, link, tuning, vhost, takesBlocked });
  }

  /** 403 on start-ok: the token (or mechanism) was refused. */
  private refuse(replyText: string): void {
    this.ctx.closeConnection(ReplyCode.AccessRefused, replyText, 10, START_OK, 'auth-failed');
  }

  private brokerClientProperties(subject: string): FieldTable {
    const browserName = this.clientProperties['connection_name'];
    return {
      product: 'Warren gateway',
      version: this.ctx.settings.version,
      // The browser's capabilities decide what the broker may send it (basic.cancel, blocked…).
      // authentication_failure_close makes a broker that refuses our credentials say so with
      // connection.close 403 instead of dropping the socket (which would look like an outage).
      capabilities: { ...booleanEntries(this.clientProperties['capabilities']), authentication_failure_close: true },
      connection_name:
        `warren ${this.ctx.sessionId} ${subject}${typeof browserName === 'string' ? ` (${browserName})` : ''}`.slice(
          0,
          1000,
        ),
    };
  }
}

/** Only the true/false entries of a capabilities table: nothing else is a capability, or safe to pass on. */
function booleanEntries(value: FieldValue | undefined): FieldTable {
  const out: FieldTable = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, flag] of Object.entries(value)) if (typeof flag === 'boolean') out[key] = flag;
  return out;
}

/** The PLAIN password, where the token travels; an empty string when the response is malformed. */
function plainPassword(response: string): string {
  try {
    return parsePlainResponse(response).password;
  } catch {
    return '';
  }
}
