import {
  decodeContentHeader,
  FrameType,
  FrameWriter,
  type BasicProperties,
  type Method,
  type MethodName,
  type MethodOf,
} from '../../shared/index.js';
import { handshake, RawClient } from '../helpers/raw-client.js';

/** How the gateway answered an operation on a channel. */
export type Outcome<N extends MethodName> =
  | { readonly ok: true; readonly reply: MethodOf<N> }
  | { readonly ok: false; readonly close: MethodOf<'channel.close'> };

/** A message the gateway delivered (basic.deliver or basic.get-ok) with its properties and body. */
export interface Delivered {
  readonly method: MethodOf<'basic.deliver' | 'basic.getOk'>;
  readonly properties: BasicProperties;
  readonly body: string;
}

const FRAME_MAX = 131072;
const WAIT_MS = 10_000;

/**
 * The page's side of one gateway session, speaking raw AMQP frames so a test
 * sees exactly which method and reply code came back on which channel. Unlike
 * {@link RawClient.waitFor}, every channel keeps its own read position, so
 * waiting on one channel never skips another channel's frames.
 */
export class BrowserSession {
  private readonly cursors = new Map<number, number>();
  private readonly listeners = new Set<() => void>();

  private constructor(readonly client: RawClient) {
    // RawClient registered its own listener first, so the frame is already recorded.
    client.ws.on('message', () => this.notify());
    void client.closed.then(() => this.notify());
  }

  /** Connects to `url` and completes the AMQP handshake with `jwt` as the password. */
  static async open(url: string, jwt: string, vhost = '/'): Promise<BrowserSession> {
    const client = await RawClient.connect(url);
    await handshake(client, jwt, vhost);
    return new BrowserSession(client);
  }

  /** Opens `channel` and waits for open-ok. */
  async openChannel(channel: number): Promise<void> {
    this.send(channel, { name: 'channel.open', args: {} });
    await this.expect(channel, 'channel.openOk');
  }

  /** Opens `channel` in publisher-confirm mode, so every publish the broker takes is acked. */
  async openConfirmChannel(channel: number): Promise<void> {
    await this.openChannel(channel);
    this.send(channel, { name: 'confirm.select', args: { noWait: false } });
    await this.expect(channel, 'confirm.selectOk');
  }

  send(channel: number, method: Method): void {
    this.client.send(new FrameWriter().method(channel, method).take());
  }

  /** Sends `method` and resolves with either the expected reply or the channel.close that refused it. */
  async call<N extends MethodName>(channel: number, method: Method, reply: N): Promise<Outcome<N>> {
    this.send(channel, method);
    return this.outcome(channel, reply);
  }

  /** The next of `reply` or channel.close on `channel`. */
  async outcome<N extends MethodName>(channel: number, reply: N): Promise<Outcome<N>> {
    const method = await this.next(channel, [reply, 'channel.close']);
    return method.name === 'channel.close'
      ? { ok: false, close: method as MethodOf<'channel.close'> }
      : { ok: true, reply: method as MethodOf<N> };
  }

  /** Publishes `body` on `channel` as one method, header and body frame. */
  publish(channel: number, exchange: string, routingKey: string, body: string, properties: BasicProperties = {}): void {
    const bytes = new FrameWriter()
      .message(
        channel,
        { name: 'basic.publish', args: { exchange, routingKey, mandatory: false, immediate: false } },
        properties,
        new TextEncoder().encode(body),
        FRAME_MAX,
      )
      .take();
    this.client.send(bytes);
  }

  /** Answers the gateway's channel.close, which makes the channel id free again. */
  closeOk(channel: number): void {
    this.send(channel, { name: 'channel.closeOk', args: {} });
  }

