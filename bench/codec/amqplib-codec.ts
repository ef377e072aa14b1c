import { createRequire } from 'node:module';
import path from 'node:path';
import {
  BODY,
  CHANNEL,
  CONSUMER_TAG,
  DELIVERY_TAG,
  EXCHANGE,
  FRAME_MAX,
  PROPS,
  ROUTING_KEY,
  TIMESTAMP_S,
} from './inputs.js';

/** amqplib's codec (`lib/defs.js` + `lib/frame.js`), driven the way its connection drives it. */
interface AmqplibFrame {
  type: number;
  channel: number;
  payload: Buffer;
  rest: Buffer;
}
interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  FRAME_OVERHEAD: number;
}
interface AmqplibFrameModule {
  parseFrame(bin: Buffer, max: number): AmqplibFrame | false;
  decodeFrame(frame: AmqplibFrame): Record<string, unknown>;
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
}
const require = createRequire(import.meta.url);
const amqplibLib = path.join(path.dirname(require.resolve('amqplib')), 'lib');
const defs = require(path.join(amqplibLib, 'defs.js')) as AmqplibDefs;
const amqplibFrame = require(path.join(amqplibLib, 'frame.js')) as AmqplibFrameModule;

const AMQPLIB_PROPS = { ...PROPS, timestamp: TIMESTAMP_S };
const AMQPLIB_BODY = Buffer.from(BODY);
const ID = { publish: 3932200, deliver: 3932220, ack: 3932240, properties: 60 };

/** amqplib's `Connection.sendMessage`: method and properties frames, then one buffer with the body frame. */
function amqplibMessage(id: number, fields: Record<string, unknown>): Buffer {
  const mframe = defs.encodeMethod(id, CHANNEL, fields);
  const pframe = defs.encodeProperties(ID.properties, CHANNEL, AMQPLIB_BODY.length, AMQPLIB_PROPS);
  const bodyLen = AMQPLIB_BODY.length + defs.FRAME_OVERHEAD;
  const all = Buffer.allocUnsafe(mframe.length + pframe.length + bodyLen);
  let offset = mframe.copy(all, 0);
  offset += pframe.copy(all, offset);
  amqplibFrame.makeBodyFrame(CHANNEL, AMQPLIB_BODY).copy(all, offset);
  return all;
}

/** amqplib's `Connection.recvFrame` loop over one chunk: parse a frame, decode it, go on with the rest. */
function amqplibDecode(chunk: Buffer): number {
  let rest = chunk;
  let n = 0;
  for (;;) {
    const frame = amqplibFrame.parseFrame(rest, FRAME_MAX);
    if (frame === false) return n;
    const decoded = amqplibFrame.decodeFrame(frame);
    n += decoded['channel'] as number;
    rest = frame.rest;
  }
}

const FIELDS = {
  publish: { exchange: EXCHANGE, routingKey: ROUTING_KEY, mandatory: false, immediate: false },
  deliver: {
    consumerTag: CONSUMER_TAG,
    deliveryTag: DELIVERY_TAG,
    redelivered: false,
    exchange: EXCHANGE,
    routingKey: ROUTING_KEY,
  },
  ack: { deliveryTag: DELIVERY_TAG, multiple: false },
};

export const amqplibEncode = {
  publish: () => amqplibMessage(ID.publish, FIELDS.publish),
  deliver: () => amqplibMessage(ID.deliver, FIELDS.deliver),
  ack: () => defs.encodeMethod(ID.ack, CHANNEL, FIELDS.ack),
};

export { amqplibDecode };
