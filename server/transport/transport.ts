/**
 * What a WebSocket backend (ws, uWebSockets.js) provides to the gateway. The
 * gateway never sees the backend's own objects: it answers HTTP requests,
 * decides upgrades, and talks to each accepted socket through {@link GatewaySocket}.
 */

/** An HTTP request, reduced to what routing and upgrade checks read. */
export interface RequestInfo {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly remoteAddress: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export type UpgradeDecision =
  | { readonly accept: true; readonly protocol: string | undefined; readonly context: unknown }
  | { readonly accept: false; readonly status: number; readonly reason: string };

/** One accepted WebSocket, whichever backend serves it. */
export interface GatewaySocket {
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Runs `sends`: the messages it sends leave together, in one write where the backend can. */
  corked(sends: () => void): void;
  /** Bytes accepted by `send` that the peer has not been sent yet. */
  readonly bufferedAmount: number;
  /**
   * Whether `bufferedAmount` passed the high-water mark (TransportOptions):
   * {@link SocketHandler.drain} follows once it fell to half of that. Whatever
   * stops for backpressure waits on this, never on `bufferedAmount` alone, so
   * that every stop has its drain.
   */
  readonly overHighWaterMark: boolean;
  /**
   * Whether `send` keeps what it is given to write later, while `bufferedAmount`
   * is above 0, rather than copying it (uWS copies what it cannot write at once):
   * then those bytes must not change until written.
   */
  readonly sendKeepsBytes: boolean;
  /**
   * Whether `pause` stops reading the socket. Where it does not (uWS), messages
   * keep coming while paused: the session tells the browser connection.blocked,
   * and the socket bounds what arrives with {@link SocketHandler.overrun}.
   */
  readonly pauseStopsReading: boolean;
  /** Stops delivering messages (backpressure towards the browser), where `pauseStopsReading`. */
  pause(): void;
  resume(): void;
  /** Closes with a WebSocket close code and reason. */
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake. */
  terminate(): void;
}

/** What the gateway does with one accepted socket's events. */
export interface SocketHandler {
  message(data: Uint8Array): void;
  /**
   * The messages delivered in one go (from one socket read) have all been
   * passed to `message`: what they produced can leave in one write.
   */
  messagesEnd(): void;
  /** `bufferedAmount` fell below the low-water mark after having passed the high one. */
  drain(): void;
  /**
   * More than the transport's bound arrived while paused (only where `pause`
   * does not stop reading); called again for each further bound's worth. The
   * session must close.
   */
  overrun(): void;
  closed(code: number, reason: string): void;
}

export interface TransportHandlers {
  http(req: RequestInfo): Promise<HttpResponse> | HttpResponse;
  upgrade(req: RequestInfo, offeredProtocols: readonly string[]): Promise<UpgradeDecision>;
  open(socket: GatewaySocket, context: unknown): SocketHandler;
}

export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Largest WebSocket message accepted from a browser. */
  readonly maxMessageBytes: number;
  /** How often to ping each browser; one missed pong closes it. */
  readonly pingIntervalMs: number;
  /** `bufferedAmount` above which `drain` is awaited. */
  readonly highWaterMark: number;
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface Transport {
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting new connections; open sockets stay. */
  stopAccepting(): Promise<void>;
  /** Closes everything still open. */
  close(): void;
}

export type TransportFactory = (options: TransportOptions, handlers: TransportHandlers) => Promise<Transport>;

/** WebSocket close codes the gateway uses. */
export const WsClose = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  PolicyViolation: 1008,
  TooBig: 1009,
  InternalError: 1011,
} as const;
