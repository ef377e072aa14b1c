import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobPattern } from '../../../server/policy/glob.js';
import { parseScopes, readScopes, type Grant } from '../../../server/policy/scopes.js';

const options = { prefix: 'rabbitmq.' };

function summary(grants: readonly Grant[]) {
  return grants.map((g) => [g.kind, g.vhost.text, g.name.text, g.routingKey?.text]);
}

test('scope as a space-separated string', () => {
  const grants = parseScopes({ scope: 'openid rabbitmq.read:*/* rabbitmq.write:prod/orders/eu.*  profile' }, options);
  assert.deepEqual(summary(grants), [
    ['read', '*', '*', undefined],
    ['write', 'prod', 'orders', 'eu.*'],
  ]);
  assert.equal(grants[1]?.scope, 'rabbitmq.write:prod/orders/eu.*');
});

test('scope as an array, scp as string and array, and the extra claim', () => {
  const claims = {
    scope: ['rabbitmq.configure:a/x', 'rabbitmq.read:a/y rabbitmq.read:a/z'],
    scp: 'rabbitmq.write:b/x',
    permissions: ['rabbitmq.read:c/q'],
  };
  assert.deepEqual(
    summary(parseScopes(claims, options)).map((g) => `${g[0]}:${g[1]}/${g[2]}`),
    ['configure:a/x', 'read:a/y', 'read:a/z', 'write:b/x'],
  );
  assert.equal(parseScopes(claims, { ...options, extraClaim: 'permissions' }).length, 5);
  assert.equal(parseScopes({ scp: ['rabbitmq.read:a/b'] }, options).length, 1);
  assert.equal(parseScopes({ scope: 42, scp: { x: 1 } }, options).length, 0);
});

test('only entries with the prefix count; the prefix is configurable', () => {
  assert.equal(parseScopes({ scope: 'read:*/* other.read:*/*' }, options).length, 0);
  assert.deepEqual(
    summary(parseScopes({ scope: 'warren-api/read:v/q rabbitmq.read:v/r' }, { prefix: 'warren-api/' })),
    [['read', 'v', 'q', undefined]],
  );
});

test('percent-encoded vhost and names are decoded after splitting', () => {
  const [grant] = parseScopes({ scope: 'rabbitmq.read:%2F/a%2Fb/key%20x' }, options);
  assert.equal(grant?.vhost.text, '/');
  assert.equal(grant?.name.text, 'a/b');
  assert.equal(grant?.routingKey?.text, 'key x');
});

test('tag scopes are ignored; malformed entries are skipped and counted', () => {
  const report = readScopes(
    {
      scope: [
        'rabbitmq.tag:administrator',
        'rabbitmq.read:v/q',
        'rabbitmq.delete:v/q',
        'rabbitmq.read',
        'rabbitmq.read:v',
        'rabbitmq.read:/q',
        'rabbitmq.read:v/',
        'rabbitmq.read:v/a/b/c',
        'rabbitmq.configure:v/q/key',
        'rabbitmq.write:v/%E0%A4%A/x',
      ].join(' '),
    },
    options,
  );
  assert.equal(report.grants.length, 1);
  assert.equal(report.malformed.length, 8);
  assert.ok(!report.malformed.includes('rabbitmq.tag:administrator'));
});

test('glob patterns: * matches any run, everything else is literal', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['*', 'anything at all', true],
    ['orders', 'orders', true],
    ['orders', 'orders2', false],
    ['orders', 'xorders', false],
    ['amq.gen-*', 'amq.gen-abc', true],
    ['amq.gen-*', 'amqXgen-abc', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['a.b', 'aXb', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['^$', '^$', true],
    ['a\\b', 'a\\b', true],
    ['chat.*', 'chat.\nroom', true],
  ];
  for (const [pattern, value, expected] of cases) {
    assert.equal(new GlobPattern(pattern).test(value), expected, `${pattern} ~ ${JSON.stringify(value)}`);
  }
});
