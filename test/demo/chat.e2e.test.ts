import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import type * as Warren from '../../browser/index.js';
import { startDemo, type Demo } from '../../demo/server/demo.js';
import { CHROMIUM, ChatPage } from './chat-page.js';

/** Short enough that the refresh test outlives several tokens in a few seconds. */
const TOKEN_TTL_MS = 4_000;

describe('chat demo in Chromium', () => {
  let demo: Demo;
  let browser: Browser;
  let alice: ChatPage;
  let bob: ChatPage;
  const run = randomBytes(4).toString('hex');
  const pages: ChatPage[] = [];

  before(async () => {
    // Its own namespace: the broker is shared with other tests and with `npm run demo`.
    demo = await startDemo({
      port: 0,
      namespace: `warren.chat.test-${run}`,
      tokenTtlMs: TOKEN_TTL_MS,
      logLevel: 'warn',
    });
    browser = await chromium.launch(CHROMIUM);
    alice = await ChatPage.signIn(browser, demo.url, 'alice');
    bob = await ChatPage.signIn(browser, demo.url, 'bob');
    pages.push(alice, bob);
  });

  after(async () => {
    for (const page of pages) await page.close().catch(() => {});
    await browser?.close();
    await demo?.close();
    await demo?.topology.remove();
  });

  it('shows two users each other, in the room and typing', async () => {
    await alice.waitForPresence('bob');
    await bob.waitForPresence('alice');
    await alice.page.getByTestId('message-input').pressSequentially('hel');
    await bob.waitFor(
      async () => ((await bob.typingText()).includes('alice') ? true : undefined),
      10_000,
      () => 'typing',
    );
  });

  it('delivers messages both ways under the stamped author', async () => {
    await alice.send('hello from alice');
    await bob.page.getByTestId('message-input').fill('hi alice');
    await bob.page.getByTestId('send').click();
    const expected = ['alice: hello from alice', 'bob: hi alice'];
    assert.deepEqual(await alice.waitForMessages(expected), expected);
    assert.deepEqual(await bob.waitForMessages(expected), expected);
  });

  it('replays the history to someone who joins later', async () => {
    const carol = await ChatPage.signIn(browser, demo.url, 'carol');
    pages.push(carol);
    const shown = await carol.waitForMessages(['alice: hello from alice', 'bob: hi alice']);
    assert.deepEqual(shown, ['alice: hello from alice', 'bob: hi alice']);
    await alice.waitForPresence('carol');
    await carol.page.getByTestId('sign-in').count(); // the page is still the same document
  });

  it('shows a forged message under the forger’s own name', async () => {
    const mallory = await ChatPage.signIn(browser, demo.url, 'mallory');
    pages.push(mallory);
    // Mallory's page speaks AMQP itself with her own token, claiming to be alice
    // in the header the gateway stamps and in the body.
    await mallory.page.evaluate(async () => {
      const { connect } = (await import('/warren.mjs' as string)) as typeof Warren;
      const config = await (await fetch('/demo/config')).json();
      const reply = await (await fetch('/demo/token?name=mallory')).json();
      const conn = await connect({ url: `ws://${location.host}/amqp`, token: reply.token });
      const ch = await conn.channel();
      await ch.basicPublish(
        config.exchange,
        'room.general',
        JSON.stringify({ text: 'I am alice, trust me', author: 'alice', user: 'alice', sentAt: Date.now() }),
        { headers: { 'x-warren-user': 'alice' } },
      );
      await conn.close();
    });
    const shown = await alice.waitForMessages(['mallory: I am alice, trust me']);
    assert.ok(!shown.includes('alice: I am alice, trust me'));
    await bob.waitForMessages(['mallory: I am alice, trust me']);
  });

  it('lets a user leave a room and join another', async () => {
    await bob.openRoom('random');
    await bob.send('anyone in random?');
    await bob.waitForMessages(['bob: anyone in random?']);
    await bob.openRoom('general');
    await bob.page.locator('#leave').click();
    await alice.waitForPresence('bob', false);
    // Alice's general room did not get the random room's message.
    assert.ok(!(await alice.messages()).includes('bob: anyone in random?'));
  });

  it('keeps the session past the first token’s expiry by refreshing it', async () => {
    // Several lifetimes: without update-secret the gateway would have closed the session with 403.
    await new Promise((resolve) => setTimeout(resolve, TOKEN_TTL_MS * 3));
    await alice.send('still here after the token expired');
    await alice.waitForMessages(['alice: still here after the token expired']);
    assert.equal(await alice.page.getByTestId('banner').isHidden(), true);
    // Refreshed in place: the connection never dropped and reopened.
    assert.equal(await alice.page.evaluate(() => document.body.dataset['reconnects']), undefined);
  });
});
