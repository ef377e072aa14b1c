import {
  decodeHeaderFrame,
  decodeMethodFrame,
  FrameType,
  FrameWriter,
  methodKey,
  ReplyCode,
  REPLY_NAMES,
  type FieldValue,
  type Frame,
  type Method,
} from '../../shared/index.js';
import { replyText as fitReplyText } from '../policy/authorize.js';
import type { Authorizer, Denial } from './authorizer.js';
import { assertBrokerSafe } from './broker-safe-values.js';
import { allowedPublish, isAllowedAgain } from './allowed-publish.js';
import { identityStamp, stampHeaderFrame, type IdentityRules, type IdentityStamp } from './identity.js';
import { newChannel, Phase, type ChannelState } from './channel-state.js';

/** Where the relay's frames go: the session's output, the same methods for every session. */
export interface RelayOutput {
  toBrowser(frame: Uint8Array): void;
  toBroker(frame: Uint8Array): void;
  /** Forwards a received frame as it came (no copy, no view of its own). */
  relayToBrowser(frame: Frame): void;
  relayToBroker(frame: Frame): void;
}

/**
 * What the relay asks of its session. Methods of one object rather than
 * closures made per session, so the hot call sites keep one target across
 * sessions and optimized code is not thrown away when a new session starts.
 */
export interface RelaySession {
  /** The current token's permissions (replaced on refresh). */
  relayAuthorizer(): Authorizer;
  /** A connection-level error: the session closes with this reply. */
  relayConnectionError(replyCode: number, replyText: string, classId: number, methodId: number): void;
  /** A basic.publish passed the policy (the publish-rate limit counts these). */
  relayPublished(): void;
  relayDenied(method: Method, denial: Denial): void;
}

/** What the relay needs from its session. */
export interface RelayContext {
  readonly vhost: string;
  readonly subject: string;
  readonly channelMax: number;
  readonly maxMessageSize: number;
  readonly identity: IdentityRules;
  readonly output: RelayOutput;
  readonly session: RelaySession;
}

/** Most frames a reopened channel may queue while the broker finishes closing it. */
const MAX_HELD_FRAMES = 256;

const writer = new FrameWriter();

/**
 * Relays channels 1…channel_max between a browser and its broker connection:
 * checks each operation against the token's permissions, keeps the content
 * frames of a publish in order, stamps the sender's identity, and runs the
 * channel.close handshakes, including the ones the gateway starts itself.
 */
export class ChannelRelay {
  private readonly channels = new Map<number, ChannelState>();
  /** The identity header, encoded for the first publish. */
  private identity: IdentityStamp | undefined;

  constructor(private readonly ctx: RelayContext) {}

  /** A frame from the browser on channel ≥ 1. */
  fromBrowser(frame: Frame): void {
    const state = this.channels.get(frame.channel);
    if (state?.held !== undefined) {
      if (state.held.length >= MAX_HELD_FRAMES) {
        return this.ctx.session.relayConnectionError(
          ReplyCode.ResourceError,
          'RESOURCE_ERROR - too many frames on a closing channel',
          0,
          0,
        );
      }
      state.held.push(frame);
      return;
    }
    switch (frame.type) {
      case FrameType.Method:
        return this.browserMethod(frame, state);
      case FrameType.Header:
        return this.browserHeader(frame, state);
      case FrameType.Body:
        return this.browserBody(frame, state);
      default:
        // AMQP 0-9-1 §4.2.7: a heartbeat off channel 0 is a frame error.
        return this.ctx.session.relayConnectionError(
          ReplyCode.FrameError,
          'FRAME_ERROR - heartbeat on a channel other than 0',
          0,
          0,
        );
    }
  }

  /** A frame from the broker on channel ≥ 1. */
  fromBroker(frame: Frame): void {
    const state = this.channels.get(frame.channel);
    if (frame.type !== FrameType.Method) {
      if (state === undefined || state.phase === Phase.Open || state.phase === Phase.BrowserClosing) {
        this.ctx.output.relayToBrowser(frame);
      }
      return;
    }
    const id = methodKey(frame);
    if (state === undefined) return this.ctx.output.relayToBrowser(frame);
    if (state.awaitingBrokerCloseOk) {
      // Everything but the end of the close handshake is discarded on a channel we are closing.
      if (id === CHANNEL_CLOSE_OK) return this.brokerClosedOk(frame.channel, state);
      if (id === CHANNEL_CLOSE) {
        this.ctx.output.toBroker(writer.method(frame.channel, { name: 'channel.closeOk', args: {} }).take());
        return this.brokerClosedOk(frame.channel, state);
      }
      return;
    }
    switch (id) {
      case CHANNEL_CLOSE:
        state.phase = Phase.BrokerClosing;
        state.publish = undefined;
        state.bodyRemaining = -1;
        return this.ctx.output.relayToBrowser(frame);
      case CHANNEL_CLOSE_OK:
        this.channels.delete(frame.channel);
        return this.ctx.output.relayToBrowser(frame);
      case QUEUE_DECLARE_OK: {
        const method = decodeMethodFrame(frame);
        // Only the answer to the latest declare names the queue '' now stands for.
        const answered = state.unansweredDeclares.shift();
        if (method.name === 'queue.declareOk' && answered === state.declares) state.lastQueue = method.args.queue;
        return this.ctx.output.relayToBrowser(frame);
      }
      default:
        return this.ctx.output.relayToBrowser(frame);
    }
  }

