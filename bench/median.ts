/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Where the median of what `values` were drawn from lies, and how sure that is. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The chance that the interval holds that median: at least the confidence asked for, when enough values allow it. */
  readonly confidence: number;
}

/**
 * The distribution-free confidence interval of a median: the k-th lowest and
 * k-th highest of the values, for the largest k whose interval holds the
 * median with at least `confidence`. It assumes nothing of the values'
 * distribution, only that they were drawn independently: each falls below the
 * median with chance ½, so the chance that fewer than k do is a binomial tail.
 * Fewer than 6 values cannot give 95%; their interval is then the lowest to
 * the highest, with the confidence that has (1 − 2 × 2⁻ⁿ: 94% for 5).
 */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  const n = values.length;
  if (n === 0) return { low: NaN, high: NaN, confidence: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  // P(Bin(n, ½) ≤ i), built up term by term: C(n, i) / 2ⁿ.
  let term = 0.5 ** n;
  let below = term; // k = 1: the chance that no value falls below the median
  let k = 1;
  for (let i = 1; 2 * i < n; i++) {
    term = (term * (n - i + 1)) / i;
    if (1 - 2 * (below + term) < confidence) break;
    below += term;
    k = i + 1;
  }
  return { low: sorted[k - 1]!, high: sorted[n - k]!, confidence: Math.max(0, 1 - 2 * below) };
}
