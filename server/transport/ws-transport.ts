import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
import { MessagesEndQueue } from './messages-end-queue.js';

/**
 * Whether ws unmasks browsers' messages natively: it does with the optional
 * dependency `bufferutil` installed (and WS_NO_BUFFER_UTIL unset). Without, it
 * unmasks in JavaScript, about 135 µs for a 64 KiB message against 2.5 µs.
 */
export function masksNatively(): boolean {
  if (process.env['WS_NO_BUFFER_UTIL']) return false;
  try {
    createRequire(import.meta.url)('bufferutil');
    return true;
  } catch {
    return false;
  }
}

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
    socket.on('error', destroySocket);
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    handlers.upgrade(requestInfo(req), offered).then(
      (decision) => {
        if (socket.destroyed) return;
        if (!decision.accept) return refuseUpgrade(socket, decision.status, decision.reason);
        req.warrenProtocol = decision.protocol;
        const context = decision.context;
        wss.handleUpgrade(req, socket, head, (ws) => accepted(ws, socket, context));
      },
      () => refuseUpgrade(socket, 500, 'Internal Server Error'),
    );
  });

  // Outside the upgrade handler's scope, so nothing a session keeps holds on to the request or its head.
  function accepted(ws: WebSocket, socket: Duplex, context: unknown): void {
    const gs = new WsGatewaySocket(ws, socket, options.highWaterMark, open);
    open.add(gs);
    gs.attach(handlers.open(gs, context));
  }

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

/** Where a `ws` socket's listeners find their gateway socket: shared listener functions cost no closure per session. */
const OWNER = Symbol('warren.gatewaySocket');
type OwnedWebSocket = WebSocket & { [OWNER]?: WsGatewaySocket };

class WsGatewaySocket implements GatewaySocket {
  handler: SocketHandler | undefined;
  readonly pauseStopsReading = true;
  /** ws queues the buffers it is sent in the socket's write buffer, as they are, until written. */
  readonly sendKeepsBytes = true;
  alive = true;
  /** Set by a send over the high-water mark, which alone asks ws to report its completion (see `sent`). */
  overHighWaterMark = false;

  constructor(
    readonly ws: WebSocket,
    /** The upgraded connection, which ws writes to. */
    private readonly socket: Duplex,
    private readonly highWaterMark: number,
    readonly open: Set<WsGatewaySocket>,
  ) {}

  attach(handler: SocketHandler): void {
    this.handler = handler;
    const ws = this.ws as OwnedWebSocket;
    ws[OWNER] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(data: Uint8Array): void {
    // Below the high-water mark nobody waits for a drain, so sends need no completion callback.
    if (!this.overHighWaterMark && this.ws.bufferedAmount + data.length <= this.highWaterMark) {
      this.ws.send(data, SEND_BINARY);
      return;
    }
    this.overHighWaterMark = true;
    this.ws.send(data, SEND_BINARY, (this.sentCallback ??= () => this.sent()));
  }

  /** ws writes each message as a header and its payload: corked, a batch of them is one writev. */
  corked(sends: () => void): void {
    this.socket.cork();
    try {
      sends();
    } finally {
      this.socket.uncork();
    }
  }

  private sentCallback: (() => void) | undefined;

  /** A send made over the high-water mark completed (or failed with the socket). */
  private sent(): void {
    if (this.overHighWaterMark && this.ws.bufferedAmount <= this.highWaterMark / 2) {
      this.overHighWaterMark = false;
      this.handler?.drain();
    }
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

const SEND_BINARY = { binary: true } as const;

function onMessage(this: OwnedWebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  const gs = this[OWNER]!;
  gs.alive = true;
  if (!isBinary) {
    this.close(WsClose.PolicyViolation, 'binary AMQP frames only');
    return;
  }
  gs.handler!.message(toBytes(data));
  messagesEnds.add(gs);
}

/**
 * ws parses every message of a socket read in one go (dozens, when a client
 * publishes in a loop), and Node runs microtasks once that read's callback
 * returned: `messagesEnd` then comes once per read.
 */
const messagesEnds = new MessagesEndQueue(queueMicrotask);

function onPong(this: OwnedWebSocket): void {
  this[OWNER]!.alive = true;
}

function onError(this: OwnedWebSocket): void {
  this.terminate();
}

function onClose(this: OwnedWebSocket, code: number, reason: Buffer): void {
  const gs = this[OWNER]!;
  gs.open.delete(gs);
  gs.handler!.closed(code, reason.toString());
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
