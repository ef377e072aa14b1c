import { FRAME_MIN_SIZE, FrameWriter, ReplyCode, type FieldTable, type MethodArgs } from '../../shared/index.js';
import type { Denial } from './authorizer.js';

/** Capabilities the gateway announces to browsers: RabbitMQ's, all of which it relays. */
const SERVER_CAPABILITIES: FieldTable = {
  publisher_confirms: true,
  exchange_exchange_bindings: true,
  'basic.nack': true,
  consumer_cancel_notify: true,
  'connection.blocked': true,
  authentication_failure_close: true,
  per_consumer_qos: true,
  direct_reply_to: true,
};

/** connection.start as the gateway sends it: PLAIN only, the token being the password. */
export function startFrame(version: string): Uint8Array {
  return new FrameWriter()
    .method(0, {
      name: 'connection.start',
      args: {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: {
          product: 'Warren',
          version,
          platform: 'AMQP 0-9-1 over WebSocket',
          information: 'Send a JWT as the PLAIN password.',
          capabilities: SERVER_CAPABILITIES,
        },
        mechanisms: 'PLAIN',
        locales: 'en_US',
      },
    })
    .take();
}

export type Tuning = MethodArgs<'connection.tune'>;

/** What the gateway proposes to the browser: its own limits, never above the broker's. */
export function proposeTuning(
  limits: { maxChannels: number; maxFrameSize: number; heartbeatSec: number },
  broker: Tuning,
): Tuning {
  return {
    channelMax: Math.min(limits.maxChannels, broker.channelMax === 0 ? 65535 : broker.channelMax),
    frameMax: broker.frameMax === 0 ? limits.maxFrameSize : Math.min(limits.maxFrameSize, broker.frameMax),
    heartbeat: limits.heartbeatSec,
  };
}

/**
 * Settles the browser's tune-ok against what was proposed: zero means "no
 * limit of mine", so the proposal holds; larger values are lowered to it.
 */
export function settleTuning(proposed: Tuning, answer: Tuning): Tuning | Denial {
  const frameMax = answer.frameMax === 0 ? proposed.frameMax : Math.min(answer.frameMax, proposed.frameMax);
  if (frameMax < FRAME_MIN_SIZE) {
    return {
      replyCode: ReplyCode.NotAllowed,
      replyText: `NOT_ALLOWED - frame_max=${frameMax} < ${FRAME_MIN_SIZE} min size`,
    };
  }
  const channelMax = answer.channelMax === 0 ? proposed.channelMax : Math.min(answer.channelMax, proposed.channelMax);
  return { channelMax, frameMax, heartbeat: answer.heartbeat };
}
