import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractUpgradeToken, parsePlainResponse } from '../../../server/auth/token-sources.js';

test('the cookie wins over the query, the query over the Authorization header', () => {
  const req = {
    url: '/amqp?access_token=from-query',
    headers: { cookie: 'theme=dark; warren_token=from-cookie', authorization: 'Bearer from-header' },
  };
  assert.equal(extractUpgradeToken(req, 'warren_token'), 'from-cookie');
  assert.equal(extractUpgradeToken(req), 'from-query');
  assert.equal(extractUpgradeToken({ url: '/amqp', headers: req.headers }), 'from-header');
  assert.equal(extractUpgradeToken({ url: '/amqp', headers: {} }, 'warren_token'), undefined);
});

test('cookies: quoted and percent-encoded values, several Cookie headers, no partial name match', () => {
  assert.equal(extractUpgradeToken({ headers: { cookie: 't="a.b.c"' } }, 't'), 'a.b.c');
  assert.equal(extractUpgradeToken({ headers: { cookie: 't=a%2Eb' } }, 't'), 'a.b');
  assert.equal(extractUpgradeToken({ headers: { cookie: ['x=1', 't=tok'] } }, 't'), 'tok');
  assert.equal(extractUpgradeToken({ headers: { cookie: 'xt=tok' } }, 't'), undefined);
  assert.equal(extractUpgradeToken({ headers: { cookie: 't=' } }, 't'), undefined);
});

test('query: access_token only, empty ignored, fragment ignored', () => {
  assert.equal(extractUpgradeToken({ url: '/amqp?x=1&access_token=a.b.c', headers: {} }), 'a.b.c');
  assert.equal(extractUpgradeToken({ url: '/amqp?token=a.b.c', headers: {} }), undefined);
  assert.equal(extractUpgradeToken({ url: '/amqp?access_token=', headers: {} }), undefined);
  assert.equal(extractUpgradeToken({ url: '/amqp?access_token=t#frag', headers: {} }), 't');
});

test('Authorization: Bearer, case-insensitive scheme; other schemes ignored', () => {
  assert.equal(extractUpgradeToken({ headers: { authorization: 'bearer  tok' } }), 'tok');
  assert.equal(extractUpgradeToken({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }), undefined);
  assert.equal(extractUpgradeToken({ headers: { authorization: 'Bearer' } }), undefined);
});

test('SASL PLAIN: with and without authzid', () => {
  assert.deepEqual(parsePlainResponse('\0alice\0jwt.token.here'), { username: 'alice', password: 'jwt.token.here' });
  assert.deepEqual(parsePlainResponse('admin\0alice\0pw'), { username: 'alice', password: 'pw' });
  assert.deepEqual(parsePlainResponse('\0\0pw'), { username: '', password: 'pw' });
});

test('SASL PLAIN: wrong shapes are malformed', () => {
  for (const response of ['', 'alice', 'alice\0pw', '\0alice\0', 'a\0b\0c\0d']) {
    assert.throws(() => parsePlainResponse(response), { code: 'ERR_TOKEN_MALFORMED' }, JSON.stringify(response));
  }
});
