import { FrameWriter, type BasicProperties, type Method } from '../../shared/index.js';

/** The inputs every codec encodes or decodes, and Warren's wire bytes of each case. */
export const CHANNEL = 1;
export const FRAME_MAX = 131072;
export const BODY = Uint8Array.from({ length: 256 }, (_, i) => (i * 31) & 0xff);
export const EXCHANGE = 'amq.topic';
export const ROUTING_KEY = 'warren.bench.orders.created';
export const CONSUMER_TAG = 'amq.ctag-7Q2mY0bXcJ8x1aGQ4dNf3w';
export const DELIVERY_TAG = 123_456;
export const TIMESTAMP_S = 1_700_000_000;
export const PROPS = {
  contentType: 'application/json',
  deliveryMode: 2,
  messageId: 'msg-000000001',
  headers: { 'x-trace-id': 'a1b2c3d4e5f6' },
};
export const WARREN_PROPS: BasicProperties = { ...PROPS, timestamp: new Date(TIMESTAMP_S * 1000) };

export const PUBLISH: Method = {
  name: 'basic.publish',
  args: { exchange: EXCHANGE, routingKey: ROUTING_KEY, mandatory: false, immediate: false },
};
export const DELIVER: Method = {
  name: 'basic.deliver',
  args: {
    consumerTag: CONSUMER_TAG,
    deliveryTag: DELIVERY_TAG,
    redelivered: false,
    exchange: EXCHANGE,
    routingKey: ROUTING_KEY,
  },
};
export const ACK: Method = { name: 'basic.ack', args: { deliveryTag: DELIVERY_TAG, multiple: false } };

export type CaseName = 'publish' | 'deliver' | 'ack';
export type CodecName = 'warren' | 'amqplib' | 'amqp-client.js';

/** Wire bytes of each case, written by Warren; every decoder reads these same bytes. */
const writer = new FrameWriter();
export const WIRE: Record<CaseName, Buffer> = {
  publish: Buffer.from(writer.message(CHANNEL, PUBLISH, WARREN_PROPS, BODY, FRAME_MAX).take()),
  deliver: Buffer.from(writer.message(CHANNEL, DELIVER, WARREN_PROPS, BODY, FRAME_MAX).take()),
  ack: Buffer.from(writer.method(CHANNEL, ACK).take()),
};
