import type { Socket } from 'node:net';
import {
  AmqpCodecError,
  decodeMethodFrame,
  FrameSplitter,
  FrameType,
  FrameWriter,
  type Method,
} from '../../shared/index.js';
import { BrokerError, BrokerErrorCode } from './broker-errors.js';
import { readInto, type ChunkReader } from './broker-socket.js';

/** Reads handshake methods from a fresh socket, before a BrokerLink exists. */
export class HandshakeReader implements ChunkReader {
  private readonly splitter = new FrameSplitter();
  private readonly methods: (Method | Error)[] = [];
  private wake: (() => void) | undefined;
  /** Decoded methods copy what they hold, so nothing refers to a chunk after. */
  read(chunk: Uint8Array): boolean {
    try {
      this.splitter.push(chunk, (frame) => {
        if (frame.type === FrameType.Heartbeat) return;
        if (frame.type !== FrameType.Method || frame.channel !== 0) {
          this.methods.push(BrokerError.protocol(`unexpected frame type ${frame.type} during the handshake`));
          return;
        }
        this.methods.push(decodeMethodFrame(frame));
      });
    } catch (err) {
      this.methods.push(
        err instanceof AmqpCodecError
          ? BrokerError.protocol(`broker is not speaking AMQP 0-9-1: ${err.message}`)
          : (err as Error),
      );
    }
    this.wake?.();
    return false;
  }

  private readonly onEnd = (): void => {
    this.methods.push(BrokerError.unreachable('broker closed the connection during the handshake'));
    this.wake?.();
  };

  constructor(private readonly socket: Socket) {
    readInto(socket, this);
    socket.on('close', this.onEnd);
  }

  async next(timeoutMs: number): Promise<Method> {
    const deadline = Date.now() + timeoutMs;
    while (this.methods.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw BrokerError.unreachable('broker handshake timed out');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const method = this.methods.shift()!;
    if (method instanceof Error) throw method;
    if (method.name === 'connection.close') {
      this.socket.write(new FrameWriter().method(0, { name: 'connection.closeOk', args: {} }).take());
      const { replyCode, replyText, classId, methodId } = method.args;
      throw new BrokerError(BrokerErrorCode.Refused, replyCode, replyText, classId, methodId);
    }
    return method;
  }

  /** Stops listening; the link takes the socket's reads. The broker sends nothing after tune until it gets tune-ok, so nothing is lost. */
  detach(): void {
    this.socket.off('close', this.onEnd);
  }
}
