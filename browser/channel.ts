import {
  type BasicProperties,
  type ContentHeader,
  type FieldTable,
  type Method,
  type MethodName,
} from '../shared/index.js';
import { bodyBytes, type Body } from './body.js';
import type { Connection } from './connection.js';
import { Consumer, type ConsumeOptions } from './consumer.js';
import { withTimeout } from './deadline.js';
import { Emitter } from './emitter.js';
import { WarrenError, closeError } from './errors.js';
import { Message } from './message.js';
import { OPEN } from './state.js';
import { enqueue, writable } from './waiting.js';
import type { DeclareOptions } from './topology.js';

/** Events of a channel. */
export type ChannelEvents = {
  /** A mandatory publish the broker could not route (basic.return). */
  return: [message: Message];
  /** The channel closed: with the broker's error (404, 406, 403…), or none when `close()` closed it. */
  close: [error: WarrenError | undefined];
  /** The broker cancelled a consumer (its queue was deleted, or it failed over). */
  cancel: [consumerTag: string];
};

/** Options of exchange.declare. */
export interface ExchangeDeclareOptions extends DeclareOptions {
  internal?: boolean;
}

/** Options of queue.declare. */
export interface QueueDeclareOptions extends DeclareOptions {
  exclusive?: boolean;
}

/** The broker's answer to queue.declare. */
export interface QueueDeclareOk {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

/** A request awaiting its reply, or a publish awaiting its confirm. */
interface Pending {
  _resolve(value: unknown): void;
  _reject(error: unknown): void;
  _then?: ((reply: unknown) => unknown) | undefined;
}

type Args = Record<string, unknown>;

const RESOLVED = Promise.resolve();
const EMPTY = new Uint8Array(0);
const REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * An AMQP channel. Request/response methods share one pipelined RPC path:
 * requests go out at once and RabbitMQ answers them in order. After a
 * reconnect the channel comes back with the same id, qos, confirm/tx mode and
 * consumers; calls made while the connection is down wait for it (see
 * `waitTimeout`).
 */
export class Channel extends Emitter<ChannelEvents> {
  readonly id: number;
  readonly connection: Connection;
  /** @internal Bumped on every reopen; delivery tags of older epochs are void. */
  _epoch = 0;
  /** @internal Set once closed; every later call fails with it. */
  _error: WarrenError | undefined;
  /** @internal */
  readonly _consumers = new Map<string, Consumer>();
  private _calls: Pending[] = [];
  private _incoming: Message | undefined;
  // Set before first use (a content header, confirm.select): no initializers to carry.
  private _bodySize!: number;
  private _received!: number;
  private _confirm?: boolean;
  private _tx?: boolean;
  private _seq!: number;
  private _unconfirmed = new Map<number, Pending>();
  /** Last basic.qos per value of `global`. */
  private readonly _qos: (Args | undefined)[] = [];
  private _rpcs: Map<string, (message: Message) => void> | undefined;
  private _rpcConsumer: Promise<Consumer> | undefined;

  /** @internal Use `connection.channel()`. */
  constructor(connection: Connection, id: number) {
    super();
    this.connection = connection;
    this.id = id;
  }

  async exchangeDeclare(exchange: string, type = 'direct', options: ExchangeDeclareOptions = {}): Promise<void> {
    const args = { exchange, type, ...options };
    await this._call('exchange.declare', args);
    if (options.passive !== true) this.connection._topology._exchange(exchange, args);
  }

  async exchangeDelete(exchange: string, options: { ifUnused?: boolean } = {}): Promise<void> {
    await this._call('exchange.delete', { exchange, ...options });
    this.connection._topology._exchange(exchange, undefined);
  }

  /** Routes messages from exchange `source` to exchange `destination` (a RabbitMQ extension). */
  exchangeBind(destination: string, source: string, routingKey = '', args?: FieldTable): Promise<void> {
    return this._bind('exchange.bind', { destination, source, routingKey, arguments: args }, true);
  }

  exchangeUnbind(destination: string, source: string, routingKey = '', args?: FieldTable): Promise<void> {
    return this._bind('exchange.unbind', { destination, source, routingKey, arguments: args }, false);
  }

