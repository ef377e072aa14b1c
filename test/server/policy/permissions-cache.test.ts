import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permissionsFor } from '../../../server/policy/permissions-cache.js';
import type { Permissions } from '../../../server/policy/permissions.js';

// The cache is module state shared by the tests below: each uses scopes of its own.

/** Distinct scope sets the cache keeps (MAX_ENTRIES in permissions-cache.ts). */
const LIMIT = 1024;
const OPTIONS = { prefix: 'rabbitmq.' } as const;

function scopeFor(label: string): string {
  return `rabbitmq.read:v/${label}`;
}

function lookup(label: string): Permissions {
  return permissionsFor({ scope: scopeFor(label) }, OPTIONS);
}

test('tokens with the same scopes share one Permissions, whatever their other claims', () => {
  const scope = 'rabbitmq.read:v/shared-q rabbitmq.write:v/shared-x';
  const a = permissionsFor({ sub: 'alice', exp: 1, jti: 'one', scope }, OPTIONS);
  const b = permissionsFor({ sub: 'bob', exp: 2, jti: 'two', aud: 'warren', scope }, OPTIONS);
  assert.equal(a, b);
  assert.equal(a.can('read', 'v', 'shared-q'), true);
  assert.equal(a.can('write', 'v', 'shared-x'), true);
  assert.equal(a.can('write', 'v', 'shared-q'), false);

  const list = ['rabbitmq.read:v/list-q', 'rabbitmq.write:v/list-x'];
  assert.equal(permissionsFor({ scp: [...list] }, OPTIONS), permissionsFor({ scp: [...list], sub: 'c' }, OPTIONS));
});

test('different scopes get different Permissions, each with its own grants', () => {
  const read = permissionsFor({ scope: 'rabbitmq.read:v/diff-q' }, OPTIONS);
  const write = permissionsFor({ scope: 'rabbitmq.write:v/diff-q' }, OPTIONS);
  assert.notEqual(read, write);
  assert.equal(read.can('read', 'v', 'diff-q'), true);
  assert.equal(read.can('write', 'v', 'diff-q'), false);
  assert.equal(write.can('write', 'v', 'diff-q'), true);
  assert.equal(write.can('read', 'v', 'diff-q'), false);
  // Asked again, each still gets its own.
  assert.equal(permissionsFor({ scope: 'rabbitmq.read:v/diff-q' }, OPTIONS), read);
  assert.equal(permissionsFor({ scope: 'rabbitmq.write:v/diff-q' }, OPTIONS), write);
});

test('every input of the parse is part of the key: scope, scp, the extra claim and the options', () => {
  const scope = 'rabbitmq.read:v/key-q other.read:v/key-o';
  const base = permissionsFor({ scope }, OPTIONS);

  const viaScp = permissionsFor({ scope, scp: 'rabbitmq.write:v/key-q' }, OPTIONS);
  assert.notEqual(viaScp, base);
  assert.equal(viaScp.can('write', 'v', 'key-q'), true);
  assert.equal(base.can('write', 'v', 'key-q'), false);

  const otherPrefix = permissionsFor({ scope }, { prefix: 'other.' });
  assert.notEqual(otherPrefix, base);
  assert.equal(otherPrefix.can('read', 'v', 'key-o'), true);
  assert.equal(otherPrefix.can('read', 'v', 'key-q'), false);
  assert.equal(base.can('read', 'v', 'key-o'), false);

  const claims = { scope, permissions: ['rabbitmq.configure:v/key-c'], roles: ['rabbitmq.configure:v/key-r'] };
  const extra = permissionsFor(claims, { prefix: 'rabbitmq.', extraClaim: 'permissions' });
  const roles = permissionsFor(claims, { prefix: 'rabbitmq.', extraClaim: 'roles' });
  const none = permissionsFor(claims, OPTIONS);
  assert.equal(none, base, 'an extra claim that is not read does not matter');
  assert.notEqual(extra, base);
  assert.notEqual(roles, extra);
  assert.equal(extra.can('configure', 'v', 'key-c'), true);
  assert.equal(extra.can('configure', 'v', 'key-r'), false);
  assert.equal(roles.can('configure', 'v', 'key-r'), true);
  assert.equal(roles.can('configure', 'v', 'key-c'), false);

  const changedExtra = permissionsFor(
    { ...claims, permissions: ['rabbitmq.configure:v/key-c2'] },
    { prefix: 'rabbitmq.', extraClaim: 'permissions' },
  );
  assert.notEqual(changedExtra, extra);
  assert.equal(changedExtra.can('configure', 'v', 'key-c2'), true);
  assert.equal(changedExtra.can('configure', 'v', 'key-c'), false);
});

