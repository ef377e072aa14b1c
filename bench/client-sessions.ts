/**
 * The two clients under test as {@link BenchSession}s. Like workloads.ts, nothing
 * here is Node's: a page in Chromium builds its sessions with these too.
 */
import type { AMQPClient } from '@cloudamqp/amqp-client';
import type { BenchSession } from './workloads.js';

export type ClientName = 'amqp-client.js' | 'warren client';

/** An amqp-client.js client not yet connected: its TCP client or its WebSocket client. */
export interface AmqpClientLike {
  connect(): ReturnType<AMQPClient['connect']>;
}

/** `headers`: what every publish carries (the pipe row that carries what Warren's gateway stamps). */
export async function amqpClientSession(
  client: AmqpClientLike,
  headers?: Readonly<Record<string, string>>,
): Promise<BenchSession> {
  const conn = await client.connect();
  const ch = await conn.channel();
  const properties = headers === undefined ? {} : { headers: { ...headers } };
  return {
    declareQueue: async (name) => {
      await ch.queueDeclare(name, { autoDelete: false }, { 'x-expires': 300_000 });
    },
    deleteQueue: async (name) => {
      await ch.queueDelete(name);
    },
    publish: (queue, body) => ch.basicPublish('', queue, body, properties),
    consume: async (queue, onBody) => {
      await ch.basicConsume(queue, { noAck: true }, (msg) => onBody(msg.body ?? new Uint8Array(0)));
    },
    close: () => conn.close(),
  };
}

/** The part of Warren's client module (dist/browser/warren.mjs) the bench uses. */
export interface WarrenModule {
  connect(options: Record<string, unknown>): Promise<{
    channel(): Promise<{
      queueDeclare(name: string, options: Record<string, unknown>): Promise<unknown>;
      queueDelete(name: string): Promise<number>;
      basicPublish(exchange: string, routingKey: string, body: Uint8Array, properties: object): Promise<void>;
      basicConsume(
        queue: string,
        options: Record<string, unknown>,
        cb: (m: { body: Uint8Array }) => void,
      ): Promise<unknown>;
    }>;
    close(): Promise<void>;
  }>;
}

/** `options` go to `connect` as they are (url, token, username, and in Node the WebSocket class). */
export async function warrenSession(
  warren: WarrenModule,
  options: Record<string, unknown>,
  headers?: Readonly<Record<string, string>>,
): Promise<BenchSession> {
  const conn = await warren.connect({ ...options, reconnect: false });
  const ch = await conn.channel();
  const properties = headers === undefined ? {} : { headers: { ...headers } };
  return {
    declareQueue: async (name) => {
      await ch.queueDeclare(name, { autoDelete: false, arguments: { 'x-expires': 300_000 } });
    },
    deleteQueue: async (name) => {
      await ch.queueDelete(name);
    },
    publish: (queue, body) => ch.basicPublish('', queue, body, properties),
    consume: async (queue, onBody) => {
      await ch.basicConsume(queue, { noAck: true }, (m) => onBody(m.body));
    },
    close: () => conn.close(),
  };
}
