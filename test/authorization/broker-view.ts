import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';

const BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** A name nobody else testing against the same broker will use. */
export function uniqueName(label: string): string {
  return `authz-${label}-${randomBytes(5).toString('hex')}`;
}

/**
 * The broker's side of the story, seen over a direct TCP connection (amqplib,
 * the gateway's own guest account): what exists, what is bound, what is queued.
 * This is how a test proves that a refused operation never reached RabbitMQ.
 */
export class BrokerView {
  private readonly exchanges = new Set<string>();
  private readonly queues = new Set<string>();

  private constructor(private readonly connection: amqplib.ChannelModel) {}

  static async connect(): Promise<BrokerView> {
    return new BrokerView(await amqplib.connect(BROKER_URL));
  }

  /** True when exchange `name` exists (a passive declare, on a channel of its own since a 404 closes it). */
  exchangeExists(name: string): Promise<boolean> {
    return this.passive((ch) => ch.checkExchange(name));
  }

  /** True when queue `name` exists. */
  queueExists(name: string): Promise<boolean> {
    return this.passive((ch) => ch.checkQueue(name));
  }

  /** Messages ready in `queue`. */
  async messageCount(queue: string): Promise<number> {
    const ch = await this.connection.createChannel();
    try {
      return (await ch.checkQueue(queue)).messageCount;
    } finally {
      await ch.close();
    }
  }

  /** Consumers on `queue`. */
  async consumerCount(queue: string): Promise<number> {
    const ch = await this.connection.createChannel();
    try {
      return (await ch.checkQueue(queue)).consumerCount;
    } finally {
      await ch.close();
    }
  }

  /**
   * True when a message published to `exchange` with `routingKey` reaches some
   * queue: a mandatory publish that the broker returns when nothing is bound.
   * Callers make sure the probe cannot land anywhere that matters (the queue is
   * purged or the message is counted).
   */
  async routes(exchange: string, routingKey: string): Promise<boolean> {
    const ch = await this.connection.createConfirmChannel();
    let returned = false;
    ch.on('return', () => {
      returned = true;
    });
    try {
      ch.publish(exchange, routingKey, Buffer.from('probe'), { mandatory: true });
      // The broker sends basic.return before the ack of the same message.
      await ch.waitForConfirms();
      return !returned;
    } finally {
      await ch.close();
    }
  }

  /** Declares exchange `name` (deleted again by {@link cleanUp}). */
  async exchange(name: string, type = 'direct'): Promise<string> {
    this.exchanges.add(name);
    await this.using((ch) => ch.assertExchange(name, type, { durable: false }));
    return name;
  }

  /** Declares queue `name` (deleted again by {@link cleanUp}). */
  async queue(name: string): Promise<string> {
    this.queues.add(name);
    await this.using((ch) => ch.assertQueue(name, { durable: false }));
    return name;
  }

  async bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.using((ch) => ch.bindQueue(queue, exchange, routingKey));
  }

  async bindExchange(destination: string, source: string, routingKey: string): Promise<void> {
    await this.using((ch) => ch.bindExchange(destination, source, routingKey));
  }

  /** Puts `count` messages in `queue` through the default exchange, confirmed. */
  async fill(queue: string, count: number, body = 'seed'): Promise<void> {
    const ch = await this.connection.createConfirmChannel();
    try {
      for (let i = 0; i < count; i++) ch.sendToQueue(queue, Buffer.from(body));
      await ch.waitForConfirms();
    } finally {
      await ch.close();
    }
  }

  /** Remembers names a test made through the gateway so {@link cleanUp} removes them too. */
  track(kind: 'exchange' | 'queue', name: string): string {
    (kind === 'exchange' ? this.exchanges : this.queues).add(name);
    return name;
  }

  /** Deletes every exchange and queue this view declared or tracked, then disconnects. */
  async cleanUp(): Promise<void> {
    try {
      const ch = await this.connection.createChannel();
      for (const q of this.queues) await ch.deleteQueue(q);
      for (const x of this.exchanges) await ch.deleteExchange(x);
      await ch.close();
    } finally {
      await this.connection.close();
    }
  }

  private async using<T>(work: (ch: amqplib.Channel) => Promise<T>): Promise<T> {
    const ch = await this.connection.createChannel();
    try {
      return await work(ch);
    } finally {
      await ch.close();
    }
  }

  private async passive(check: (ch: amqplib.Channel) => Promise<unknown>): Promise<boolean> {
    const ch = await this.connection.createChannel();
    // A 404 closes the channel; amqplib reports it as an 'error' event as well as the rejection.
    ch.on('error', () => {});
    try {
      await check(ch);
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
    await ch.close();
    return true;
  }
}
