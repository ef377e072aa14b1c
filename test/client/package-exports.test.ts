import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

// The package refers to itself by name through its `exports`, as an app that installed it would.
const built = (path: string): string => new URL(`../../${path}`, import.meta.url).href;

test('the package exports the client as warren/client (ES module and types) and warren/client.min.js', async () => {
  assert.equal(import.meta.resolve('warren/client'), built('browser/warren.mjs'));
  assert.equal(import.meta.resolve('warren/client.min.js'), built('browser/warren.min.js'));
  assert.ok(existsSync(new URL(built('browser/warren.d.ts'))), 'the types the exports name are built');
  const client = (await import('warren/client' as string)) as { connect?: unknown; WarrenError?: unknown };
  assert.equal(typeof client.connect, 'function');
  assert.equal(typeof client.WarrenError, 'function');
});

test('the package itself is still the gateway', () => {
  assert.equal(import.meta.resolve('warren'), built('server/index.js'));
});
