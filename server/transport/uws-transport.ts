import { STATUS_CODES } from 'node:http';
import type * as Uws from 'uWebSockets.js';
import {
  WsClose,
  type GatewaySocket,
  type RequestInfo,
  type SocketHandler,
  type TransportFactory,
} from './transport.js';
import { TransportError, TransportErrorCode, UWS_INSTALL_COMMAND } from './transport-errors.js';
import { MessagesEndQueue } from './messages-end-queue.js';

type UwsModule = typeof Uws;

/** What uWS keeps for each socket, from the upgrade decision to `close`. */
interface UserData {
  readonly protocol: string;
  readonly context: unknown;
  readonly remoteAddress: string;
  socket?: UwsGatewaySocket;
}

/**
 * The uWebSockets.js backend. uWS is optional: it is loaded when this backend
 * is chosen, and a missing or unloadable build fails with
 * {@link TransportErrorCode.UwsUnavailable} naming the install command.
 */
export const createUwsTransport: TransportFactory = async (options, handlers) => {
  const uws = await loadUws();
  const app = options.tls
    ? uws.SSLApp({ cert_file_name: options.tls.cert, key_file_name: options.tls.key })
    : uws.App();
  const open = new Set<UwsGatewaySocket>();
  let listenSocket: Uws.us_listen_socket | undefined;
  // uWS cannot stop reading one WebSocket, so what a paused browser keeps sending is bounded instead:
  // past this, the session closes with 506 RESOURCE_ERROR (see SocketHandler.overrun).
  const pausedInputLimit = options.maxMessageBytes + 4 * options.highWaterMark;

  app.any('/*', (res, req) => {
    const info = requestInfo(res, req);
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    void Promise.resolve()
      .then(() => handlers.http(info))
      .then(
        (reply) => {
          if (aborted) return;
          res.cork(() => {
            res.writeStatus(statusLine(reply.status));
            for (const [name, value] of Object.entries(reply.headers ?? {})) res.writeHeader(name, value);
            res.end(reply.body);
          });
        },
        () => {
          if (!aborted) res.cork(() => res.writeStatus(statusLine(500)).end());
        },
      );
  });

  app.ws<UserData>('/*', {
    maxPayloadLength: options.maxMessageBytes,
    // Sends past this limit are dropped by uWS; the session pauses the broker long before, so reaching it is fatal.
    maxBackpressure: 4 * options.highWaterMark,
    closeOnBackpressureLimit: 0,
    compression: uws.DISABLED,
    ...pingSettings(options.pingIntervalMs),
    upgrade: (res, req, context) => {
      // The request object is only valid until the first await: read everything now.
      const info = requestInfo(res, req);
      const key = req.getHeader('sec-websocket-key');
      const extensions = req.getHeader('sec-websocket-extensions');
      const offered = req
        .getHeader('sec-websocket-protocol')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      handlers.upgrade(info, offered).then(
        (decision) => {
          if (aborted) return;
          if (!decision.accept) return refuse(res, decision.status, decision.reason);
          const data: UserData = {
            protocol: decision.protocol ?? '',
            context: decision.context,
            remoteAddress: info.remoteAddress,
          };
          res.cork(() => res.upgrade(data, key, data.protocol, extensions, context));
        },
        () => {
          if (!aborted) refuse(res, 500, 'Internal Server Error');
        },
      );
    },
    open: (ws) => {
      const data = ws.getUserData();
      const socket = new UwsGatewaySocket(ws, options.highWaterMark, pausedInputLimit);
      data.socket = socket;
      open.add(socket);
      socket.handler = handlers.open(socket, data.context);
    },
    message: (ws, message, isBinary) => ws.getUserData().socket?.received(message, isBinary),
    drain: (ws) => ws.getUserData().socket?.drained(),
    close: (ws, code, message) => {
      const socket = ws.getUserData().socket;
      if (socket === undefined) return;
      open.delete(socket);
      socket.gone(code, Buffer.from(message).toString());
    },
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        app.listen(options.host, options.port, (token) => {
          if (token === false) {
            reject(
              new TransportError(TransportErrorCode.ListenFailed, `cannot listen on ${options.host}:${options.port}`),
            );
            return;
          }
          listenSocket = token;
          resolve(uws.us_socket_local_port(token as unknown as Uws.us_socket));
        });
      }),
    stopAccepting: () => {
      if (listenSocket !== undefined) uws.us_listen_socket_close(listenSocket);
      listenSocket = undefined;
      return Promise.resolve();
    },
    close: () => {
      if (listenSocket !== undefined) uws.us_listen_socket_close(listenSocket);
      listenSocket = undefined;
      for (const socket of [...open]) socket.terminate();
    },
  };
};

async function loadUws(): Promise<UwsModule> {
  try {
    const mod = (await import('uWebSockets.js')) as UwsModule & { default?: UwsModule };
    return mod.default ?? mod;
  } catch (err) {
    throw new TransportError(
      TransportErrorCode.UwsUnavailable,
      `--transport uws needs uWebSockets.js, which could not be loaded (${String(err)}). Install it with: ${UWS_INSTALL_COMMAND}`,
      { cause: err },
    );
  }
}