test('bounded: beyond the limit the least recently used scope sets are dropped first', () => {
  // Fill the cache with scope sets of this test only, so its order is known.
  const first = Array.from({ length: LIMIT }, (_, i) => lookup(`fill-${i}`));
  assert.equal(new Set(first).size, LIMIT);
  for (let i = 0; i < LIMIT; i++) assert.equal(lookup(`fill-${i}`), first[i], `fill-${i} cached`);

  // 100 more: the 100 oldest go, the rest stay.
  const more = Array.from({ length: 100 }, (_, i) => lookup(`more-${i}`));
  for (let i = 0; i < 100; i++) assert.equal(lookup(`more-${i}`), more[i], `more-${i} still cached`);
  for (let i = 100; i < LIMIT; i++) assert.equal(lookup(`fill-${i}`), first[i], `fill-${i} still cached`);
  // The cache now holds exactly LIMIT entries, more-0 the least recently used of them.
  const again = lookup('fill-99');
  assert.notEqual(again, first[99], 'fill-99 was dropped');
  assert.equal(again.can('read', 'v', 'fill-99'), true);
  assert.notEqual(lookup('more-0'), more[0], 'making room for fill-99 dropped the least recently used, more-0');
  assert.equal(lookup('more-2'), more[2], 'more-2 was not the least recently used');
});

test('a hit makes a scope set the most recently used', () => {
  const fill = Array.from({ length: LIMIT }, (_, i) => lookup(`lru-${i}`));
  // lru-0 is the oldest; using it again moves it to the end, so lru-1 goes first.
  assert.equal(lookup('lru-0'), fill[0]);
  lookup('lru-new');
  assert.equal(lookup('lru-0'), fill[0], 'kept: it was used recently');
  assert.equal(lookup('lru-2'), fill[2]);
  assert.notEqual(lookup('lru-1'), fill[1], 'dropped: the least recently used');
});

test('very long scope claims are parsed for the caller alone and do not displace the cache', () => {
  const fill = Array.from({ length: LIMIT }, (_, i) => lookup(`long-${i}`));
  const long = `${'rabbitmq.read:v/pad '.repeat(450)}rabbitmq.read:v/long-q`;
  assert.ok(long.length > 8192);
  const a = permissionsFor({ scope: long }, OPTIONS);
  const b = permissionsFor({ scope: long }, OPTIONS);
  assert.notEqual(a, b, 'not kept');
  assert.equal(a.can('read', 'v', 'long-q'), true);
  assert.deepEqual(
    a.grants.map((grant) => grant.scope),
    b.grants.map((grant) => grant.scope),
  );
  // Nothing was evicted for them: the oldest entry is still there.
  assert.equal(lookup('long-0'), fill[0]);

  // Just under the limit, a claim is still shared.
  const shorter = `${'rabbitmq.read:v/pad '.repeat(390)}rabbitmq.read:v/short-q`;
  assert.ok(shorter.length < 8000);
  assert.equal(permissionsFor({ scope: shorter }, OPTIONS), permissionsFor({ scope: shorter }, OPTIONS));
});
