import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { format } from 'node:util';
import { WebSocket } from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** A runnable example of the README's client guide: a `js` block, and what its `// →` comments say it prints. */
interface Example {
  readonly heading: string;
  readonly code: string;
  readonly prints: readonly string[];
}

/** The `js` blocks of the README's "Using the browser client" section, each under the `###` heading before it. */
function guideExamples(): Example[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Using the browser client');
  assert.ok(start >= 0, 'README.md has no "Using the browser client" section');
  const end = readme.indexOf('\n## ', start + 1);
  const guide = readme.slice(start, end < 0 ? undefined : end);
  const examples: Example[] = [];
  let heading = 'Using the browser client';
  for (const part of guide.split(/^(### .*|```js\n[\s\S]*?^```)$/m)) {
    if (part.startsWith('### ')) heading = part.slice(4);
    else if (part.startsWith('```js\n')) {
      const code = part.slice('```js\n'.length, -'```'.length);
      const prints = [...code.matchAll(/^\s*\/\/ → (.*)$/gm)].map((match) => match[1]!);
      examples.push({ heading, code, prints });
    }
  }
  return examples;
}

interface Closable {
  close(): Promise<void>;
}
interface Client {
  connect(options: object): Promise<Closable>;
}

type ExampleBody = (
  warren: Client,
  url: string,
  getToken: () => Promise<string>,
  console: { log(...values: unknown[]): void },
) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as new (...argsAndBody: string[]) => ExampleBody;

const examples = guideExamples();
let gw: TestGateway;
let warren: Client;
const hadWebSocket = 'WebSocket' in globalThis;
before(async () => {
  gw = await startTestGateway();
  // As pages get it. Node 20 has no global WebSocket; the examples use the global one, as pages do.
  warren = (await import(new URL('../../browser/warren.mjs', import.meta.url).href)) as Client;
  if (!hadWebSocket) Object.assign(globalThis, { WebSocket });
});
after(async () => {
  if (!hadWebSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
  await gw.stop();
});

test('the client guide has its examples, each printing something to check', () => {
  assert.deepEqual(
    examples.map((example) => example.heading),
    ['Connecting', 'Publishing', 'Consuming', 'Request and response', 'Errors'],
  );
  for (const example of examples) assert.ok(example.prints.length > 0, `${example.heading}: no // → line`);
});

for (const example of examples) {
  test(`README example "${example.heading}" runs and prints what it says`, async () => {
    const printed: string[] = [];
    // What the example opens is closed after it, so one that fails leaves nothing running.
    const opened: Closable[] = [];
    const client: Client = {
      ...warren,
      connect: (options) => warren.connect(options).then((conn) => (opened.push(conn), conn)),
    };
    const run = new AsyncFunction('Warren', 'url', 'getToken', 'console', example.code);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${example.heading}: still running after 15 s`)), 15_000);
    });
    try {
      await Promise.race([
        run(client, gw.url, () => gw.token(), { log: (...values) => printed.push(format(...values)) }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
      await Promise.all(opened.map((conn) => conn.close()));
    }
    assert.deepEqual(printed, example.prints);
  });
}
