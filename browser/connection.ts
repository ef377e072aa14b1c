import {
  FrameType,
  decodeHeaderFrame,
  decodeMethodFrame,
  type FrameWriter,
  type Frame,
  type Method,
  type MethodName,
} from '../shared/index.js';
import { Channel } from './channel.js';
import { withTimeout } from './deadline.js';
import { Emitter } from './emitter.js';
import { WarrenError, closeError } from './errors.js';
import { DEFAULTS, type ConnectOptions, type Settings } from './options.js';
import { reconnect, retryable } from './reconnect.js';
import { Socket, type WebSocketConstructor } from './socket.js';
import { CLOSED, CLOSING, CONNECTING, IDLE, OPEN, type State } from './state.js';
import { jwtExpiry, refreshDelay } from './token.js';
import { Topology } from './topology.js';
import { enqueue, pump, type Job } from './waiting.js';

/** Events of a connection. */
export type ConnectionEvents = {
  /** The first open; `connect()` resolves right after. */
  open: [];
  /** Closed for good: by `close()` (no error), by the peer, or after reconnecting gave up. */
  close: [error: WarrenError | undefined];
  /** The broker stopped reading publishes (a resource alarm); publishes wait. */
  blocked: [reason: string];
  unblocked: [];
  /** The socket dropped; attempt `attempt` starts after `delay` ms. */
  reconnecting: [info: { attempt: number; delay: number; error: unknown }];
  /** Back, with channels, topology and consumers restored; server-named queues that came back renamed, old → new. */
  reconnected: [info: { renamedQueues: Map<string, string> }];
  /** Trouble that did not close the connection: a failed token refresh or restore step. */
  error: [error: unknown];
};

/**
 * A connection to the gateway over one WebSocket at a time. Usually made by
 * `connect()`; `new Connection(options)` lets listeners attach before `connect()`.
 */
export class Connection extends Emitter<ConnectionEvents> {
  readonly options: ConnectOptions;
  /** @internal */
  _state: State = IDLE;
  /** @internal */
  _socket: Socket | undefined;
  /** @internal Set by connection.tune, as are `_channelMax` and `_heartbeat`. */
  _frameMax!: number;
  /** @internal */
  readonly _channels = new Map<number, Channel>();
  /** @internal */
  readonly _topology = new Topology();
  /** Channel 0: its request/reply path carries update-secret and close, answered in order. */
  private readonly _control = new Channel(this, 0);
  /** @internal Set while a handshake runs: settles it, with nothing once open, else with the error. */
  _handshake: ((error?: unknown) => void) | undefined;
  /** @internal Pending reconnect delay. */
  _sleep: ReturnType<typeof setTimeout> | undefined;
  private _channelMax!: number;
  /** @internal Set by every `_open()`, as is `_token`. */
  _blocked!: boolean;
  /** @internal Calls and publishes waiting for the connection to be writable (see waiting.ts). */
  _jobs: Job[] = [];
  /** @internal What they count against `maxWaitingBytes`. */
  _waitingBytes = 0;
  /** @internal */
  _closeReason: WarrenError | undefined;
  private _received = 0;
  private _heartbeat!: number;
  private _token!: string;
  /** @internal The waiting jobs' timer, the token refresh's and the heartbeat interval (clearTimeout clears either kind). */
  _timers: ReturnType<typeof setTimeout>[] = [];

  /** @internal `options` with defaults. */
  readonly _options: Settings;

  constructor(options: ConnectOptions) {
    super();
    this.options = options;
    this._options = { ...DEFAULTS, ...options };
  }

  /**
   * Opens the connection; rejects (without retrying) if the first attempt fails,
   * `ERR_CLOSED` if `close()` came first. A connection opens once: called again,
   * or after `close()`, it rejects `ERR_INVALID_STATE`.
   */
  async connect(): Promise<this> {
    if (this._state !== IDLE) throw new WarrenError('ERR_INVALID_STATE', 'connect() called again');
    this._state = CONNECTING;
    try {
      await this._open();
      this._live();
    } catch (err) {
      // After close(), already finished.
      if (this._state === CONNECTING) this._finish(err as WarrenError);
      throw err;
    }
    this._up();
    this._emit('open');
    this._pump();
    return this;
  }

  /** Opens a channel (waiting for the connection if it is down). */
  channel(): Promise<Channel> {
    return new Promise((resolve, reject) =>
      enqueue(this, () => this._newChannel().then(resolve, reject), reject, false),
    );
  }

