/* global fetch, location, crypto, setInterval, clearInterval, EventTarget, CustomEvent */
// The chat's messaging side: one Warren connection and channel per signed-in
// page. History and live messages of a room both come from the room's stream
// (read from `historyFrom` on, then followed), so they never overlap; presence
// and typing notices come through the user's own exclusive queue.
import { connect } from './warren.mjs';

const PRESENCE_EVERY_MS = 10_000;
const PRESENCE_TTL_MS = 25_000;
const TYPING_EVERY_MS = 2_000;
const TYPING_TTL_MS = 4_000;

/** Asks the demo server for a fresh token; rejects with a readable reason. */
export async function fetchToken(user) {
  const response = await fetch(`/demo/token?name=${encodeURIComponent(user)}`, { cache: 'no-store' });
  const reply = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(reply.reason ?? `sign-in failed (${response.status})`);
  return reply.token;
}

async function fetchConfig() {
  const response = await fetch('/demo/config', { cache: 'no-store' });
  if (!response.ok) throw new Error(`the demo server answered ${response.status}`);
  return response.json();
}

/**
 * A signed-in chat session. Emits `message`, `presence`, `typing` and
 * `status` events (CustomEvent, details below) for the view to render.
 */
export class Chat extends EventTarget {
  /** Signs `user` in: fetches a token (so a bad name fails here), connects, sets up the feed queue. */
  static async start(user) {
    const config = await fetchConfig();
    const first = await fetchToken(user);
    let used = false;
    // The client calls this on connect, before the token expires, and on every
    // reconnect: after the first, each call fetches a fresh token.
    const token = () => {
      if (!used) {
        used = true;
        return first;
      }
      return fetchToken(user);
    };
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const conn = await connect({
      url: `${scheme}://${location.host}${config.path}`,
      token,
      reconnect: { initialDelay: 250, maxDelay: 5_000 },
      clientProperties: { connection_name: `warren-chat ${user}` },
    });
    const chat = new Chat(user, config, conn);
    await chat._setUp();
    return chat;
  }

  constructor(user, config, conn) {
    super();
    this.user = user;
    this.config = config;
    this.conn = conn;
    this.channel = undefined;
    this.feed = `${config.userQueuePrefix.replace('{user}', user)}${crypto.randomUUID().slice(0, 8)}`;
    /** room → { consumer, lastOffset, presence: Map(user → expiry), typing: Map(user → expiry) } */
    this.rooms = new Map();
    this.lastTypingSent = 0;
    this.timers = [];
  }

  async _setUp() {
    const conn = this.conn;
    conn.on('reconnecting', (info) => this._status('reconnecting', info.attempt));
    conn.on('reconnected', () => {
      this._status('online');
      // Others may have expired us meanwhile.
      for (const room of this.rooms.keys()) this._presence(room, 'here');
    });
    conn.on('close', (error) => this._status('closed', error?.message));
    conn.on('error', (error) => console.warn('warren:', error));
    const ch = (this.channel = await conn.channel());
    // Streams refuse consumers without a prefetch; 200 keeps a 100-message replay in one round.
    await ch.basicQos(200);
    // Exclusive: no other session can read it, and it dies with the connection (the client re-declares it on reconnect).
    await ch.queueDeclare(this.feed, { exclusive: true, autoDelete: true });
    await ch.basicConsume(this.feed, { noAck: true }, (msg) => this._onFeed(msg));
    this.timers.push(setInterval(() => this._beat(), PRESENCE_EVERY_MS));
    this.timers.push(setInterval(() => this._expire(), 1_000));
    this._status('online');
  }

  /** Joins `room`: binds its presence and typing keys, replays its history, announces us. */
  async join(room) {
    if (this.rooms.has(room)) return;
    const state = { consumer: undefined, lastOffset: -1, presence: new Map(), typing: new Map() };
    this.rooms.set(room, state);
    const { exchange } = this.config;
    const ch = this.channel;
    await ch.queueBind(this.feed, exchange, `presence.${room}`);
    await ch.queueBind(this.feed, exchange, `typing.${room}`);
    // Where history starts moves as people talk: ask again on every join.
    const fresh = await fetchConfig();
    const from = fresh.rooms.find((r) => r.name === room)?.historyFrom ?? 0;
    const stream = this.config.rooms.find((r) => r.name === room).stream;
    state.consumer = await ch.basicConsume(
      stream,
      { arguments: { 'x-stream-offset': from > 0 ? from : 'first' } },
      (msg) => this._onRoomMessage(room, state, msg),
    );
    this._presence(room, 'join');
    this._emitPresence(room);
  }

