import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { chromium, type Browser } from 'playwright-core';
import type * as Warren from '../../browser/index.js';
import { startDemo, type Demo } from '../../demo/server/demo.js';
import { eventually, rabbitmqctl } from '../helpers/broker.js';
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

  it('replays only the last 100 messages of a long history', async () => {
    // Seeded with the broker's own account, stamped as the gateway would, to keep the test quick.
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < 105; i++) {
      const body = Buffer.from(JSON.stringify({ text: `seed ${i}`, sentAt: Date.now() }));
      channel.publish(`warren.chat.test-${run}`, 'room.help', body, { headers: { 'x-warren-user': 'seeder' } });
    }
    await channel.waitForConfirms();
    await connection.close();
    assert.ok(await eventually(async () => demo.topology.historyStart('help', 100) === 5, 10_000, 50));
    await alice.openRoom('help');
    const shown = await alice.waitForMessages(['seeder: seed 104', 'seeder: seed 5']);
    const seeds = shown.filter((m) => m.startsWith('seeder: '));
    assert.equal(seeds.length, 100);
    assert.equal(seeds[0], 'seeder: seed 5');
    await alice.openRoom('general');
  });

  it('shows a banner while reconnecting and resumes the messages', async () => {
    const erin = await ChatPage.signIn(browser, demo.url, `erin-${run}`);
    pages.push(erin);
    // Closing erin's broker connection makes the gateway relay 320 CONNECTION_FORCED: the page reconnects.
    const connections = await rabbitmqctl('list_connections', '-q', '--no-table-headers', 'pid', 'client_properties');
    const line = connections.split('\n').find((l) => l.includes(`Warren gateway`) && l.includes(`erin-${run}`));
    assert.ok(line, 'erin has a broker connection');
    await rabbitmqctl('close_connection', line.split('\t')[0]!, 'test: broker restart');
    await erin.page.getByTestId('banner').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await erin.page.getByTestId('banner').textContent()) ?? '', /reconnecting/i);
    await erin.page.getByTestId('banner').waitFor({ state: 'hidden', timeout: 20_000 });
    await alice.send('welcome back erin');
    await erin.send('glad to be back');
    await erin.waitForMessages([`alice: welcome back erin`, `erin-${run}: glad to be back`]);
    await alice.waitForMessages([`erin-${run}: glad to be back`]);
    // The replay after reconnecting starts at the same offset: nothing is shown twice.
    const shown = await erin.messages();
    assert.equal(new Set(shown).size, shown.length);
  });
});
