import type { FieldTable } from '../shared/index.js';
import type { ReconnectOptions } from './backoff.js';
import type { WebSocketConstructor } from './socket.js';
import type { TokenSource } from './token.js';

/** Options of `connect()`. Durations are in milliseconds, except `heartbeat` (seconds, as in AMQP). */
export interface ConnectOptions {
  /** The gateway's WebSocket URL, `wss://host/amqp`. */
  url: string;
  /**
   * The JWT, sent as the SASL PLAIN password. A function is called on every
   * connect and again before the token's `exp` (a refresh sent with
   * connection.update-secret).
   */
  token: TokenSource;
  /** Default `/`. */
  vhost?: string;
  /** SASL PLAIN user name; the gateway ignores it. Default empty. */
  username?: string;
  /** The WebSocket class. Default the global one; on Node 20 pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** Largest frame to accept and send. Default 131 072. */
  frameMax?: number;
  /** Default 2047. */
  channelMax?: number;
  /**
   * AMQP heartbeat in seconds. Default 0: page timers stall in background tabs,
   * so the gateway checks liveness with WebSocket pings, which browsers answer
   * on their own. Above 0, the smaller of this and the server's proposal is used.
   */
  heartbeat?: number;
  /** Limit for opening the socket plus the AMQP handshake, and for connection-level replies. Default 10 000. */
  connectTimeout?: number;
  /**
   * How long a publish or call waits for the connection to come back, for
   * connection.unblocked, or for the socket's buffer to drain, before it
   * rejects `ERR_TIMEOUT`. The check runs on a timer, which a background tab
   * may run up to a minute late; one that can go by then goes. Default 30 000.
   */
  waitTimeout?: number;
  /** Publishes wait while the WebSocket holds more than this many bytes. Default 1 MiB. */
  highWaterMark?: number;
  /**
   * Most that may wait (see `waitTimeout`), in bytes: each waiting publish
   * counts its body's length, and every waiting publish or call 64 more.
   * Past it, a publish or call rejects `ERR_WAIT_FULL` at once; what already
   * waits keeps its place. One that finds nothing waiting may always wait, so
   * a message larger than this is not refused for its size. It bounds, too,
   * the messages an iterated consumer's loop has not taken, counted the same
   * way: past it the consumer is cancelled and its loop, once it has taken
   * what came, throws `ERR_WAIT_FULL` (see `Consumer`). Default 16 MiB.
   */
  maxWaitingBytes?: number;
  /** Reconnect after the socket drops; `false` to close instead. Default on, with the defaults of {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions | false;
  /** Extra client properties (`connection_name` shows in the management UI). */
  clientProperties?: FieldTable;
}

/** Defaults of the optional settings. */
export const DEFAULTS = {
  vhost: '/',
  username: '',
  frameMax: 131_072,
  channelMax: 2047,
  heartbeat: 0,
  connectTimeout: 10_000,
  waitTimeout: 30_000,
  highWaterMark: 1 << 20,
  maxWaitingBytes: 1 << 24,
};

/** Options with their defaults filled in. */
export type Settings = ConnectOptions & typeof DEFAULTS;
