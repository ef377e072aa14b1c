import { AMQPClient, AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { amqpClientSession, warrenSession, type ClientName, type WarrenModule } from './client-sessions.js';
import { roundTrip, throughput, type BenchSession, type RttResult, type ThroughputResult } from './workloads.js';

export type { ClientName } from './client-sessions.js';

// amqp-client.js's WebSocket client expects a browser's global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** How a row reaches the broker: a URL and the credentials to present. */
export interface Endpoint {
  readonly kind: 'tcp' | 'ws';
  readonly url: string;
  readonly username: string;
  readonly password: () => Promise<string>;
  /** Headers every publish carries (the pipe row that carries what Warren's gateway stamps). */
  readonly headers?: Readonly<Record<string, string>>;
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

/** Opens a session with the named client, in this process (the WebSocket is the `ws` package). */
export async function openSession(client: ClientName, endpoint: Endpoint): Promise<BenchSession> {
  const { url, username, headers } = endpoint;
  const password = await endpoint.password();
  if (client === 'warren client') {
    const mod = await loadWarrenClient();
    if (mod === undefined) throw new Error('the Warren client is not built');
    return warrenSession(mod, { url, token: password, username, WebSocket }, headers);
  }
  const amqp = endpoint.kind === 'tcp' ? new AMQPClient(url) : new AMQPWebSocketClient(url, '/', username, password);
  return amqpClientSession(amqp, headers);
}

/** Where the bench's clients run: in this process ({@link inThisProcess}), or in Chromium (chromium-clients.ts). */
export interface ClientRunner {
  throughput(
    client: ClientName,
    endpoint: Endpoint,
    count: number,
    size: number,
    window: number,
  ): Promise<Omit<ThroughputResult, 'clientCpuUsPerMsg'>>;
  roundTrip(client: ClientName, endpoint: Endpoint, count: number): Promise<RttResult>;
  /** CPU time (user + system) of what runs the clients, so far, in ms. */
  cpuMs(): number;
}

export const inThisProcess: ClientRunner = {
  throughput: (client, endpoint, count, size, window) =>
    throughput(() => openSession(client, endpoint), count, size, window),
  roundTrip: (client, endpoint, count) => roundTrip(() => openSession(client, endpoint), count),
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
};

/** Runs `work` on `runner`'s clients, and the CPU time they took during it per message, in µs. */
export async function withClientCpu<T>(
  runner: ClientRunner,
  messages: number,
  work: () => Promise<T>,
): Promise<[T, number]> {
  const before = runner.cpuMs();
  const result = await work();
  return [result, ((runner.cpuMs() - before) * 1000) / messages];
}
