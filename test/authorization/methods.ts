import type { FieldTable, Method } from '../../shared/index.js';
import { consumeQueue } from '../helpers/raw-client.js';

/**
 * Builders for the methods the permission tests send, with the arguments a
 * page would normally pass, so each test reads as the operation it checks.
 */
export const m = {
  exchangeDeclare: (
    exchange: string,
    options: { passive?: boolean; type?: string; arguments?: FieldTable } = {},
  ): Method => ({
    name: 'exchange.declare',
    args: {
      exchange,
      type: options.type ?? 'direct',
      passive: options.passive ?? false,
      durable: false,
      autoDelete: false,
      internal: false,
      noWait: false,
      arguments: options.arguments ?? {},
    },
  }),
  exchangeDelete: (exchange: string): Method => ({
    name: 'exchange.delete',
    args: { exchange, ifUnused: false, noWait: false },
  }),
  exchangeBind: (destination: string, source: string, routingKey: string): Method => ({
    name: 'exchange.bind',
    args: { destination, source, routingKey, noWait: false, arguments: {} },
  }),
  exchangeUnbind: (destination: string, source: string, routingKey: string): Method => ({
    name: 'exchange.unbind',
    args: { destination, source, routingKey, noWait: false, arguments: {} },
  }),
  queueDeclare: (
    queue: string,
    options: { passive?: boolean; exclusive?: boolean; noWait?: boolean; arguments?: FieldTable } = {},
  ): Method => ({
    name: 'queue.declare',
    args: {
      queue,
      passive: options.passive ?? false,
      durable: false,
      exclusive: options.exclusive ?? false,
      autoDelete: false,
      noWait: options.noWait ?? false,
      arguments: options.arguments ?? {},
    },
  }),
  queueDelete: (queue: string): Method => ({
    name: 'queue.delete',
    args: { queue, ifUnused: false, ifEmpty: false, noWait: false },
  }),
  queueBind: (queue: string, exchange: string, routingKey: string): Method => ({
    name: 'queue.bind',
    args: { queue, exchange, routingKey, noWait: false, arguments: {} },
  }),
  queueUnbind: (queue: string, exchange: string, routingKey: string): Method => ({
    name: 'queue.unbind',
    args: { queue, exchange, routingKey, arguments: {} },
  }),
  queuePurge: (queue: string): Method => ({ name: 'queue.purge', args: { queue, noWait: false } }),
  basicConsume: (queue: string, consumerTag = ''): Method => consumeQueue(queue, { consumerTag }),
  basicGet: (queue: string): Method => ({ name: 'basic.get', args: { queue, noAck: true } }),
};

/**
 * A `scope` claim in the RabbitMQ OAuth2 grammar for vhost `/`: each entry is
 * `kind:name` or `kind:name/routing-key`, e.g. `scopes('configure:q1', 'read:q1')`.
 */
export function scopes(...grants: string[]): string {
  return grants
    .map((grant) => {
      const colon = grant.indexOf(':');
      return `rabbitmq.${grant.slice(0, colon)}:%2F/${grant.slice(colon + 1)}`;
    })
    .join(' ');
}
