/**
 * Warren's browser client: AMQP 0-9-1 over a WebSocket to the Warren gateway.
 *
 * ```js
 * const conn = await Warren.connect({ url: 'wss://example.com/amqp', token: () => fetchJwt() });
 * const ch = await conn.channel();
 * await ch.basicConsume('inbox', {}, (msg) => { show(msg.text); msg.ack(); });
 * await ch.basicPublish('amq.topic', 'chat.room1', 'hello');
 * ```
 */
import { Connection } from './connection.js';
import type { ConnectOptions } from './options.js';

/** Opens a connection: `await connect({ url, token })`. */
export function connect(options: ConnectOptions): Promise<Connection> {
  return new Connection(options).connect();
}

export { Connection, type ConnectionEvents } from './connection.js';
export {
  Channel,
  type ChannelEvents,
  type ExchangeDeclareOptions,
  type QueueDeclareOptions,
  type QueueDeclareOk,
} from './channel.js';
export { Consumer, type ConsumeOptions } from './consumer.js';
export { Message } from './message.js';
export { ErrorCode, WarrenError } from './errors.js';
export type { Body } from './body.js';
export type { ConnectOptions } from './options.js';
export type { ReconnectOptions } from './backoff.js';
export type { DeclareOptions } from './topology.js';
export type { TokenSource } from './token.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export type { BasicProperties, FieldTable, FieldValue } from '../shared/index.js';
export { Decimal, Typed } from '../shared/index.js';