  /** Leaves `room`: stops its stream, unbinds, tells the others. */
  async leave(room) {
    const state = this.rooms.get(room);
    if (state === undefined) return;
    this.rooms.delete(room);
    this._presence(room, 'leave');
    const ch = this.channel;
    await state.consumer?.cancel();
    await ch.queueUnbind(this.feed, this.config.exchange, `presence.${room}`);
    await ch.queueUnbind(this.feed, this.config.exchange, `typing.${room}`);
  }

  /**
   * Sends `text` to `room`. The body carries only the text and time: the
   * author is the `x-warren-user` header the gateway stamps from the token.
   */
  send(room, text) {
    this.lastTypingSent = 0;
    const body = JSON.stringify({ text, sentAt: Date.now() });
    return this.channel.basicPublish(this.config.exchange, `room.${room}`, body, { contentType: 'application/json' });
  }

  /** Call on each keystroke in the composer; sends a typing notice at most every 2 s. */
  typing(room) {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_EVERY_MS || !this.rooms.has(room)) return;
    this.lastTypingSent = now;
    this._publish(`typing.${room}`, {});
  }

  /** Who is in `room` now, sorted, us included. */
  present(room) {
    const state = this.rooms.get(room);
    if (state === undefined) return [];
    return [...new Set([this.user, ...state.presence.keys()])].sort((a, b) => a.localeCompare(b));
  }

  async close() {
    for (const timer of this.timers) clearInterval(timer);
    for (const room of this.rooms.keys()) this._presence(room, 'leave');
    await this.conn.close().catch(() => {});
  }

  _onRoomMessage(room, state, msg) {
    // Streams need acks to keep delivering past the prefetch.
    msg.ack();
    // Deliveries already in flight when the room was left.
    if (this.rooms.get(room) !== state) return;
    const offset = Number(msg.properties.headers?.['x-stream-offset'] ?? -1);
    // A reconnect resumes the consumer from its original offset: skip what we already showed.
    if (offset >= 0 && offset <= state.lastOffset) return;
    state.lastOffset = Math.max(state.lastOffset, offset);
    const author = authorOf(msg) ?? 'unknown';
    let body;
    try {
      body = msg.json();
    } catch {
      body = { text: msg.text };
    }
    if (typeof body?.text !== 'string') return;
    state.typing.delete(author);
    this._emit('typing', { room, users: [...state.typing.keys()] });
    this._emit('message', {
      room,
      author,
      text: body.text,
      sentAt: typeof body.sentAt === 'number' ? body.sentAt : Date.now(),
      offset,
      own: author === this.user,
    });
  }

  _onFeed(msg) {
    const [kind, room] = splitKey(msg.routingKey);
    const state = this.rooms.get(room);
    const author = authorOf(msg);
    if (state === undefined || author === undefined) return;
    if (kind === 'presence') {
      let what = 'here';
      try {
        what = msg.json().state;
      } catch {
        // A body that is not JSON still says the sender is here.
      }
      if (what === 'leave') state.presence.delete(author);
      else state.presence.set(author, Date.now() + PRESENCE_TTL_MS);
      // A newcomer should not wait a whole beat to see who is here.
      if (what === 'join' && author !== this.user) this._presence(room, 'here');
      this._emitPresence(room);
      if (what === 'leave' && state.typing.delete(author))
        this._emit('typing', { room, users: [...state.typing.keys()] });
    } else if (kind === 'typing' && author !== this.user) {
      state.typing.set(author, Date.now() + TYPING_TTL_MS);
      this._emit('typing', { room, users: [...state.typing.keys()] });
    }
  }

  _beat() {
    for (const room of this.rooms.keys()) this._presence(room, 'here');
  }

  _expire() {
    const now = Date.now();
    for (const [room, state] of this.rooms) {
      let changed = false;
      for (const [user, expiry] of state.presence) if (expiry < now) changed = state.presence.delete(user);
      if (changed) this._emitPresence(room);
      changed = false;
      for (const [user, expiry] of state.typing) if (expiry < now) changed = state.typing.delete(user);
      if (changed) this._emit('typing', { room, users: [...state.typing.keys()] });
    }
  }

  _presence(room, state) {
    this._publish(`presence.${room}`, { state });
  }

  _publish(routingKey, value) {
    // Presence and typing are best effort: a beat lost while reconnecting is sent again soon.
    this.channel?.basicPublish(this.config.exchange, routingKey, JSON.stringify(value)).catch(() => {});
  }

  _emitPresence(room) {
    this._emit('presence', { room, users: this.present(room) });
  }

  _status(state, detail) {
    this._emit('status', { state, detail });
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** The sender as the gateway stamped it; anything the body claims is ignored. */
function authorOf(msg) {
  const user = msg.properties.headers?.['x-warren-user'];
  return typeof user === 'string' ? user : undefined;
}

function splitKey(routingKey) {
  const dot = routingKey.indexOf('.');
  return [routingKey.slice(0, dot), routingKey.slice(dot + 1)];
}