  /** Declares a queue; an empty name lets the broker choose one (returned in `queue`). */
  async queueDeclare(queue = '', options: QueueDeclareOptions = {}): Promise<QueueDeclareOk> {
    const args = { queue, ...options };
    const ok = await this._call<QueueDeclareOk>('queue.declare', args);
    if (options.passive !== true) this.connection._topology._queue(ok.queue, args);
    return ok;
  }

  /** Deletes a queue; resolves with the number of messages deleted with it. */
  async queueDelete(queue: string, options: { ifUnused?: boolean; ifEmpty?: boolean } = {}): Promise<number> {
    const ok = await this._call<{ messageCount: number }>('queue.delete', { queue, ...options });
    this.connection._topology._queue(queue, undefined);
    return ok.messageCount;
  }

  queueBind(queue: string, exchange: string, routingKey = '', args?: FieldTable): Promise<void> {
    return this._bind('queue.bind', { queue, exchange, routingKey, arguments: args }, true);
  }

  queueUnbind(queue: string, exchange: string, routingKey = '', args?: FieldTable): Promise<void> {
    return this._bind('queue.unbind', { queue, exchange, routingKey, arguments: args }, false);
  }

  /** Removes a queue's ready messages; resolves with how many. */
  async queuePurge(queue: string): Promise<number> {
    return (await this._call<{ messageCount: number }>('queue.purge', { queue })).messageCount;
  }

  /** Limits unacknowledged deliveries (per consumer, or per channel with `global` on RabbitMQ). */
  async basicQos(prefetchCount: number, prefetchSize = 0, global = false): Promise<void> {
    const args = { prefetchCount, prefetchSize, global };
    await this._call('basic.qos', args);
    this._qos[+global] = args;
  }

