import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jwtExpiry, refreshDelay } from '../../browser/token.js';
import { backoffDelay } from '../../browser/backoff.js';
import { signToken } from '../helpers/gateway.js';

test('jwtExpiry reads exp from a real JWT, base64url without padding', async () => {
  // Non-ASCII claims make '-' and '_' likely in the base64url payload.
  // One more character of claim until the payload needs padding.
  let token = '';
  for (let pad = ''; token === '' || token.split('.')[1]!.length % 4 === 0; pad += 'x') {
    token = await signToken('secret', { expiresIn: 100, note: `ü?>>~~ÿ${pad}`.repeat(5) });
  }
  const payload = token.split('.')[1]!;
  assert.match(payload, /[-_]/);
  assert.notEqual(payload.length % 4, 0, 'unpadded');
  const now = Date.now();
  const exp = jwtExpiry(token)!;
  assert.ok(Math.abs(exp - (now + 100_000)) < 2000, `${exp - now}`);
});

test('jwtExpiry is undefined for non-JWTs and for JWTs without a numeric exp', () => {
  assert.equal(jwtExpiry('guest'), undefined);
  assert.equal(jwtExpiry('a.b.c'), undefined);
  const noExp = `x.${btoa(JSON.stringify({ sub: 'a', exp: 'soon' })).replace(/=+$/, '')}.y`;
  assert.equal(jwtExpiry(noExp), undefined);
});

test('refreshDelay: a fifth of the lifetime before expiry, at most a minute before, never negative', () => {
  const now = 1_000_000;
  assert.equal(refreshDelay(now + 5_000, now), 4_000);
  assert.equal(refreshDelay(now + 300_000, now), 240_000);
  assert.equal(refreshDelay(now + 3_600_000, now), 3_540_000);
  assert.equal(refreshDelay(now - 10, now), 0);
  assert.equal(refreshDelay(now + 10 * 365 * 86_400_000, now), 2 ** 31 - 1);
});

test('backoffDelay grows exponentially to maxDelay with equal jitter', () => {
  const options = { initialDelay: 100, maxDelay: 1000 };
  assert.equal(backoffDelay(0, options, 0), 50);
  assert.equal(backoffDelay(0, options, 1), 100);
  assert.equal(backoffDelay(2, options, 0.5), 300);
  assert.equal(backoffDelay(10, options, 1), 1000);
  assert.equal(backoffDelay(10, options, 0), 500);
  assert.equal(backoffDelay(0, {}, 1), 250);
});
