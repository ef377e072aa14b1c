import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import type * as WarrenApi from '../../browser/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

// The bundle rollup built next to the compiled client: dist/browser/warren.min.js.
const BUNDLE = new URL('../../browser/warren.min.js', import.meta.url);

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>warren e2e</title>
<script src="/warren.min.js"></script>
<script>
  // What the page reports back to the test.
  window.report = { loaded: typeof Warren.connect === 'function' };
</script>`;

let gw: TestGateway;
let http: Server;
let origin: string;
let browser: Browser;

before(async () => {
  gw = await startTestGateway();
  const bundle = await readFile(BUNDLE);
  http = createServer((req, res) => {
    if (req.url === '/warren.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => http?.close(resolve));
  await gw?.stop();
});

test('in headless Chromium, warren.min.js connects with a token, publishes and consumes', async () => {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${origin}/`);
  assert.deepEqual(await page.evaluate('window.report'), { loaded: true });

  const token = await gw.token();
  const result = await page.evaluate(
    async ({ url, token }) => {
      const W = (window as unknown as { Warren: typeof WarrenApi }).Warren;
      const events: string[] = [];
      const conn = new W.Connection({ url, token: async () => token });
      conn.on('open', () => events.push('open'));
      await conn.connect();
      const ch = await conn.channel();
      const { queue } = await ch.queueDeclare('', { exclusive: true });
      await ch.confirmSelect();
      const received: { text: string; contentType?: string; header?: unknown }[] = [];
      const done = new Promise<void>((resolve) => {
        void ch.basicConsume(queue, {}, (msg) => {
          received.push({
            text: msg.text,
            ...(msg.properties.contentType === undefined ? {} : { contentType: msg.properties.contentType }),
            header: msg.properties.headers?.['n'],
          });
          msg.ack();
          if (received.length === 3) resolve();
        });
      });
      for (let n = 0; n < 3; n++) {
        await ch.basicPublish('', queue, `héllo ${n}`, { contentType: 'text/plain', headers: { n } });
      }
      await done;
      // Short and long strings beyond ASCII, and a short string too long to encode.
      const plain = (await ch.queueDeclare('', { exclusive: true })).queue;
      await ch.basicPublish('', plain, 'x', { type: 'tÿpé', headers: { note: 'ünï ✓' } });
      const got = await ch.basicGet(plain, { noAck: true });
      const unicode = { type: got?.properties.type, note: got?.properties.headers?.['note'] };
      // A page's ArrayBuffer (of the page's realm) goes as its bytes.
      await ch.basicPublish('', plain, new TextEncoder().encode('from a buffer').buffer);
      const buffer = (await ch.basicGet(plain, { noAck: true }))?.text;
      const tooLong = await ch.basicPublish('', 'é'.repeat(128), 'x').then(
        () => 'sent',
        (e) => ({ code: e.code, isWarrenError: e instanceof W.WarrenError }),
      );
      const rpcQueue = (await ch.queueDeclare('', { exclusive: true })).queue;
      await ch.basicConsume(rpcQueue, { noAck: true }, (req) => {
        void ch.basicPublish('', req.properties.replyTo!, `re: ${req.text}`, {
          correlationId: req.properties.correlationId!,
        });
      });
      const reply = await (await conn.channel()).rpc('', rpcQueue, 'ping');
      const wrong = await ch.queueDeclare('no-such-queue-' + Math.random(), { passive: true }).catch((e) => ({
        code: e.code,
        replyCode: e.replyCode,
        isWarrenError: e instanceof W.WarrenError,
      }));
      await conn.close();
      return { events, received, unicode, buffer, tooLong, reply: reply.text, wrong };
    },
    { url: gw.url, token },
  );
  assert.deepEqual(result, {
    events: ['open'],
    received: [0, 1, 2].map((n) => ({ text: `héllo ${n}`, contentType: 'text/plain', header: n })),
    unicode: { type: 'tÿpé', note: 'ünï ✓' },
    buffer: 'from a buffer',
    tooLong: { code: 'ERR_INVALID_VALUE', isWarrenError: true },
    reply: 're: ping',
    wrong: { code: 'ERR_CHANNEL_CLOSED', replyCode: 404, isWarrenError: true },
  });
  assert.deepEqual(pageErrors, []);
  await page.close();
});