  /**
   * Sends a new token with connection.update-secret: `token`, or a fresh one
   * from the token function. Done automatically before a JWT's `exp`.
   */
  async updateToken(token?: string): Promise<void> {
    const next = token ?? (await this._fetchToken());
    await this._call0('connection.updateSecret', { newSecret: next, reason: 'refresh' });
    this._token = next;
    this._scheduleRefresh();
  }

  /** Closes the connection (connection.close, then the socket); stops reconnecting. */
  async close(): Promise<void> {
    const state = this._state;
    if (state >= CLOSING) return;
    this._state = CLOSING;
    clearTimeout(this._sleep);
    if (state === OPEN) await this._call0('connection.close', { replyCode: 200 }).catch(() => {});
    this._finish(undefined);
  }

  /** @internal Opens a channel on the lowest free id. */
  _newChannel(): Promise<Channel> {
    let id = 1;
    while (this._channels.has(id)) id++;
    if (id > this._channelMax) throw new WarrenError('ERR_CHANNEL_MAX', 'channel_max');
    const channel = new Channel(this, id);
    this._channels.set(id, channel);
    return channel._open().then(() => channel);
  }

  /** @internal Runs the waiting calls and publishes that can run now (the socket's turn came, or the connection opened). */
  _pump(): void {
    pump(this);
  }

  /** @internal Writes one method frame; it leaves with the microtask's batch. */
  _write(channel: number, name: MethodName, args: object): void {
    const socket = this._socket;
    if (socket === undefined) throw new WarrenError('ERR_CONNECTION_LOST', 'connection lost');
    this._frames(socket, (out) => out.method(channel, { name, args } as Method));
  }

  /**
   * @internal Writes frames into the socket's batch; if encoding throws halfway,
   * none of them stay, and the error is an `ERR_INVALID_VALUE` with the codec's as its `cause`.
   */
  _frames(socket: Socket, write: (out: FrameWriter) => void): void {
    const out = socket._out;
    const at = out.length;
    try {
      write(out);
    } catch (err) {
      out.truncate(at);
      throw new WarrenError('ERR_INVALID_VALUE', (err as Error).message, 0, 0, 0, err);
    }
    socket._send();
  }

  /** @internal A new socket and the AMQP handshake, with a fresh token; rejects `ERR_CLOSED` if `close()` came first. */
  async _open(): Promise<void> {
    const options = this._options;
    const WebSocketClass = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
    if (WebSocketClass === undefined) throw new WarrenError('ERR_NO_WEBSOCKET', 'no WebSocket class');
    this._token = await this._fetchToken();
    this._live();
    this._closeReason = undefined;
    this._blocked = false;
    const handshake = new Promise<void>((resolve, reject) => {
      this._handshake = (error) => (error === undefined ? resolve() : reject(error));
      this._socket = new Socket(options.url, WebSocketClass, this);
    });
    await withTimeout(handshake, options.connectTimeout, 'connect timeout')
      .catch((err: unknown) => {
        this._socket?._close();
        throw err;
      })
      .finally(() => (this._handshake = undefined));
  }

  /** @internal Open (again), once nothing can stop it any more: the token refresh and heartbeat start. */
  _up(): void {
    this._state = OPEN;
    this._scheduleRefresh();
    this._startHeartbeat();
  }

  /** @internal Closed for good: everything pending fails, channels and consumers end. */
  _finish(error: WarrenError | undefined): void {
    this._state = CLOSED;
    for (const timer of this._timers) clearTimeout(timer);
    const reason = (this._closeReason = error ?? new WarrenError('ERR_CLOSED', 'connection closed'));
    this._handshake?.(reason);
    // Each channel leaves the map as it shuts down; a Map's iterator allows that.
    for (const channel of this._channels.values()) channel._shutdown(reason, error !== undefined);
    // What waits fails too; nothing can be queued any more, so what it counted no longer matters.
    for (const job of this._jobs.splice(0)) job._fail(reason);
    this._socket?._close();
    this._socket = undefined;
    this._emit('close', error);
  }

  /** @internal */
  _onFrame(socket: Socket, frame: Frame): void {
    if (socket !== this._socket) return;
    this._received++;
    const channel = this._channels.get(frame.channel);
    try {
      if (frame.type === FrameType.Method) {
        const method = decodeMethodFrame(frame);
        if (frame.channel === 0) this._onMethod0(socket, method);
        else channel?._onMethod(method);
      } else if (frame.type === FrameType.Header) channel?._onHeader(decodeHeaderFrame(frame));
      else if (frame.type === FrameType.Body) channel?._onBody(frame.payload);
      else {
        // Answering keeps a peer that sends heartbeats satisfied without page timers.
        socket._out.heartbeat();
        socket._send();
      }
    } catch (err) {
      // Undecodable input: the stream cannot be trusted any more.
      this._closeReason = new WarrenError('ERR_PROTOCOL', 'bad frame', 0, 0, 0, err);
      socket._close();
    }
  }

