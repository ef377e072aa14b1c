import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Permissions } from '../../../server/policy/permissions.js';
import { parseScopes } from '../../../server/policy/scopes.js';

function permissions(scope: string): Permissions {
  return new Permissions(parseScopes({ scope }, { prefix: 'rabbitmq.' }));
}

test('allowsVhost: any grant whose vhost pattern matches', () => {
  const p = permissions('rabbitmq.read:%2F/q rabbitmq.write:team-*/x');
  assert.equal(p.allowsVhost('/'), true);
  assert.equal(p.allowsVhost('team-a'), true);
  assert.equal(p.allowsVhost('other'), false);
  assert.equal(new Permissions([]).allowsVhost('/'), false);
});

test('can: kind, vhost and name must all match one grant', () => {
  const p = permissions('rabbitmq.read:v/q-* rabbitmq.configure:w/q-1');
  assert.equal(p.can('read', 'v', 'q-1'), true);
  assert.equal(p.can('write', 'v', 'q-1'), false);
  assert.equal(p.can('read', 'w', 'q-1'), false);
  assert.equal(p.can('configure', 'w', 'q-1'), true);
  assert.equal(p.can('configure', 'v', 'q-1'), false);
  assert.equal(p.can('read', 'v', 'other'), false);
});

test('routing-key parts restrict only requests that carry a routing key', () => {
  const p = permissions('rabbitmq.write:v/events/eu.* rabbitmq.read:v/events/eu.orders');
  assert.equal(p.can('write', 'v', 'events', 'eu.orders'), true);
  assert.equal(p.can('write', 'v', 'events', 'us.orders'), false);
  assert.equal(p.can('write', 'v', 'events'), true);
  assert.equal(p.can('read', 'v', 'events', 'eu.orders'), true);
  assert.equal(p.can('read', 'v', 'events', 'eu.*'), false);
});

test('a grant without a routing-key part allows any routing key', () => {
  const p = permissions('rabbitmq.write:v/events/eu.* rabbitmq.write:v/events');
  assert.equal(p.can('write', 'v', 'events', 'us.orders'), true);
});
