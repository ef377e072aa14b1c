import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig } from '../../server/config/index.js';
import { startGateway, type Gateway } from '../../server/gateway.js';
import { chatNames } from './chat-model.js';
import { ChatTopology } from './chat-topology.js';
import { demoRoutes } from './routes.js';
import { DEMO_AUDIENCE, DEMO_ISSUER, TokenMint } from './tokens.js';

export interface DemoOptions {
  /** Default 15680; 0 picks a free port. */
  readonly port?: number;
  /** Default `127.0.0.1`: the token endpoint mints for any name, so keep it off the network. */
  readonly host?: string;
  /** Lifetime of each minted token in milliseconds. Default 5 minutes. */
  readonly tokenTtlMs?: number;
  /** Default `amqp://guest:guest@127.0.0.1:5672`. */
  readonly broker?: string;
  /** Prefix of the chat's exchange and queues. Default `warren.chat`. */
  readonly namespace?: string;
  /** Gateway log level. Default `info`. */
  readonly logLevel?: string;
  readonly log?: Logger;
}

export interface Demo {
  readonly port: number;
  /** The page's address, `http://localhost:<port>/`. */
  readonly url: string;
  readonly gateway: Gateway;
  readonly topology: ChatTopology;
  close(): Promise<void>;
}

/**
 * Starts the chat demo: declares the chat's exchange and history streams,
 * then runs a gateway with a fresh random secret whose HTTP side also serves
 * the page and the demo-only token endpoint.
 *
 * @throws {BrokerUnreachableError} when no broker answers at `broker`.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const broker = options.broker ?? 'amqp://guest:guest@127.0.0.1:5672';
  const host = options.host ?? '127.0.0.1';
  const names = chatNames(options.namespace);
  const topology = await ChatTopology.start(broker, names);
  try {
    // Origins name the port, so it must be known before the gateway starts.
    const port = options.port === 0 ? await freePort(host) : (options.port ?? 15680);
    // Never printed or stored: a restart invalidates every token, which is fine for a demo.
    const secret = randomBytes(32).toString('base64url');
    const config = loadConfig(
      [
        `--host=${host}`,
        `--port=${port}`,
        `--broker=${broker}`,
        `--jwt-secret=${secret}`,
        `--jwt-issuer=${DEMO_ISSUER}`,
        `--jwt-audience=${DEMO_AUDIENCE}`,
        `--allowed-origins=http://localhost:${port},http://127.0.0.1:${port}`,
        `--log-level=${options.logLevel ?? 'info'}`,
      ],
      {},
    );
    const mint = new TokenMint(names, secret, options.tokenTtlMs ?? 5 * 60_000);
    const gateway = await startGateway(config, {
      ...(options.log === undefined ? {} : { log: options.log }),
      extraRoutes: demoRoutes({ names, mint, topology, path: config.path }),
    });
    return {
      port: gateway.port,
      url: `http://localhost:${gateway.port}/`,
      gateway,
      topology,
      async close() {
        await gateway.shutdown();
        await topology.close();
      },
    };
  } catch (err) {
    await topology.close();
    throw err;
  }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
