import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseSize } from '../../../server/config/units.js';

test('parseDuration reads ms, s, m and h', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('0'), 0);
});

test('parseDuration refuses bare numbers, unknown units and fractions of a millisecond', () => {
  for (const text of ['10', '10x', 's', '', '-1s', '0.5ms', 'ten seconds']) {
    assert.throws(
      () => parseDuration(text, 'heartbeat'),
      (error: { code: string; option: string; value: string }) =>
        error.code === 'ERR_CONFIG' && error.option === 'heartbeat' && error.value === text,
      text,
    );
  }
});

test('parseSize reads bytes, SI and IEC units', () => {
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('64KiB'), 65_536);
  assert.equal(parseSize('16MiB'), 16 * 1024 * 1024);
  assert.equal(parseSize('1GiB'), 1024 ** 3);
  assert.equal(parseSize('64KB'), 64_000);
  assert.equal(parseSize('64kib'), 65_536);
  assert.equal(parseSize('12B'), 12);
});

test('parseSize refuses garbage', () => {
  for (const text of ['', 'KiB', '1.5B', '-4', '4 TiB', '0x10']) {
    assert.throws(() => parseSize(text, 'max-frame-size'), { code: 'ERR_CONFIG', option: 'max-frame-size' }, text);
  }
});