  /** Open channels, for tests and metrics. */
  get size(): number {
    return this.channels.size;
  }

  private browserMethod(frame: Frame, state: ChannelState | undefined): void {
    const id = methodKey(frame);
    if (id < 0) {
      return this.ctx.session.relayConnectionError(ReplyCode.FrameError, 'FRAME_ERROR - method frame too short', 0, 0);
    }
    const classId = id >>> 16;
    const methodId = id & 0xffff;
    const channel = frame.channel;

    if (state === undefined) {
      if (id !== CHANNEL_OPEN) {
        return this.ctx.session.relayConnectionError(
          ReplyCode.ChannelError,
          `CHANNEL_ERROR - expected 'channel.open' on channel ${channel}`,
          classId,
          methodId,
        );
      }
      if (channel > this.ctx.channelMax) {
        return this.ctx.session.relayConnectionError(
          ReplyCode.ChannelError,
          `CHANNEL_ERROR - channel ${channel} is above channel_max ${this.ctx.channelMax}`,
          classId,
          methodId,
        );
      }
      this.channels.set(channel, newChannel());
      return this.ctx.output.relayToBroker(frame);
    }

    switch (state.phase) {
      case Phase.Refused:
        if (id === CHANNEL_CLOSE_OK) {
          state.awaitingBrowserCloseOk = false;
          this.finishRefusal(channel, state);
        } else if (id === CHANNEL_CLOSE) {
          // Both sides closed at once: its close answers ours.
          this.ctx.output.toBrowser(writer.method(channel, { name: 'channel.closeOk', args: {} }).take());
          state.awaitingBrowserCloseOk = false;
          this.finishRefusal(channel, state);
        }
        return;
      case Phase.BrokerClosing:
        if (id === CHANNEL_CLOSE_OK) {
          this.channels.delete(channel);
          this.ctx.output.relayToBroker(frame);
        }
        return;
      case Phase.BrowserClosing:
        // The broker discards these until its close-ok; so do we.
        return;
      case Phase.Open:
        break;
    }

    if (state.bodyRemaining >= 0 || state.publish !== undefined) {
      return this.ctx.session.relayConnectionError(
        ReplyCode.UnexpectedFrame,
        `UNEXPECTED_FRAME - expected content on channel ${channel}`,
        classId,
        methodId,
      );
    }
    if (id === CHANNEL_OPEN) {
      return this.ctx.session.relayConnectionError(
        ReplyCode.ChannelError,
        `CHANNEL_ERROR - channel ${channel} is already open`,
        classId,
        methodId,
      );
    }
    const authorizer = this.ctx.session.relayAuthorizer();
    if (id === BASIC_PUBLISH && isAllowedAgain(frame, state.allowedPublish, authorizer, state.lastQueue)) {
      return this.allowPublish(frame, state);
    }
    // Every method is decoded, even those no permission depends on (ack, qos…): a malformed one must
    // be answered here with the right reply code, not passed on for the broker to drop the connection.
    let method: Method;
    try {
      method = decodeMethodFrame(frame);
      assertBrokerSafe(method.args as unknown as FieldValue);
    } catch (err) {
      const e = err as { replyCode?: number; message: string };
      return this.ctx.session.relayConnectionError(
        e.replyCode ?? ReplyCode.FrameError,
        `${replyName(e.replyCode)} - ${e.message}`,
        classId,
        methodId,
      );
    }
    const denial = authorizer.authorize(method, this.ctx.vhost, state.lastQueue);
    if (denial !== undefined) {
      this.ctx.session.relayDenied(method, denial);
      return this.refuse(channel, state, denial, classId, methodId);
    }
    switch (method.name) {
      case 'basic.publish':
        // One too long to remember leaves the last one remembered.
        state.allowedPublish = allowedPublish(frame, authorizer, state.lastQueue) ?? state.allowedPublish;
        return this.allowPublish(frame, state);
      case 'channel.close':
        state.phase = Phase.BrowserClosing;
        return this.ctx.output.relayToBroker(frame);
      case 'queue.declare':
        state.lastQueue = method.args.queue;
        state.declares++;
        if (!method.args.noWait) state.unansweredDeclares.push(state.declares);
        return this.ctx.output.relayToBroker(frame);
      default:
        return this.ctx.output.relayToBroker(frame);
    }
  }

