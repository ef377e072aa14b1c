import { AMQPView } from '@cloudamqp/amqp-client/amqp-view';
import { AMQPMessage } from '@cloudamqp/amqp-client/amqp-message';
import type { AMQPChannel } from '@cloudamqp/amqp-client/amqp-channel';
import { FrameType } from '../../shared/index.js';
import { BODY, CHANNEL, CONSUMER_TAG, DELIVERY_TAG, EXCHANGE, FRAME_MAX, ROUTING_KEY, WARREN_PROPS } from './inputs.js';

/** amqp-client.js's codec (`AMQPView`), in the steps its channel and socket client take. */
const FRAME_END = 206;
const channelStub = { id: CHANNEL } as unknown as AMQPChannel;
/** Its connection keeps send buffers in a pool; a publish takes one and returns it after the write. */
const pool: AMQPView[] = [];

/** `AMQPChannel.basicPublish`, from the pooled frame_max buffer to the frames' subarray. */
function amqpClientMessage(method: 'publish' | 'deliver'): Uint8Array {
  let j = 0;
  const buffer = pool.pop() ?? new AMQPView(new ArrayBuffer(FRAME_MAX));
  buffer.setUint8(j, FrameType.Method);
  j += 1;
  buffer.setUint16(j, CHANNEL);
  j += 2;
  j += 4;
  buffer.setUint16(j, 60);
  j += 2;
  if (method === 'publish') {
    buffer.setUint16(j, 40);
    j += 2;
    buffer.setUint16(j, 0);
    j += 2;
    j += buffer.setShortString(j, EXCHANGE);
    j += buffer.setShortString(j, ROUTING_KEY);
    buffer.setUint8(j, 0);
    j += 1;
  } else {
    // Not a path amqp-client.js has: deliver's arguments with the same AMQPView setters.
    buffer.setUint16(j, 60);
    j += 2;
    j += buffer.setShortString(j, CONSUMER_TAG);
    buffer.setUint64(j, DELIVERY_TAG);
    j += 8;
    buffer.setUint8(j, 0);
    j += 1;
    j += buffer.setShortString(j, EXCHANGE);
    j += buffer.setShortString(j, ROUTING_KEY);
  }
  buffer.setUint8(j, FRAME_END);
  j += 1;
  buffer.setUint32(3, j - 8);
  const headerStart = j;
  buffer.setUint8(j, FrameType.Header);
  j += 1;
  buffer.setUint16(j, CHANNEL);
  j += 2;
  j += 4;
  buffer.setUint16(j, 60);
  j += 2;
  buffer.setUint16(j, 0);
  j += 2;
  buffer.setUint32(j, 0);
  j += 4;
  buffer.setUint32(j, BODY.byteLength);
  j += 4;
  j += buffer.setProperties(j, WARREN_PROPS);
  buffer.setUint8(j, FRAME_END);
  j += 1;
  buffer.setUint32(headerStart + 3, j - headerStart - 8);
  const bufferView = new Uint8Array(buffer.buffer);
  for (let bodyPos = 0; bodyPos < BODY.byteLength;) {
    const frameSize = Math.min(BODY.byteLength - bodyPos, FRAME_MAX - 8);
    const dataSlice = BODY.subarray(bodyPos, bodyPos + frameSize);
    buffer.setUint8(j, FrameType.Body);
    j += 1;
    buffer.setUint16(j, CHANNEL);
    j += 2;
    buffer.setUint32(j, frameSize);
    j += 4;
    bufferView.set(dataSlice, j);
    j += frameSize;
    buffer.setUint8(j, FRAME_END);
    j += 1;
    bodyPos += frameSize;
  }
  const out = bufferView.subarray(0, j);
  pool.push(buffer);
  return out;
}

/** `AMQPChannel.basicAck`: a fresh 21-byte `AMQPFrame.Writer` buffer. */
function amqpClientAck(): Uint8Array {
  const view = new AMQPView(new ArrayBuffer(21));
  let offset = 0;
  view.setUint8(offset, FrameType.Method);
  offset += 1;
  view.setUint16(offset, CHANNEL);
  offset += 2;
  view.setUint32(offset, 13);
  offset += 4;
  view.setUint16(offset, 60);
  offset += 2;
  view.setUint16(offset, 80);
  offset += 2;
  view.setUint64(offset, DELIVERY_TAG);
  offset += 8;
  view.setUint8(offset, 0);
  offset += 1;
  view.setUint8(offset, FRAME_END);
  offset += 1;
  return new Uint8Array(view.buffer, 0, offset);
}

