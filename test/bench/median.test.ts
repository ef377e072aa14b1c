import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, medianInterval } from '../../bench/median.js';

/** P(Bin(n, ½) ≤ k), summed directly from binomial coefficients. */
function binomialBelow(n: number, k: number): number {
  let sum = 0;
  let c = 1;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

test('median: the middle value, or the mean of the middle two', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('medianInterval: the widest k-th lowest to k-th highest that reaches 95%, for 6 to 40 values', () => {
  for (let n = 6; n <= 40; n++) {
    // 1…n shuffled (41 is prime to every n here), so the interval must come from sorting, not from the order given.
    const values = Array.from({ length: n }, (_, i) => ((i * 41) % n) + 1);
    const { low, high, confidence } = medianInterval(values);
    const k = low; // value i + 1 is the (i + 1)-th lowest
    assert.equal(high, n + 1 - k, `n=${n}: symmetric`);
    const coverage = 1 - 2 * binomialBelow(n, k - 1);
    assert.ok(Math.abs(confidence - coverage) < 1e-12, `n=${n}: confidence ${confidence} is the coverage ${coverage}`);
    assert.ok(coverage >= 0.95, `n=${n}: k=${k} reaches 95%`);
    assert.ok(1 - 2 * binomialBelow(n, k) < 0.95, `n=${n}: k=${k + 1} would not`);
  }
});

test('medianInterval: 9 rounds give the 2nd to the 8th (96%); 5 give the lowest to the highest (94%)', () => {
  assert.deepEqual(medianInterval([9, 1, 8, 2, 7, 3, 6, 4, 5]), { low: 2, high: 8, confidence: 1 - 20 / 512 });
  assert.deepEqual(medianInterval([5, 1, 4, 2, 3]), { low: 1, high: 5, confidence: 1 - 2 / 32 });
  assert.deepEqual(medianInterval([7]), { low: 7, high: 7, confidence: 0 });
});
