import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpareBuffers } from '../../../server/broker/spare-buffers.js';

test('spares are kept up to the byte bound and taken out once each', () => {
  const spares = new SpareBuffers(3000);
  const a = new ArrayBuffer(1000);
  const b = new ArrayBuffer(1500);
  spares.give(a);
  spares.give(b);
  spares.give(new ArrayBuffer(1000));
  assert.equal(spares.size, 2500, 'the third would pass the bound: dropped');
  assert.equal(spares.take(1200), b);
  assert.equal(spares.take(1200), undefined, 'taken out: not handed to two');
  assert.equal(spares.size, 1000);
});

test('a spare more than twice the size asked for is left for a larger need', () => {
  const spares = new SpareBuffers(1 << 20);
  const large = new ArrayBuffer(64 * 1024);
  spares.give(large);
  assert.equal(spares.take(16 * 1024), undefined);
  assert.equal(spares.take(40 * 1024), large);
});