/** AMQPMessage with the fields its parser fills in while a body arrives (internal in its typings). */
type AssembledMessage = AMQPMessage & { _rawBytes: Uint8Array | null; bodyPos: number };

/** The message under assembly, as amqp-client.js keeps it on the channel between frames. */
let current: AssembledMessage | undefined;

/** `parseFrames` for one frame: its steps for deliver/ack/header/body, and the publish analogue. */
function amqpClientParseFrame(view: AMQPView): number {
  let i = 0;
  const type = view.getUint8(i);
  i += 1;
  const channelId = view.getUint16(i);
  i += 2;
  const frameSize = view.getUint32(i);
  i += 4;
  const frameEnd = view.getUint8(i + frameSize);
  if (frameEnd !== FRAME_END) throw new Error(`Invalid frame end ${frameEnd}`);
  switch (type) {
    case FrameType.Method: {
      const classId = view.getUint16(i);
      i += 2;
      const methodId = view.getUint16(i);
      i += 2;
      if (classId !== 60) throw new Error('unexpected class');
      if (methodId === 60) {
        const [consumerTag, consumerTagLen] = view.getShortString(i);
        i += consumerTagLen;
        const deliveryTag = view.getUint64(i);
        i += 8;
        const redelivered = view.getUint8(i) === 1;
        i += 1;
        const [exchange, exchangeLen] = view.getShortString(i);
        i += exchangeLen;
        const [routingKey, routingKeyLen] = view.getShortString(i);
        i += routingKeyLen;
        const message = new AMQPMessage(channelStub) as AssembledMessage;
        message.consumerTag = consumerTag;
        message.deliveryTag = deliveryTag;
        message.exchange = exchange;
        message.routingKey = routingKey;
        message.redelivered = redelivered;
        current = message;
      } else if (methodId === 40) {
        // Not a path amqp-client.js has: publish's arguments read the way it reads deliver's.
        i += 2; // ticket
        const [exchange, exchangeLen] = view.getShortString(i);
        i += exchangeLen;
        const [routingKey, routingKeyLen] = view.getShortString(i);
        i += routingKeyLen;
        const bits = view.getUint8(i);
        i += 1;
        const message = new AMQPMessage(channelStub) as AssembledMessage;
        message.exchange = exchange;
        message.routingKey = routingKey;
        message.redelivered = (bits & 1) === 1;
        current = message;
      } else if (methodId === 80) {
        const deliveryTag = view.getUint64(i);
        i += 8;
        const multiple = view.getUint8(i) === 1;
        i += 1;
        return deliveryTag + (multiple ? 1 : 0);
      } else throw new Error('unexpected method');
      break;
    }
    case FrameType.Header: {
      i += 4;
      const bodySize = view.getUint64(i);
      i += 8;
      const [properties, propLen] = view.getProperties(i);
      i += propLen;
      const message = current!;
      message.bodySize = bodySize;
      message.properties = properties;
      message._rawBytes = new Uint8Array(bodySize);
      break;
    }
    case FrameType.Body: {
      const message = current!;
      const bodyPart = new Uint8Array(view.buffer, view.byteOffset + i, frameSize);
      message._rawBytes!.set(bodyPart, message.bodyPos);
      message.bodyPos += frameSize;
      i += frameSize;
      break;
    }
  }
  return channelId;
}

/** `AMQPSocketClient.onRead` for a chunk of whole frames: one AMQPView and one `parseFrames` per frame. */
function amqpClientDecode(buf: Buffer): number {
  let n = 0;
  for (let bufPos = 0; bufPos < buf.length;) {
    const frameSize = buf.readInt32BE(bufPos + 3) + 8;
    n += amqpClientParseFrame(new AMQPView(buf.buffer, buf.byteOffset + bufPos, frameSize));
    bufPos += frameSize;
  }
  return n;
}

export const amqpClientEncode = {
  publish: () => amqpClientMessage('publish'),
  deliver: () => amqpClientMessage('deliver'),
  ack: amqpClientAck,
};

export { amqpClientDecode };

/** The message the last decoded deliver or publish assembled (for checking the work done). */
export function lastAssembled(): AssembledMessage | undefined {
  return current;
}