/**
 * uWS pings on its own when a socket has been quiet for a while and closes it
 * when nothing came back within `idleTimeout` seconds (at least 8, counted in
 * 4 s steps). Two ping intervals matches the ws backend's one missed pong.
 */
function pingSettings(pingIntervalMs: number): { idleTimeout: number; sendPingsAutomatically: boolean } {
  if (pingIntervalMs <= 0) return { idleTimeout: 0, sendPingsAutomatically: false };
  const seconds = Math.min(960, Math.max(8, Math.ceil((2 * pingIntervalMs) / 1000)));
  return { idleTimeout: seconds, sendPingsAutomatically: true };
}

function requestInfo(res: Uws.HttpResponse, req: Uws.HttpRequest): RequestInfo {
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  });
  const query = req.getQuery();
  return {
    method: req.getMethod().toUpperCase(),
    url: query ? `${req.getUrl()}?${query}` : req.getUrl(),
    headers,
    remoteAddress: textAddress(Buffer.from(res.getRemoteAddressAsText()).toString()),
  };
}

/** uWS spells IPv4 peers of a dual-stack socket in full IPv6 hex; the ws backend gives Node's `::ffff:a.b.c.d`. */
function textAddress(text: string): string {
  const mapped = /^(?:0000:){5}ffff:([0-9a-f]{2})([0-9a-f]{2}):([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (mapped === null) return text;
  return `::ffff:${mapped
    .slice(1)
    .map((h) => parseInt(h, 16))
    .join('.')}`;
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

function refuse(res: Uws.HttpResponse, status: number, reason: string): void {
  res.cork(() => {
    res
      .writeStatus(`${status} ${reason.replace(/[\r\n]/g, ' ')}`)
      .writeHeader('Content-Type', 'text/plain')
      .end(`${reason}\n`, true);
  });
}

/**
 * uWS calls back once per message, and Node runs microtasks after each
 * callback; a socket read (of up to 512 KiB, dozens of messages when a client
 * publishes in a loop) is handed over in one poll of the event loop, so
 * `messagesEnd` comes once per read in the check phase right after it.
 */
const messagesEnds = new MessagesEndQueue(setImmediate);

class UwsGatewaySocket implements GatewaySocket {
  handler: SocketHandler | undefined;
  readonly pauseStopsReading = false;
  /** uWS copies what it cannot write at once into its own buffer. */
  readonly sendKeepsBytes = false;
  private closed = false;
  /** Set when a send left more than the high-water mark queued; uWS's drain callback clears it (see `drained`). */
  overHighWaterMark = false;
  private paused = false;
  /** Bytes received since `pause()`: uWS keeps delivering, so this is what is bounded. */
  private pausedBytes = 0;

  constructor(
    private readonly ws: Uws.WebSocket<UserData>,
    private readonly highWaterMark: number,
    private readonly pausedInputLimit: number,
  ) {}

  get bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  send(data: Uint8Array): void {
    if (this.closed) return;
    const status = this.ws.send(data, true);
    if (status === 2) {
      // uWS dropped the message: the stream is broken, so the session cannot go on.
      this.close(WsClose.InternalError, 'resource error: browser is not reading');
      return;
    }
    if (status === 0 && this.ws.getBufferedAmount() > this.highWaterMark) this.overHighWaterMark = true;
  }

  /** Outside its own callbacks uWS writes each message at once unless corked. */
  corked(sends: () => void): void {
    if (this.closed) sends();
    else this.ws.cork(sends);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedBytes = 0;
  }

  resume(): void {
    this.paused = false;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.end(code, reason);
  }

  terminate(): void {
    if (this.closed) return;
    this.ws.close();
  }

  received(message: ArrayBuffer, isBinary: boolean): void {
    if (this.closed || this.handler === undefined) return;
    if (!isBinary) {
      this.close(WsClose.PolicyViolation, 'binary AMQP frames only');
      return;
    }
    if (this.paused) {
      this.pausedBytes += message.byteLength;
      if (this.pausedBytes > this.pausedInputLimit) {
        // The session closes with 506; the next limit's worth, should the browser go on regardless, ends it.
        this.pausedBytes = 0;
        this.handler.overrun();
        if (this.closed) return;
      }
    }
    // uWS reuses the message's memory after this callback; the frames live on in batches and socket buffers.
    this.handler.message(Buffer.from(new Uint8Array(message)));
    messagesEnds.add(this);
  }

  drained(): void {
    if (this.closed || !this.overHighWaterMark) return;
    if (this.ws.getBufferedAmount() <= this.highWaterMark / 2) {
      this.overHighWaterMark = false;
      this.handler?.drain();
    }
  }

  gone(code: number, reason: string): void {
    this.closed = true;
    this.handler?.closed(code, reason);
  }
}
