import {
  FrameSplitter,
  FrameWriter,
  FrameType,
  decodeHeaderFrame,
  decodeMethodFrame,
  type Frame,
} from '../../shared/index.js';
import { ACK, BODY, CHANNEL, DELIVER, FRAME_MAX, PUBLISH, WARREN_PROPS } from './inputs.js';

/** Warren's codec, as the gateway and the client run it: FrameWriter out, FrameSplitter and decoders in. */
const warrenWriter = new FrameWriter(4096);
const splitter = new FrameSplitter({ frameMax: FRAME_MAX });
let warrenSink = 0;

function onWarrenFrame(frame: Frame): void {
  if (frame.type === FrameType.Method) {
    const m = decodeMethodFrame(frame);
    warrenSink += m.name.length;
  } else if (frame.type === FrameType.Header) {
    warrenSink += decodeHeaderFrame(frame).bodySize;
  } else {
    warrenSink += frame.payload.length; // the body, as a view into the chunk
  }
}

function warrenDecode(chunk: Uint8Array): number {
  splitter.push(chunk, onWarrenFrame);
  return warrenSink;
}

// As the client sends them: a view of the writer's buffer, which WebSocket.send copies (see takeView),
// as amqp-client.js's path (amqp-client-codec.ts) ends with a view of its pooled buffer.
export const warrenEncode = {
  publish: () => warrenWriter.message(CHANNEL, PUBLISH, WARREN_PROPS, BODY, FRAME_MAX).takeView(),
  deliver: () => warrenWriter.message(CHANNEL, DELIVER, WARREN_PROPS, BODY, FRAME_MAX).takeView(),
  ack: () => warrenWriter.method(CHANNEL, ACK).takeView(),
};

export { warrenDecode };
