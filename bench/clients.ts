import { AMQPClient, AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';

// amqp-client.js's WebSocket client expects a browser's global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** The little the workloads need from a client session: one channel. */
export interface BenchSession {
  declareQueue(name: string): Promise<void>;
  deleteQueue(name: string): Promise<void>;
  publish(queue: string, body: Uint8Array): Promise<unknown>;
  consume(queue: string, onBody: (body: Uint8Array) => void): Promise<void>;
  close(): Promise<void>;
}

/** How a row reaches the broker: a URL and the credentials to present. */
export interface Endpoint {
  readonly kind: 'tcp' | 'ws';
  readonly url: string;
  readonly username: string;
  readonly password: () => Promise<string>;
  /** Headers every publish carries (the pipe row that carries what Warren's gateway stamps). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type ClientName = 'amqp-client.js' | 'warren client';

type AmqpClientChannel = Awaited<ReturnType<Awaited<ReturnType<AMQPClient['connect']>>['channel']>>;

async function amqpClientSession(endpoint: Endpoint): Promise<BenchSession> {
  const password = await endpoint.password();
  const client =
    endpoint.kind === 'tcp'
      ? new AMQPClient(endpoint.url)
      : new AMQPWebSocketClient(endpoint.url, '/', endpoint.username, password);
  const conn = await client.connect();
  const ch: AmqpClientChannel = await conn.channel();
  const properties = endpoint.headers === undefined ? {} : { headers: { ...endpoint.headers } };
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

interface WarrenModule {
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

let warren: WarrenModule | null | undefined;

/**
 * Warren's own browser client as pages get it (the ESM bundle, with the codec's
 * gateway-only paths left out: see rollup.config.mjs), when it has been built;
 * undefined otherwise.
 */
export async function loadWarrenClient(): Promise<WarrenModule | undefined> {
  if (warren === undefined) {
    try {
      // A path computed at run time: the bench builds and runs without the browser client.
      const path = new URL('../browser/warren.mjs', import.meta.url).href;
      warren = (await import(path)) as WarrenModule;
    } catch {
      warren = null;
    }
  }
  return warren ?? undefined;
}

async function warrenSession(endpoint: Endpoint): Promise<BenchSession> {
  const mod = await loadWarrenClient();
  if (mod === undefined) throw new Error('the Warren client is not built');
  const conn = await mod.connect({
    url: endpoint.url,
    token: await endpoint.password(),
    username: endpoint.username,
    WebSocket,
    reconnect: false,
  });
  const ch = await conn.channel();
  const properties = endpoint.headers === undefined ? {} : { headers: { ...endpoint.headers } };
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

/** Opens a session with the named client. */
export function openSession(client: ClientName, endpoint: Endpoint): Promise<BenchSession> {
  return client === 'warren client' ? warrenSession(endpoint) : amqpClientSession(endpoint);
}
