import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

// The bundle rollup built next to the compiled client: dist/browser/warren.min.js.
const BUNDLE = new URL('../../browser/warren.min.js', import.meta.url);

/**
 * The whole client, reconnect included, at most 10 KB min+gzip (issue #5; amqp-client.js's is about 13 KB),
 * read as 10 KiB (10,240 bytes).
 */
const BUDGET = 10 * 1024;

test(`the minified client gzips to at most ${BUDGET} bytes`, async () => {
  // The compressed stream alone, as a server sends it: no file name in the gzip header.
  const size = gzipSync(await readFile(BUNDLE), { level: 9 }).length;
  assert.ok(size <= BUDGET, `warren.min.js is ${size} bytes min+gzip, over the ${BUDGET}-byte budget`);
});