  /** A basic.publish passed: held until its content header passes too. */
  private allowPublish(frame: Frame, state: ChannelState): void {
    state.publish = frame;
    this.ctx.session.relayPublished();
  }

  private browserHeader(frame: Frame, state: ChannelState | undefined): void {
    if (state === undefined || state.phase !== Phase.Open || state.publish === undefined) {
      if (state !== undefined && state.phase !== Phase.Open) return;
      return this.ctx.session.relayConnectionError(
        ReplyCode.UnexpectedFrame,
        `UNEXPECTED_FRAME - content header without a publish on channel ${frame.channel}`,
        0,
        0,
      );
    }
    let header;
    try {
      header = decodeHeaderFrame(frame);
      assertBrokerSafe(header.properties.headers);
    } catch (err) {
      const e = err as { replyCode?: number; message: string };
      return this.ctx.session.relayConnectionError(
        e.replyCode ?? ReplyCode.FrameError,
        `${replyName(e.replyCode)} - ${e.message}`,
        60,
        40,
      );
    }
    if (header.bodySize > this.ctx.maxMessageSize) {
      return this.refuse(
        frame.channel,
        state,
        {
          replyCode: ReplyCode.PreconditionFailed,
          replyText: `PRECONDITION_FAILED - message size ${header.bodySize} is larger than the gateway's limit ${this.ctx.maxMessageSize}`,
        },
        60,
        40,
      );
    }
    const stamped = stampHeaderFrame(frame, (this.identity ??= identityStamp(this.ctx.subject, this.ctx.identity)));
    if (!(stamped instanceof Uint8Array)) return this.refuse(frame.channel, state, stamped, 60, 40);
    this.ctx.output.relayToBroker(state.publish);
    this.ctx.output.toBroker(stamped);
    state.publish = undefined;
    state.bodyRemaining = header.bodySize > 0 ? header.bodySize : -1;
  }

  private browserBody(frame: Frame, state: ChannelState | undefined): void {
    if (state !== undefined && state.phase !== Phase.Open) return;
    if (state === undefined || state.bodyRemaining < 0) {
      return this.ctx.session.relayConnectionError(
        ReplyCode.UnexpectedFrame,
        `UNEXPECTED_FRAME - content body without a header on channel ${frame.channel}`,
        0,
        0,
      );
    }
    const size = frame.size;
    if (size > state.bodyRemaining) {
      return this.ctx.session.relayConnectionError(
        ReplyCode.FrameError,
        `FRAME_ERROR - content body longer than its header declared on channel ${frame.channel}`,
        60,
        40,
      );
    }
    state.bodyRemaining -= size;
    if (state.bodyRemaining === 0) state.bodyRemaining = -1;
    this.ctx.output.relayToBroker(frame);
  }

  /**
   * Closes a channel from the gateway's side: the browser gets the reason, the
   * broker a plain close (it never saw the refused frame), and the channel id is
   * free again once both answered.
   */
  private refuse(channel: number, state: ChannelState, denial: Denial, classId: number, methodId: number): void {
    state.phase = Phase.Refused;
    state.publish = undefined;
    state.bodyRemaining = -1;
    state.awaitingBrowserCloseOk = true;
    state.awaitingBrokerCloseOk = true;
    this.ctx.output.toBrowser(
      writer
        .method(channel, {
          name: 'channel.close',
          args: { replyCode: denial.replyCode, replyText: fitReplyText(denial.replyText), classId, methodId },
        })
        .take(),
    );
    this.ctx.output.toBroker(
      writer
        .method(channel, {
          name: 'channel.close',
          args: { replyCode: ReplyCode.Success, replyText: 'closed by the gateway', classId: 0, methodId: 0 },
        })
        .take(),
    );
  }

  private finishRefusal(channel: number, state: ChannelState): void {
    if (state.awaitingBrowserCloseOk) return;
    if (state.awaitingBrokerCloseOk) {
      // The browser may reopen the channel before the broker is done: hold its frames.
      state.held = [];
      return;
    }
    this.channels.delete(channel);
  }

  private brokerClosedOk(channel: number, state: ChannelState): void {
    state.awaitingBrokerCloseOk = false;
    if (state.awaitingBrowserCloseOk) return;
    this.channels.delete(channel);
    const held = state.held ?? [];
    for (const frame of held) this.fromBrowser(frame);
  }
}

const CHANNEL_OPEN = 20 * 65536 + 10;
const CHANNEL_CLOSE = 20 * 65536 + 40;
const CHANNEL_CLOSE_OK = 20 * 65536 + 41;
const QUEUE_DECLARE_OK = 50 * 65536 + 11;
const BASIC_PUBLISH = 60 * 65536 + 40;

function replyName(code: number | undefined): string {
  return REPLY_NAMES[code ?? ReplyCode.FrameError] ?? 'FRAME_ERROR';
}
