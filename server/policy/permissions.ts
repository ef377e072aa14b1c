import type { Grant, PermissionKind } from './scopes.js';

/**
 * What one token allows. A request is allowed when any grant of its kind
 * matches the vhost, the resource name and — for a grant with a routing-key
 * part, when the request has a routing key — the routing key.
 *
 * Routing-key parts are RabbitMQ's topic permissions, but stricter: RabbitMQ
 * applies them only to topic exchanges, while the gateway cannot learn an
 * exchange's type without asking the broker, so a grant such as
 * `write:/orders/eu.*` restricts publishes (and bindings) on `orders` whatever
 * its type. Issue a grant without a routing-key part for non-topic exchanges.
 */
export class Permissions {
  readonly grants: readonly Grant[];

  constructor(grants: readonly Grant[]) {
    this.grants = grants;
  }

  /** True when some grant names a vhost pattern matching `vhost`: the session may open it. */
  allowsVhost(vhost: string): boolean {
    return this.grants.some((grant) => grant.vhost.test(vhost));
  }

  /**
   * True when `kind` access to resource `name` in `vhost` is granted. With a
   * `routingKey`, grants restricted to other routing keys do not count; without
   * one (configure, consume, get…), the routing-key part is not consulted.
   */
  can(kind: PermissionKind, vhost: string, name: string, routingKey?: string): boolean {
    return this.grants.some(
      (grant) =>
        grant.kind === kind &&
        grant.vhost.test(vhost) &&
        grant.name.test(name) &&
        (routingKey === undefined || grant.routingKey === undefined || grant.routingKey.test(routingKey)),
    );
  }
}
