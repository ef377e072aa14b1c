import amqp from 'amqplib';
import { ROOMS, type ChatNames } from './chat-model.js';

/** Stream retention: small segments so old history is dropped in small steps. */
const STREAM_ARGUMENTS = {
  'x-queue-type': 'stream',
  'x-max-length-bytes': 50_000_000,
  'x-stream-max-segment-size-bytes': 5_000_000,
};

/** Thrown when the broker cannot be reached at start. */
export class BrokerUnreachableError extends Error {
  readonly code = 'ERR_BROKER_UNREACHABLE';
  constructor(
    readonly url: string,
    options: { cause: unknown },
  ) {
    super(`no broker reachable at ${url}`, options);
  }
}

/**
 * The chat's broker side, set up with the broker's own account (the pages
 * cannot: their tokens grant no configure on the exchange or the streams).
 * It also follows the end of each room's stream, so a page can start reading
 * history 100 messages before it: RabbitMQ reports no message count for streams.
 */
export class ChatTopology {
  /** Offset after the last message seen in each room's stream. */
  private readonly tails = new Map<string, number>();
  private connection: amqp.ChannelModel | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly names: ChatNames,
  ) {}

  /** Declares the exchange and the history streams and starts following them. */
  static async start(url: string, names: ChatNames): Promise<ChatTopology> {
    const topology = new ChatTopology(url, names);
    try {
      await topology.connect();
    } catch (err) {
      throw new BrokerUnreachableError(redact(url), { cause: err });
    }
    return topology;
  }

  /** Where a page should start reading `room`'s stream to get its last `count` messages. */
  historyStart(room: string, count: number): number {
    return Math.max(0, (this.tails.get(room) ?? 0) - count);
  }

  /** Deletes the exchange and streams (tests clean up their namespace). */
  async remove(): Promise<void> {
    const connection = await amqp.connect(this.url);
    try {
      const channel = await connection.createChannel();
      for (const room of ROOMS) await channel.deleteQueue(this.names.historyStream(room));
      await channel.deleteExchange(this.names.exchange);
    } finally {
      await connection.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connection?.close().catch(() => {});
  }

  private async connect(): Promise<void> {
    const connection = await amqp.connect(this.url);
    // A broker restart must not end the demo: follow the streams again once it is back.
    connection.on('error', () => {});
    connection.on('close', () => {
      this.connection = undefined;
      if (!this.closed) this.reconnectLater();
    });
    this.connection = connection;
    const channel = await connection.createChannel();
    await channel.assertExchange(this.names.exchange, 'topic', { durable: true });
    // Streams need a prefetch and manual acks.
    await channel.prefetch(1000);
    for (const room of ROOMS) {
      const stream = this.names.historyStream(room);
      await channel.assertQueue(stream, { durable: true, arguments: STREAM_ARGUMENTS });
      await channel.bindQueue(stream, this.names.exchange, `room.${room}`);
      // 'last' starts at the last chunk, enough to learn the end offset without reading everything.
      await channel.consume(
        stream,
        (message) => {
          if (message === null) return;
          const offset = Number(message.properties.headers?.['x-stream-offset']);
          if (Number.isFinite(offset)) this.tails.set(room, Math.max(this.tails.get(room) ?? 0, offset + 1));
          channel.ack(message);
        },
        { arguments: { 'x-stream-offset': 'last' } },
      );
    }
  }

  private reconnectLater(): void {
    this.retry = setTimeout(() => {
      this.connect().catch(() => this.reconnectLater());
    }, 2000);
    this.retry.unref();
  }
}

/** The broker URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
