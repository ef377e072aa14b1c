import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GatewayMetrics } from '../../../server/observability/metrics.js';

/** The rows of the README's table of metrics: name, type and labels, as operators read them. */
function documentedMetrics(): string[] {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `(warren_\w+)` +\| (\w+) +\| (?:`(\w+)`)? *\|/gm)];
  return rows.map(([, name, type, label]) => `${name} ${type} ${label ?? '-'}`).sort();
}

test("the README's table of metrics is the gateway's own metrics, with their types and labels", async () => {
  const { registry } = new GatewayMetrics();
  const own = (await registry.getMetricsAsJSON())
    // Node's process metrics (collectDefaultMetrics) are documented as a group.
    .filter(({ name }) => !name.startsWith('warren_process_') && !name.startsWith('warren_nodejs_'))
    .map(({ name, type }) => {
      const labels = (registry.getSingleMetric(name) as unknown as { labelNames: string[] }).labelNames;
      return `${name} ${String(type)} ${labels.length > 0 ? labels.join(',') : '-'}`;
    })
    .sort();
  assert.equal(own.length, 11);
  assert.deepEqual(documentedMetrics(), own);
});
