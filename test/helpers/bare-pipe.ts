import { createConnection, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A running pipe. */
export interface BarePipe {
  /** `ws://127.0.0.1:<port>/`. */
  url: string;
  port: number;
  /** Drops every open WebSocket and its broker socket, as a crashing gateway would; keeps listening. */
  dropConnections(): void;
  /** Sends raw bytes to every connected WebSocket, as if the broker had sent them. */
  inject(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/**
 * A bare WebSocket-to-TCP relay in front of RabbitMQ: each binary message goes
 * to the broker socket as is and each chunk from the broker comes back as one
 * message. No authentication, no parsing: the baseline that Warren's gateway
 * improves on, and a stand-in for it in client tests that need no JWT.
 */
export async function startBarePipe(
  options: {
    brokerPort?: number;
    port?: number;
    /** Accepts permessage-deflate when a client offers it (`ws` does by default); off unless set. */
    perMessageDeflate?: boolean;
    /** Sees every WebSocket message from a client (`toBroker`) and every chunk from the broker. */
    tap?: (direction: 'toBroker' | 'toClient', bytes: Uint8Array) => void;
  } = {},
): Promise<BarePipe> {
  const tap = options.tap;
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    perMessageDeflate: options.perMessageDeflate ?? false,
  });
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const links = new Set<{ ws: WebSocket; tcp: Socket }>();
  server.on('connection', (ws) => {
    const tcp = createConnection({ host: '127.0.0.1', port: options.brokerPort ?? 5672 });
    const link = { ws, tcp };
    links.add(link);
    tcp.setNoDelay(true);
    // Messages that arrive before the TCP connect completes are buffered by the socket.
    ws.on('message', (data: Buffer) => {
      tap?.('toBroker', data);
      tcp.write(data);
    });
    tcp.on('data', (chunk) => {
      tap?.('toClient', chunk);
      ws.send(chunk);
    });
    const end = (): void => {
      links.delete(link);
      tcp.destroy();
      ws.terminate();
    };
    ws.on('close', end);
    ws.on('error', end);
    tcp.on('close', end);
    tcp.on('error', end);
  });
  const port = (server.address() as { port: number }).port;
  const dropConnections = (): void => {
    for (const { ws, tcp } of [...links]) {
      tcp.destroy();
      ws.terminate();
    }
  };
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    dropConnections,
    inject: (bytes) => {
      for (const { ws } of links) ws.send(bytes);
    },
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
