import { decodeUtf8, type FieldTable, type Method } from '../../shared/index.js';
import type { PermissionKind } from './scopes.js';

/** One permission a method needs: `kind` access to the named exchange or queue. */
export interface Access {
  readonly kind: PermissionKind;
  readonly resource: 'exchange' | 'queue';
  readonly name: string;
  /** Checked against a grant's routing-key part (RabbitMQ's topic permissions). */
  readonly routingKey?: string;
}

/** Per-channel facts the table needs but a single frame does not carry. */
export interface AccessContext {
  /**
   * The channel's most recently declared queue (from its last `queue.declare-ok`).
   * An empty queue name in consume/get/bind/purge/delete means this queue; when
   * unknown, the empty name itself is checked, which only a `*` grant allows.
   */
  readonly lastQueue?: string | undefined;
}

/**
 * The name checked for a server-named queue (`queue.declare` with an empty
 * name): RabbitMQ calls these `amq.gen-` plus 22 characters, and the gateway
 * cannot know the real name before the broker answers, so `amq.gen-*` or `*`
 * must be granted.
 */
export const SERVER_NAMED_QUEUE_PROBE = 'amq.gen-AAAAAAAAAAAAAAAAAAAAAA';

/** The default exchange, whose empty name RabbitMQ checks as `amq.default`. */
export const DEFAULT_EXCHANGE_NAME = 'amq.default';

/**
 * Exchanges every vhost has. Redeclaring them is legal in RabbitMQ (the broker
 * checks the properties match); only creating another `amq.*` is refused.
 */
const PREDECLARED_EXCHANGES = new Set([
  'amq.direct',
  'amq.fanout',
  'amq.topic',
  'amq.headers',
  'amq.match',
  'amq.rabbitmq.trace',
  'amq.rabbitmq.log',
]);

/**
 * The permissions a client method needs, after RabbitMQ's access-control table:
 *
 * | method | configure | write | read |
 * | --- | --- | --- | --- |
 * | exchange.declare (passive: nothing) | exchange | alternate exchange, if any | exchange, if an alternate is set |
 * | exchange.delete | exchange | | |
 * | queue.declare (passive: nothing) | queue | dead-letter exchange, if any | queue, if a DLX is set |
 * | queue.delete | queue | | |
 * | exchange.bind / unbind | | destination exchange | source exchange (+ binding key) |
 * | queue.bind / unbind | | queue | exchange (+ binding key) |
 * | basic.publish | | exchange (+ routing key) | |
 * | basic.consume, basic.get, queue.purge | | | queue |
 *
 * Every other method (channel, qos, ack, tx, confirm, connection) needs none.
 * Like RabbitMQ, binding keys are checked against read grants' routing-key part.
 */
export function requiredAccess(method: Method, context: AccessContext = {}): Access[] {
  const queueOrLast = (name: string): string => (name === '' ? (context.lastQueue ?? '') : name);
  switch (method.name) {
    case 'exchange.declare': {
      const { exchange, passive, arguments: args } = method.args;
      if (passive) return [];
      const needs: Access[] = [{ kind: 'configure', resource: 'exchange', name: exchange }];
      const alternate = stringArgument(args, 'alternate-exchange');
      if (alternate !== undefined) {
        needs.push(
          { kind: 'write', resource: 'exchange', name: exchangeName(alternate) },
          { kind: 'read', resource: 'exchange', name: exchange },
        );
      }
      return needs;
    }
    case 'exchange.delete':
      return [{ kind: 'configure', resource: 'exchange', name: method.args.exchange }];
    case 'exchange.bind':
    case 'exchange.unbind':
      return [
        { kind: 'write', resource: 'exchange', name: method.args.destination },
        { kind: 'read', resource: 'exchange', name: method.args.source, routingKey: method.args.routingKey },
      ];
    case 'queue.declare': {
      const { queue, passive, arguments: args } = method.args;
      if (passive) return [];
      const name = queue === '' ? SERVER_NAMED_QUEUE_PROBE : queue;
      const needs: Access[] = [{ kind: 'configure', resource: 'queue', name }];
      const deadLetter = stringArgument(args, 'x-dead-letter-exchange');
      if (deadLetter !== undefined) {
        needs.push(
          { kind: 'write', resource: 'exchange', name: exchangeName(deadLetter) },
          { kind: 'read', resource: 'queue', name },
        );
      }
      return needs;
    }
    case 'queue.delete':
      return [{ kind: 'configure', resource: 'queue', name: queueOrLast(method.args.queue) }];
    case 'queue.bind':
    case 'queue.unbind':
      return [
        { kind: 'write', resource: 'queue', name: queueOrLast(method.args.queue) },
        { kind: 'read', resource: 'exchange', name: method.args.exchange, routingKey: method.args.routingKey },
      ];
    case 'queue.purge':
    case 'basic.consume':
    case 'basic.get':
      return [{ kind: 'read', resource: 'queue', name: queueOrLast(method.args.queue) }];
    case 'basic.publish':
      return [
        {
          kind: 'write',
          resource: 'exchange',
          name: exchangeName(method.args.exchange),
          routingKey: method.args.routingKey,
        },
      ];
    default:
      return [];
  }
}

/**
 * RabbitMQ's refusals that no permission lifts (it answers them 403
 * ACCESS_REFUSED too): creating a queue or exchange named `amq.*`, declaring,
 * deleting or binding the default exchange, deleting a built-in `amq.*`
 * exchange. Returns the reply text after `ACCESS_REFUSED - `, or undefined.
 */
export function checkReservedName(method: Method, vhost: string): string | undefined {
  const defaultExchange = 'operation not permitted on the default exchange';
  switch (method.name) {
    case 'exchange.declare': {
      const { exchange, passive } = method.args;
      if (passive) return undefined;
      if (exchange === '') return defaultExchange;
      if (exchange.startsWith('amq.') && !PREDECLARED_EXCHANGES.has(exchange)) {
        return `exchange name '${exchange}' contains reserved prefix 'amq.*'`;
      }
      return undefined;
    }
    case 'exchange.delete': {
      const { exchange } = method.args;
      if (exchange === '') return defaultExchange;
      if (exchange.startsWith('amq.'))
        return `deletion of system exchange '${exchange}' in vhost '${vhost}' not allowed`;
      return undefined;
    }
    case 'exchange.bind':
    case 'exchange.unbind':
      return method.args.source === '' || method.args.destination === '' ? defaultExchange : undefined;
    case 'queue.bind':
    case 'queue.unbind':
      return method.args.exchange === '' ? defaultExchange : undefined;
    case 'queue.declare': {
      const { queue, passive } = method.args;
      if (!passive && queue.startsWith('amq.')) return `queue name '${queue}' contains reserved prefix 'amq.*'`;
      return undefined;
    }
    default:
      return undefined;
  }
}

function exchangeName(name: string): string {
  return name === '' ? DEFAULT_EXCHANGE_NAME : name;
}

function stringArgument(table: FieldTable, key: string): string | undefined {
  const value = Object.hasOwn(table, key) ? table[key] : undefined;
  if (typeof value === 'string') return value;
  // RabbitMQ also takes the name as a byte array (longstr sent as 'x').
  if (value instanceof Uint8Array) return decodeUtf8(value, 0, value.length);
  return undefined;
}
