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

export const warrenEncode = {
  publish: () => warrenWriter.message(CHANNEL, PUBLISH, WARREN_PROPS, BODY, FRAME_MAX).take(),
  deliver: () => warrenWriter.message(CHANNEL, DELIVER, WARREN_PROPS, BODY, FRAME_MAX).take(),
  ack: () => warrenWriter.method(CHANNEL, ACK).take(),
};

export { warrenDecode };
