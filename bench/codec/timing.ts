/** Timed runs for the codec benchmark. */
export const DEFAULT_RUN_MS = 400;
export const DEFAULT_RUNS = 5;
export const RUN_MS = Number(process.env['WARREN_BENCH_MS'] ?? DEFAULT_RUN_MS);
export const RUNS = Number(process.env['WARREN_BENCH_RUNS'] ?? DEFAULT_RUNS);
/** Where results go, so the optimiser cannot drop the work. */
let blackhole: unknown;

/** Operations per second of `fn` over about `ms` milliseconds. */
export function measure(fn: () => unknown, ms: number): number {
  let batch = 64;
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) blackhole = fn();
    ops += batch;
    now = process.hrtime.bigint();
    if (batch < 8192) batch *= 2;
  }
  void blackhole;
  return ops / (Number(now - start) / 1e9);
}