  /**
   * Publishes a message; its method, header and body frames leave in one
   * WebSocket message, batched with other frames of the same microtask.
   *
   * Resolves when the message is handed to the socket, or, in confirm mode,
   * when the broker acks it (rejects `ERR_NACKED` on nack, `ERR_CONNECTION_LOST`
   * if the connection drops first). While the connection is down or blocked,
   * or the socket holds more than `highWaterMark` bytes, the publish waits, in
   * order, up to `waitTimeout`, then rejects `ERR_TIMEOUT`: never dropped silently
   * (and past `maxWaitingBytes` it rejects `ERR_WAIT_FULL` at once).
   * Without confirms, a message in flight when the socket drops may be lost,
   * as with any AMQP client; use `confirmSelect()` when that matters.
   */
  basicPublish(
    exchange: string,
    routingKey: string,
    body: Body,
    properties: BasicProperties = {},
    options: { mandatory?: boolean } = {},
  ): Promise<void> {
    const connection = this.connection;
    try {
      const bytes = bodyBytes(body);
      const send = (): Promise<void> => {
        if (this._error) throw this._error;
        connection._frames(connection._socket!, (out) =>
          out
            .method(this.id, { name: 'basic.publish', args: { exchange, routingKey, ...options } } as Method)
            .header(this.id, bytes.length, properties)
            .body(this.id, bytes, connection._frameMax),
        );
        if (!this._confirm) return RESOLVED;
        return new Promise((resolve, reject) =>
          this._unconfirmed.set(++this._seq, { _resolve: resolve, _reject: reject }),
        );
      };
      if (writable(connection)) return send();
      return new Promise((resolve, reject) => enqueue(connection, () => resolve(send()), reject, true, bytes.length));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Subscribes to `queue`. Messages go to `callback`, or, without one, to the
   * returned consumer's async iterator. The consumer resumes after a reconnect.
   */
  basicConsume(queue: string, options: ConsumeOptions = {}, callback?: (message: Message) => void): Promise<Consumer> {
    // Registered when consume-ok arrives, before any delivery that follows it in the same read.
    return this._call('basic.consume', { queue, ...options }, false, (ok) => {
      const consumer = new Consumer(this, (ok as { consumerTag: string }).consumerTag, queue, options, callback);
      this._consumers.set(consumer.tag, consumer);
      return consumer;
    });
  }

  async basicCancel(consumerTag: string): Promise<void> {
    await this._call('basic.cancel', { consumerTag }, false, () => this._dropConsumer(consumerTag));
  }

  /** Fetches one message, or null when the queue is empty. */
  basicGet(queue: string, options: { noAck?: boolean } = {}): Promise<Message | null> {
    return this._call('basic.get', { queue, ...options });
  }

  basicAck(deliveryTag: number, multiple = false): void {
    this._cast('basic.ack', { deliveryTag, multiple });
  }

  basicNack(deliveryTag: number, multiple = false, requeue = true): void {
    this._cast('basic.nack', { deliveryTag, multiple, requeue });
  }

  basicReject(deliveryTag: number, requeue = true): void {
    this._cast('basic.reject', { deliveryTag, requeue });
  }

  /** Redelivers this channel's unacknowledged messages. */
  async basicRecover(requeue = true): Promise<void> {
    await this._call('basic.recover', { requeue });
  }

  /** Publisher confirms: from now on `basicPublish` resolves on the broker's ack. */
  async confirmSelect(): Promise<void> {
    await this._call('confirm.select', {});
  }

  async txSelect(): Promise<void> {
    await this._call('tx.select', {}, false, () => (this._tx = true));
  }

  async txCommit(): Promise<void> {
    await this._call('tx.commit', {});
  }

  async txRollback(): Promise<void> {
    await this._call('tx.rollback', {});
  }

  /**
   * Request/response over RabbitMQ's direct reply-to: publishes with `replyTo`
   * `amq.rabbitmq.reply-to` and a fresh `correlationId`, resolves with the
   * reply, rejects `ERR_TIMEOUT` after `timeout` ms.
   */
  async rpc(
    exchange: string,
    routingKey: string,
    body: Body,
    properties: BasicProperties = {},
    timeout = 30_000,
  ): Promise<Message> {
    const replies = (this._rpcs ??= new Map());
    await (this._rpcConsumer ??= this.basicConsume(REPLY_TO, { noAck: true }, (reply) => {
      replies.get(reply.properties.correlationId!)?.(reply);
    }));
    const correlationId = Math.random().toString(36).slice(2);
    const reply = new Promise<Message>((resolve, reject) => {
      replies.set(correlationId, resolve);
      this.basicPublish(exchange, routingKey, body, { ...properties, replyTo: REPLY_TO, correlationId }).catch(reject);
    });
    return withTimeout(reply, timeout, 'rpc timeout').finally(() => replies.delete(correlationId));
  }

  /** Closes the channel; its consumers end. */
  async close(): Promise<void> {
    if (this._error) return;
    try {
      await this._call('channel.close', { replyCode: 200 });
    } finally {
      this._shutdown(new WarrenError('ERR_CLOSED', 'channel closed'), false);
    }
  }

  /**
   * @internal Sends a request and resolves with its reply's arguments, or what
   * `then` makes of them (run synchronously on arrival). Waits for the
   * connection unless `now` (used while restoring after a reconnect).
   */
  _call<T = unknown>(name: MethodName, args: Args, now?: boolean, then?: (reply: unknown) => unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const send = (): void => {
        if (this._error) throw this._error;
        // Written first: a method that fails to encode must leave no reply awaited.
        this.connection._write(this.id, name, args);
        this._calls.push({ _resolve: resolve as (value: unknown) => void, _reject: reject, _then: then });
        // Publishes written after confirm.select count from 1; mark it in wire order.
        if (name === 'confirm.select') {
          this._confirm = true;
          this._seq = 0;
        }
      };
      if (now) send();
      else enqueue(this.connection, send, reject, false);
    });
  }

  /**
   * @internal Opens this channel; after a reconnect (given the queues that came
   * back `renamed`, old → new) reopens it and restores its modes and consumers.
   */
  async _open(renamed?: Map<string, string>): Promise<void> {
    this._epoch++;
    await this._call('channel.open', {}, true);
    if (!renamed) return;
    for (const qos of this._qos) if (qos) await this._call('basic.qos', qos, true);
    if (this._confirm) await this._call('confirm.select', {}, true);
    if (this._tx) await this._call('tx.select', {}, true);
    for (const consumer of this._consumers.values()) {
      consumer.queue = renamed.get(consumer.queue) ?? consumer.queue;
      const args = { ...consumer.options, queue: consumer.queue, consumerTag: consumer.tag };
      await this._call('basic.consume', args, true);
    }
  }

