import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import {
  decodeMethod,
  FrameSplitter,
  FrameType,
  FrameWriter,
  PROTOCOL_HEADER,
  type FieldTable,
  type Frame,
  type Method,
  type MethodArgs,
  type MethodName,
  type MethodOf,
} from '../../shared/index.js';

/** What arrived from the gateway, in order: decoded methods, raw frames, and how the socket ended. */
export interface RawEvent {
  readonly frame: Frame;
  readonly method: Method | undefined;
}

export interface RawConnectOptions {
  readonly protocols?: string | string[];
  readonly headers?: Record<string, string>;
}

/** An upgrade the gateway refused: the HTTP status it answered. */
export class UpgradeRefused extends Error {
  override readonly name = 'UpgradeRefused';
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

/**
 * A bare AMQP 0-9-1-over-WebSocket client for tests: sends whatever bytes a
 * test writes and collects every frame the gateway sends, so a test can see
 * exactly which method (and reply code) came back.
 */
export class RawClient {
  readonly frames: RawEvent[] = [];
  /** WebSocket messages received so far. */
  messages = 0;
  /** Set once the WebSocket closed: its close code. */
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  private readonly splitter = new FrameSplitter({ frameMax: 64 * 1024 * 1024 });
  private readonly listeners = new Set<() => void>();
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      this.messages++;
      this.splitter.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(), (frame) => {
        const method = frame.type === FrameType.Method ? decodeMethod(frame.payload) : undefined;
        this.frames.push({ frame, method });
      });
      this.notify();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code: number) => {
        this.closeCode = code;
        this.notify();
        resolve(code);
      }),
    );
  }

  /** Stops reading the TCP socket under the WebSocket, so only the gateway's send buffer can grow. */
  pauseReading(): void {
    this.tcp().pause();
  }

  resumeReading(): void {
    this.tcp().resume();
  }

  private tcp(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  /** Opens the WebSocket; rejects with {@link UpgradeRefused} when the gateway answers with an HTTP status. */
  static connect(url: string, options: RawConnectOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        reject(new UpgradeRefused(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => {});
        resolve(new RawClient(ws));
      });
    });
  }

  /** The subprotocol the gateway picked. */
  get protocol(): string {
    return this.ws.protocol;
  }

  send(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** Sends `bytes` one byte per WebSocket message. */
  sendBytewise(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.ws.send(bytes.subarray(i, i + 1));
  }

  /**
   * Resolves with the next frame (after those already waited for) matching
   * `match`; rejects when the socket closes first or `timeoutMs` passes.
   */
  waitForFrame(match: (e: RawEvent) => boolean, what: string, timeoutMs = 10_000): Promise<RawEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        while (this.cursor < this.frames.length) {
          const e = this.frames[this.cursor++]!;
          if (match(e)) {
            done();
            resolve(e);
            return;
          }
        }
        if (this.closeCode !== undefined) {
          done();
          reject(new Error(`socket closed (${this.closeCode}) before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The next method named `name` the gateway sent. */
  async waitFor<N extends MethodName>(name: N, timeoutMs?: number): Promise<MethodOf<N>> {
    const e = await this.waitForFrame((ev) => ev.method?.name === name, name, timeoutMs);
    return e.method as MethodOf<N>;
  }

  /**
   * The first of `names` to arrive. Useful when a test expects either success
   * or a close, and wants to assert on which.
   */
  async waitForAny<N extends MethodName>(names: readonly N[], timeoutMs?: number): Promise<MethodOf<N>> {
    const set = new Set<string>(names);
    const e = await this.waitForFrame(
      (ev) => ev.method !== undefined && set.has(ev.method.name),
      names.join('|'),
      timeoutMs,
    );
    return e.method as MethodOf<N>;
  }

  /** Answers a connection.close from the gateway. */
  closeOk(): void {
    this.send(new FrameWriter().method(0, { name: 'connection.closeOk', args: {} }).take());
  }

  terminate(): void {
    this.ws.terminate();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

/**
 * The bytes a client sends to reach start-ok: the protocol header and start-ok
 * with `\0\0<jwt>`, announcing `capabilities` (none unless given).
 */
export function startOkBytes(jwt: string, connectionName?: string, capabilities?: FieldTable): Uint8Array {
  const clientProperties: FieldTable = {};
  if (connectionName !== undefined) clientProperties['connection_name'] = connectionName;
  if (capabilities !== undefined) clientProperties['capabilities'] = capabilities;
  const w = new FrameWriter();
  w.raw(PROTOCOL_HEADER);
  w.method(0, {
    name: 'connection.startOk',
    args: {
      clientProperties,
      mechanism: 'PLAIN',
      response: `\0\0${jwt}`,
      locale: 'en_US',
    },
  });
  return w.take();
}

/** tune-ok (frame_max 128 KiB, no heartbeat) and connection.open for `vhost`. */
export function tuneOkOpenBytes(vhost = '/', frameMax = 131072): Uint8Array {
  return new FrameWriter()
    .method(0, { name: 'connection.tuneOk', args: { channelMax: 16, frameMax, heartbeat: 0 } })
    .method(0, { name: 'connection.open', args: { virtualHost: vhost } })
    .take();
}

/**
 * The whole client side of the handshake as one byte string: header, start-ok,
 * tune-ok, open. The gateway holds later frames while it checks the token, so
 * a client may send them all at once. `capabilities` go in start-ok's client
 * properties (e.g. `{ 'connection.blocked': true }`); none by default.
 */
export function handshakeBytes(jwt: string, vhost = '/', capabilities?: FieldTable): Uint8Array {
  const w = new FrameWriter();
  w.raw(startOkBytes(jwt, undefined, capabilities));
  w.raw(tuneOkOpenBytes(vhost));
  return w.take();
}

/**
 * Runs the handshake step by step, waiting for each answer: header → start →
 * start-ok → tune → tune-ok + open → open-ok. Resolves with the tune.
 */
export async function handshake(client: RawClient, jwt: string, vhost = '/'): Promise<MethodOf<'connection.tune'>> {
  client.send(PROTOCOL_HEADER);
  await client.waitFor('connection.start');
  client.send(startOkBytes(jwt).subarray(PROTOCOL_HEADER.length));
  const tune = await client.waitFor('connection.tune');
  client.send(tuneOkOpenBytes(vhost, tune.args.frameMax));
  await client.waitFor('connection.openOk');
  return tune;
}

/** Sends the protocol header and start-ok with `jwt`; resolves with the first of tune or close. */
export async function authenticate(
  client: RawClient,
  jwt: string,
): Promise<MethodOf<'connection.tune' | 'connection.close'>> {
  client.send(startOkBytes(jwt));
  return client.waitForAny(['connection.tune', 'connection.close']);
}

/** queue.declare of a non-durable, exclusive queue (what most tests want), with `args` changing any of that. */
export function declareQueue(
  queue: string,
  args: Partial<MethodArgs<'queue.declare'>> = {},
): MethodOf<'queue.declare'> {
  return {
    name: 'queue.declare',
    args: {
      queue,
      passive: false,
      durable: false,
      exclusive: true,
      autoDelete: false,
      noWait: false,
      arguments: {},
      ...args,
    },
  };
}

/** basic.consume of a no-ack consumer with a server-named tag, with `args` changing any of that. */
export function consumeQueue(
  queue: string,
  args: Partial<MethodArgs<'basic.consume'>> = {},
): MethodOf<'basic.consume'> {
  return {
    name: 'basic.consume',
    args: {
      queue,
      consumerTag: '',
      noLocal: false,
      noAck: true,
      exclusive: false,
      noWait: false,
      arguments: {},
      ...args,
    },
  };
}

/** Opens `channel` and declares an exclusive `queue` on it; resolves when the broker has declared it. */
export async function openChannelWithQueue(client: RawClient, queue: string, channel = 1): Promise<void> {
  client.send(
    new FrameWriter().method(channel, { name: 'channel.open', args: {} }).method(channel, declareQueue(queue)).take(),
  );
  await client.waitFor('queue.declareOk');
}
