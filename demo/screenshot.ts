/**
 * Takes `demo/screenshot.png`: starts the demo on a free port in its own
 * namespace, has two users chat in headless Chromium, and captures one of
 * their windows. Run with `npm run build && node dist/demo/screenshot.js`.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, ChatPage } from '../test/demo/chat-page.js';
import { startDemo } from './server/demo.js';

const OUTPUT = fileURLToPath(new URL('../../demo/screenshot.png', import.meta.url));

const demo = await startDemo({
  port: 0,
  namespace: `warren.chat.shot-${randomBytes(4).toString('hex')}`,
  logLevel: 'warn',
});
const browser = await chromium.launch(CHROMIUM);
try {
  const viewport = { width: 1180, height: 680 };
  const ada = await ChatPage.signIn(browser, demo.url, 'ada', viewport);
  const linus = await ChatPage.signIn(browser, demo.url, 'linus', viewport);
  await ada.waitForPresence('linus');
  const lines: [ChatPage, string][] = [
    [ada, 'Morning! Is the gateway up on staging?'],
    [linus, 'Yes, since 9:40. Tokens refresh in place now, no reconnects.'],
    [linus, 'Try sending as someone else, the gateway stamps your name anyway.'],
    [ada, 'Nice. And history comes straight from the stream when I join?'],
    [linus, 'The last 100 messages, then it keeps following the stream live.'],
  ];
  for (const [who, text] of lines) {
    await who.send(text);
    await ada.waitForMessages([`${who.name}: ${text}`]);
  }
  await linus.waitForMessages([`ada: ${lines[3]![1]}`]);
  // Linus starts a reply so the typing indicator shows in Ada's window.
  await linus.page.getByTestId('message-input').pressSequentially('Exactly');
  await ada.waitFor(
    async () => ((await ada.typingText()) !== '' ? true : undefined),
    5_000,
    () => 'typing',
  );
  await ada.page.getByTestId('message-input').fill('Great, shipping it');
  await ada.page.screenshot({ path: OUTPUT });
  process.stdout.write(`saved ${OUTPUT}\n`);
} finally {
  await browser.close();
  await demo.close();
  await demo.topology.remove();
}
