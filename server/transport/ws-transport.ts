import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  WsClose,
  type GatewaySocket,
  type RequestInfo,
  type SocketHandler,
  type Transport,
  type TransportHandlers,
  type TransportOptions,
} from './transport.js';

/** The `ws` backend: Node's http(s) server with `ws` handling upgrades. */
export async function createWsTransport(options: TransportOptions, handlers: TransportHandlers): Promise<Transport> {
  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) })
    : createHttpServer();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // The protocol was chosen by the upgrade decision and stashed on the request.
    handleProtocols: (_offered, req) => (req as UpgradingRequest).warrenProtocol ?? false,
  });
  const open = new Set<WsGatewaySocket>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void Promise.resolve(handlers.http(requestInfo(req))).then(
      (reply) => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });

  server.on('upgrade', (req: UpgradingRequest, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    handlers.upgrade(requestInfo(req), offered).then(
      (decision) => {
        if (socket.destroyed) return;
        if (!decision.accept) return refuseUpgrade(socket, decision.status, decision.reason);
        req.warrenProtocol = decision.protocol;
        wss.handleUpgrade(req, socket, head, (ws) => {
          const gs = new WsGatewaySocket(ws, options.highWaterMark);
          open.add(gs);
          gs.attach(handlers.open(gs, decision.context), () => open.delete(gs));
        });
      },
      () => refuseUpgrade(socket, 500, 'Internal Server Error'),
    );
  });

  // A ping interval of 0 turns liveness checks off.
  const pinger =
    options.pingIntervalMs > 0
      ? setInterval(() => {
          for (const socket of open) socket.checkAlive();
        }, options.pingIntervalMs).unref()
      : undefined;

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : options.port);
        });
      }),
    stopAccepting: () => {
      // close() stops listening at once, but its callback waits for every connection to end, upgraded
      // WebSockets included; the sessions on those are closed after this resolves, so do not wait.
      server.close();
      server.closeIdleConnections();
      return Promise.resolve();
    },
    close: () => {
      clearInterval(pinger);
      for (const socket of open) socket.terminate();
      server.closeAllConnections();
      server.close();
    },
  };
}

interface UpgradingRequest extends IncomingMessage {
  warrenProtocol?: string | undefined;
}

function requestInfo(req: IncomingMessage): RequestInfo {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers,
    remoteAddress: req.socket.remoteAddress ?? '',
  };
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

class WsGatewaySocket implements GatewaySocket {
  private handler: SocketHandler | undefined;
  private alive = true;
  private pending = 0;
  private overHighWater = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly highWaterMark: number,
  ) {}

  attach(handler: SocketHandler, onGone: () => void): void {
    this.handler = handler;
    const ws = this.ws;
    ws.on('message', (data, isBinary) => {
      this.alive = true;
      if (!isBinary) {
        ws.close(WsClose.PolicyViolation, 'binary AMQP frames only');
        return;
      }
      handler.message(toBytes(data));
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', (code, reason) => {
      onGone();
      handler.closed(code, reason.toString());
    });
  }

  get bufferedAmount(): number {
    return this.pending;
  }

  send(data: Uint8Array): void {
    const size = data.length;
    this.pending += size;
    if (this.pending > this.highWaterMark) this.overHighWater = true;
    this.ws.send(data, { binary: true }, () => {
      this.pending -= size;
      if (this.overHighWater && this.pending <= this.highWaterMark / 2) {
        this.overHighWater = false;
        this.handler?.drain();
      }
    });
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Called on each ping tick: a socket that did not answer the last ping is dropped. */
  checkAlive(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
