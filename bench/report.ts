import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IdleSessionResult, SessionRun, StalledReaderResult } from './sessions.js';
import type { RttResult, ThroughputResult } from './workloads.js';
import { writeReadmeSection } from './readme-section.js';

export interface Row {
  readonly target: string;
  readonly client: string;
  small?: ThroughputResult;
  large?: ThroughputResult;
  rtt?: RttResult;
  error?: string;
}

export interface BenchReport {
  readonly date: string;
  readonly quick: boolean;
  readonly broker: string;
  readonly machine: { readonly cpus: number; readonly cpu: string; readonly node: string };
  readonly workloads: Record<string, unknown>;
  readonly rows: Row[];
  readonly sessions: (SessionRun & { readonly transport: string })[];
  readonly stalled: (StalledReaderResult & { readonly transport: string })[];
}

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const n = (x: number | undefined, digits = 0) =>
  x === undefined || !Number.isFinite(x)
    ? '—'
    : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function markdown(report: BenchReport): string {
  const lines: string[] = [];
  const w = report.workloads as { small: { count: number }; large: { count: number }; rttCount: number };
  lines.push(
    `| path | client | ${n(w.small.count)} × 256 B msgs/s | ${n(w.large.count)} × 64 KiB msgs/s | RTT p50 ms | RTT p99 ms |`,
    '| --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const r of report.rows) {
    const err = r.error === undefined ? '' : ` (${r.error.slice(0, 60)})`;
    lines.push(
      `| ${r.target} | ${r.client}${err} | ${n(r.small?.msgsPerSec)} | ${n(r.large?.msgsPerSec)} | ${n(r.rtt?.p50Ms, 3)} | ${n(r.rtt?.p99Ms, 3)} |`,
    );
  }
  lines.push(
    '',
    '| backend | idle sessions | RSS delta | per session | sessions established/s | reached |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of report.sessions) {
    for (const i of s.idle) {
      lines.push(
        `| Warren ${s.transport} | ${n(i.sessions)} | ${n(i.rssDeltaMb, 1)} MiB | ${n(i.bytesPerSession / 1024, 1)} KiB | ${n(s.establishedPerSec)} | ${n(s.reached)}${s.error ? ` (${s.error.slice(0, 60)})` : ''} |`,
      );
    }
  }
  lines.push(
    '',
    '| backend | pushed at a stalled browser | gateway RSS start | peak | growth | all delivered after resume |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  );
  for (const s of report.stalled) {
    lines.push(
      `| Warren ${s.transport} | ${n(s.pushedMb)} MiB | ${n(s.rssStartMb, 1)} MiB | ${n(s.rssPeakMb, 1)} MiB | ${n(s.rssGrowthMb, 1)} MiB | ${s.deliveredAfterResume ? 'yes' : 'NO'} |`,
    );
  }
  lines.push('', ...goals(report).map((g) => `- ${g}`));
  return lines.join('\n');
}

/** The issue's goals, each with the figure it is judged on. */
function goals(report: BenchReport): string[] {
  const out: string[] = [];
  for (const row of report.rows.filter((r) => r.target.startsWith('Warren'))) {
    const bare = report.rows.find((r) => r.target === 'bare WS pipe' && r.client === row.client);
    if (bare === undefined) continue;
    const ratio = (a?: ThroughputResult, b?: ThroughputResult) => (a && b ? a.msgsPerSec / b.msgsPerSec : NaN);
    const rs = ratio(row.small, bare.small);
    const rl = ratio(row.large, bare.large);
    const dp50 = (row.rtt?.p50Ms ?? NaN) - (bare.rtt?.p50Ms ?? NaN);
    out.push(
      `${row.target} / ${row.client}: throughput ${n(rs, 2)}× (256 B) and ${n(rl, 2)}× (64 KiB) of the bare pipe (goal ≥ 0.95: ${rs >= 0.95 && rl >= 0.95 ? 'met' : 'missed'}); RTT p50 ${dp50 >= 0 ? '+' : ''}${n(dp50, 3)} ms (goal ≤ +0.1: ${dp50 <= 0.1 ? 'met' : 'missed'})`,
    );
  }
  for (const s of report.sessions) {
    // The goal is set at 5,000 sessions, so it is judged at the largest count measured. Smaller counts carry
    // more of what V8 grows once for the whole process while sessions open (its young generation).
    const largest = s.idle.reduce<IdleSessionResult | undefined>(
      (a, b) => (a === undefined || b.sessions > a.sessions ? b : a),
      undefined,
    );
    if (largest === undefined) continue;
    const bytes = largest.bytesPerSession;
    out.push(
      `Warren ${s.transport}: ${n(bytes / 1024, 1)} KiB per idle session at ${n(largest.sessions)} (goal ≤ 16 KB at 5,000: ${bytes <= 16_000 && largest.sessions >= 5000 ? 'met' : 'missed'}); ${n(s.reached)} concurrent sessions (goal 5,000: ${s.reached >= 5000 ? 'met' : 'missed'})`,
    );
  }
  return out;
}

/** Prints the tables only (a partial run: `--only`, `--transport`). */
export function printReport(report: BenchReport): void {
  console.log(markdown(report));
}

/** Prints the tables, writes bench/results/latest.json and (full runs only) the README's Performance section. */
export function writeReport(report: BenchReport): void {
  const table = markdown(report);
  console.log(table);
  mkdirSync(root('bench/results'), { recursive: true });
  writeFileSync(root('bench/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (report.quick) return;
  const section = [
    '## Performance',
    '',
    `Measured by \`npm run bench -- --broker amqp://guest:guest@${report.broker}\` on ${report.date.slice(0, 10)}: ` +
      `${report.machine.cpus} cores (${report.machine.cpu}), Node ${report.machine.node}, RabbitMQ 3.10 on the same machine. ` +
      'Every server under test runs in its own process; one publisher and one consumer session (noAck), ' +
      'the publisher at most a window ahead of the consumer. Figures: `bench/results/latest.json`. ' +
      'On a shared 2-core machine throughput moves by tens of percent between runs (the broker, the server ' +
      'under test and both clients share the cores): read ratios from one run with care.',
    '',
    table,
    '',
  ].join('\n');
  writeReadmeSection(root('README.md'), 'Performance', section);
}