  /** @internal A method frame for this channel. */
  _onMethod(method: Method): void {
    switch (method.name) {
      case 'basic.deliver':
      case 'basic.getOk':
      case 'basic.return':
        this._incoming = new Message(this, method.args);
        return;
      case 'basic.ack':
      case 'basic.nack': {
        // Settles the publish confirmed, or with `multiple` every one up to it.
        const { deliveryTag, multiple } = method.args;
        for (const [seq, pending] of this._unconfirmed) {
          if (seq > deliveryTag) break;
          if (seq === deliveryTag || multiple) {
            this._unconfirmed.delete(seq);
            if (method.name === 'basic.nack') pending._reject(new WarrenError('ERR_NACKED', 'nacked'));
            else pending._resolve(undefined);
          }
        }
        return;
      }
      case 'basic.cancel':
        this._dropConsumer(method.args.consumerTag);
        return this._emit('cancel', method.args.consumerTag);
      case 'channel.close':
        this.connection._write(this.id, 'channel.closeOk', {});
        return this._shutdown(closeError('ERR_CHANNEL_CLOSED', method.args), true);
      case 'channel.flow':
        return this.connection._write(this.id, 'channel.flowOk', method.args);
      case 'basic.getEmpty':
        return this._reply(null);
      default:
        this._reply(method.args);
    }
  }

  /** @internal */
  _onHeader(header: ContentHeader): void {
    const message = this._incoming;
    if (!message) return;
    message.properties = header.properties;
    message.body = EMPTY;
    this._bodySize = header.bodySize;
    this._received = 0;
    if (header.bodySize === 0) this._deliver(message);
  }

  /** @internal A body frame; a body in one frame stays a view of the received bytes. */
  _onBody(payload: Uint8Array): void {
    const message = this._incoming;
    if (!message) return;
    if (this._received === 0 && payload.length === this._bodySize) message.body = payload;
    else {
      if (this._received === 0) message.body = new Uint8Array(this._bodySize);
      message.body.set(payload, this._received);
    }
    this._received += payload.length;
    if (this._received >= this._bodySize) this._deliver(message);
  }

  /** @internal The socket dropped (or the channel ended): what was in flight fails; consumers stay for the reconnect. */
  _lost(error: WarrenError): void {
    const calls = this._calls;
    const unconfirmed = this._unconfirmed;
    this._incoming = undefined;
    this._calls = [];
    this._unconfirmed = new Map();
    this._seq = 0;
    for (const pending of [...calls, ...unconfirmed.values()]) pending._reject(error);
  }

  /** @internal The channel is gone for good. `reported`: the error goes to `close` listeners and consumers. */
  _shutdown(error: WarrenError, reported: boolean): void {
    if (this._error) return;
    this._error = error;
    this._lost(error);
    // A Map's iterator survives deleting the entry it is on.
    for (const tag of this._consumers.keys()) this._dropConsumer(tag, reported ? error : undefined);
    this.connection._channels.delete(this.id);
    this._emit('close', reported ? error : undefined);
  }

  private _bind(name: MethodName, args: Args, bound: boolean): Promise<void> {
    return this._call(name, args).then(() => {
      this.connection._topology._bind(name.replace('unbind', 'bind') as 'queue.bind', args, bound);
    });
  }

  /** Fire-and-forget methods (acks); meaningless across reconnects, so dropped while disconnected. */
  private _cast(name: MethodName, args: Args): void {
    if (!this._error && this.connection._state === OPEN) {
      this.connection._write(this.id, name, args);
    }
  }

  private _reply(value: unknown): void {
    const pending = this._calls.shift();
    pending?._resolve(pending._then ? pending._then(value) : value);
  }

  private _deliver(message: Message): void {
    const tag = message.consumerTag;
    this._incoming = undefined;
    if (message.replyCode !== undefined) this._emit('return', message);
    else if (tag === undefined) this._reply(message);
    else this._consumers.get(tag)?._push(message);
  }

  private _dropConsumer(tag: string, error?: unknown): void {
    this._consumers.get(tag)?._end(error);
    this._consumers.delete(tag);
  }
}