  private _onMethod0(socket: Socket, method: Method): void {
    const options = this._options;
    switch (method.name) {
      case 'connection.start': {
        // The extensions a broker sends only to clients that announce them (what else RabbitMQ's own
        // clients list is informational: confirms, nacks and exchange bindings work without it).
        const capabilities = {
          consumer_cancel_notify: true,
          'connection.blocked': true,
          authentication_failure_close: true,
        };
        const response = `\0${options.username}\0${this._token}`;
        return this._write(0, 'connection.startOk', {
          clientProperties: { product: 'Warren', capabilities, ...options.clientProperties },
          mechanism: 'PLAIN',
          response,
          locale: 'en_US',
        });
      }
      case 'connection.tune': {
        const { channelMax, frameMax, heartbeat } = method.args;
        const wanted = options.heartbeat;
        const args = {
          channelMax: (this._channelMax = Math.min(channelMax || 65535, options.channelMax)),
          frameMax: (this._frameMax = Math.min(frameMax || 2 ** 32 - 1, options.frameMax)),
          heartbeat: wanted > 0 && heartbeat > 0 ? Math.min(wanted, heartbeat) : wanted,
        };
        socket._splitter.frameMax = args.frameMax;
        this._write(0, 'connection.tuneOk', args);
        this._heartbeat = args.heartbeat;
        return this._write(0, 'connection.open', { virtualHost: options.vhost });
      }
      case 'connection.openOk':
        return this._handshake?.();
      case 'connection.close':
        this._write(0, 'connection.closeOk', {});
        this._closeReason = closeError('ERR_CONNECTION_CLOSED', method.args);
        return socket._close();
      case 'connection.blocked':
        this._blocked = true;
        return this._emit('blocked', method.args.reason);
      case 'connection.unblocked':
        this._blocked = false;
        this._emit('unblocked');
        return this._pump();
      default:
        // close-ok and update-secret-ok: replies to _call0.
        this._control._onMethod(method);
    }
  }

  /** @internal */
  _onClose(socket: Socket, error: unknown): void {
    if (socket !== this._socket) return;
    this._socket = undefined;
    clearTimeout(this._timers[1]);
    clearTimeout(this._timers[2]);
    const reason = this._closeReason ?? new WarrenError('ERR_CONNECTION_LOST', 'connection lost', 0, 0, 0, error);
    this._handshake?.(reason);
    this._control._lost(reason);
    for (const channel of this._channels.values()) channel._lost(reason);
    if (this._state !== OPEN) return;
    if (this.options.reconnect !== false && retryable(reason, this.options)) void reconnect(this, reason);
    else this._finish(reason);
  }

  /** Throws the reason it closed once closed (by `close()`, while opening): nothing may open after it. */
  private _live(): void {
    if (this._state === CLOSED) throw this._closeReason;
  }

  /** A connection-level request (update-secret, close), sent now and given `connectTimeout` to be answered. */
  private _call0(name: MethodName, args: Record<string, unknown>): Promise<unknown> {
    return withTimeout(this._control._call(name, args, true), this._options.connectTimeout, name);
  }

  /** Only when asked for: page timers run late in background tabs, and a late timer must not kill a live socket. */
  private _startHeartbeat(): void {
    const socket = this._socket!;
    let seen = -1;
    let silent = 0;
    if (this._heartbeat > 0) {
      this._timers[2] = setInterval(() => {
        // Two heartbeat periods (four ticks) without a frame: the peer is gone.
        if (this._received !== seen) silent = 0;
        else if (++silent >= 4) {
          this._closeReason = new WarrenError('ERR_TIMEOUT', 'missed heartbeats');
          return socket._close();
        }
        seen = this._received;
        socket._out.heartbeat();
        socket._send();
      }, this._heartbeat * 500);
    }
  }

  private async _fetchToken(): Promise<string> {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }

  private _scheduleRefresh(): void {
    clearTimeout(this._timers[1]);
    const expiresAt = typeof this.options.token === 'function' ? jwtExpiry(this._token) : undefined;
    if (expiresAt === undefined) return;
    this._timers[1] = setTimeout(
      () => this.updateToken().catch((err: unknown) => this._emit('error', err)),
      refreshDelay(expiresAt, Date.now()),
    );
  }
}