  /** Waits for the next method named one of `names` on `channel`, skipping others on that channel. */
  async next<N extends MethodName>(channel: number, names: readonly N[], timeoutMs = WAIT_MS): Promise<MethodOf<N>> {
    const wanted = new Set<string>(names);
    const index = await this.waitOn(
      channel,
      (i) => {
        const method = this.client.frames[i]!.method;
        return method !== undefined && wanted.has(method.name);
      },
      names.join('|'),
      timeoutMs,
    );
    return this.client.frames[index]!.method as MethodOf<N>;
  }

  /** Waits for `name` on `channel`; fails with the refusal when the channel is closed instead. */
  async expect<N extends MethodName>(channel: number, name: N): Promise<MethodOf<N>> {
    const method = await this.next(channel, [name, 'channel.close']);
    if (method.name === 'channel.close' && name !== 'channel.close') {
      const close = method as MethodOf<'channel.close'>;
      throw new Error(`channel ${channel} closed with ${close.args.replyCode} while waiting for ${name}`);
    }
    return method as MethodOf<N>;
  }

  /** The next message delivered on `channel`: the deliver or get-ok, its header and its whole body. */
  async delivery(channel: number): Promise<Delivered> {
    const method = await this.expect(channel, 'basic.deliver').catch(() => undefined);
    if (method === undefined) throw new Error(`no delivery on channel ${channel}`);
    return this.content(channel, method);
  }

  /** basic.get on `queue`: the message, or undefined for get-empty; throws when the channel is closed. */
  async get(channel: number, queue: string): Promise<Delivered | undefined> {
    this.send(channel, { name: 'basic.get', args: { queue, noAck: true } });
    const method = await this.next(channel, ['basic.getOk', 'basic.getEmpty', 'channel.close']);
    if (method.name === 'channel.close') throw new Error(`channel ${channel} closed with ${method.args.replyCode}`);
    if (method.name === 'basic.getEmpty') return undefined;
    return this.content(channel, method);
  }

  /** The gateway's connection.close (expiry, refused refresh…); answers it with close-ok. */
  async connectionClose(timeoutMs = WAIT_MS): Promise<MethodOf<'connection.close'>> {
    const close = await this.next(0, ['connection.close'], timeoutMs);
    this.client.closeOk();
    return close;
  }

  /** True once the WebSocket closed. */
  get ended(): boolean {
    return this.client.closeCode !== undefined;
  }

  /** Closes the AMQP connection politely, or drops the socket if it no longer answers. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.send(0, { name: 'connection.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    await Promise.race([this.client.closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (!this.ended) this.client.terminate();
  }

  private async content(channel: number, method: MethodOf<'basic.deliver' | 'basic.getOk'>): Promise<Delivered> {
    const headerIndex = await this.waitOn(
      channel,
      (i) => this.client.frames[i]!.frame.type === FrameType.Header,
      'content header',
      WAIT_MS,
    );
    const header = decodeContentHeader(this.client.frames[headerIndex]!.frame.payload);
    const chunks: Uint8Array[] = [];
    let received = 0;
    while (received < header.bodySize) {
      const bodyIndex = await this.waitOn(
        channel,
        (i) => this.client.frames[i]!.frame.type === FrameType.Body,
        'content body',
        WAIT_MS,
      );
      const payload = this.client.frames[bodyIndex]!.frame.payload;
      chunks.push(payload);
      received += payload.length;
    }
    return { method, properties: header.properties, body: Buffer.concat(chunks).toString('utf8') };
  }

  /**
   * Resolves with the index of the next frame on `channel` (from this channel's
   * read position) for which `match` holds, and moves the position past it.
   */
  private waitOn(channel: number, match: (index: number) => boolean, what: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const frames = this.client.frames;
        let i = this.cursors.get(channel) ?? 0;
        for (; i < frames.length; i++) {
          if (frames[i]!.frame.channel !== channel || !match(i)) continue;
          this.cursors.set(channel, i + 1);
          done();
          resolve(i);
          return;
        }
        this.cursors.set(channel, i);
        if (this.client.closeCode !== undefined) {
          done();
          reject(new Error(`socket closed (${this.client.closeCode}) before ${what} on channel ${channel}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what} on channel ${channel}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
