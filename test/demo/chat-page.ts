import type { Browser, Page } from 'playwright-core';

/** Chromium as the project runs it (Debian's, headless, no sandbox in containers). */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};

/** One signed-in user of the chat demo, in their own browser context (own cookies, own storage). */
export class ChatPage {
  private constructor(
    readonly name: string,
    readonly page: Page,
  ) {}

  /** Opens the demo in a fresh context and signs in as `name`; resolves once the first room is joined. */
  static async signIn(
    browser: Browser,
    url: string,
    name: string,
    viewport = { width: 1100, height: 720 },
  ): Promise<ChatPage> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${name}] page error:`, err));
    await page.goto(url);
    await page.getByTestId('name-input').fill(name);
    await page.getByTestId('sign-in').click();
    const chat = new ChatPage(name, page);
    await chat.waitForPresence(name);
    return chat;
  }

  /** Types `text` and presses Enter, as a user would. */
  async send(text: string): Promise<void> {
    const input = this.page.getByTestId('message-input');
    await input.fill(text);
    await input.press('Enter');
  }

  /** Clicks a room in the list (joins it if needed). */
  async openRoom(room: string): Promise<void> {
    await this.page.locator(`[data-testid="room"][data-room="${room}"]`).click();
    await this.waitForPresence(this.name);
  }

  /** The shown messages as `author: text`, in order. */
  messages(): Promise<string[]> {
    return this.page.getByTestId('message').evaluateAll((items) =>
      items.map((item) => {
        const author = item.querySelector('[data-testid="message-author"]')?.textContent ?? '?';
        return `${author}: ${item.querySelector('.text')?.textContent ?? ''}`;
      }),
    );
  }

  /** Waits until the shown messages include every one of `expected` (`author: text`). */
  async waitForMessages(expected: readonly string[], timeoutMs = 15_000): Promise<string[]> {
    return this.waitFor(
      async () => {
        const shown = await this.messages();
        return expected.every((m) => shown.includes(m)) ? shown : undefined;
      },
      timeoutMs,
      () => `messages ${JSON.stringify(expected)}`,
    );
  }

  /** The users listed as present in the open room. */
  present(): Promise<string[]> {
    return this.page
      .getByTestId('presence')
      .evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset['user'] ?? ''));
  }

  async waitForPresence(user: string, present = true, timeoutMs = 15_000): Promise<void> {
    await this.waitFor(
      async () => ((await this.present()).includes(user) === present ? true : undefined),
      timeoutMs,
      () => `${user} ${present ? '' : 'not '}present`,
    );
  }

  async typingText(): Promise<string> {
    return (await this.page.locator('#typing').textContent()) ?? '';
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }

  /** Polls `probe` every 100 ms until it returns a value. */
  async waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: () => string): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until) {
        throw new Error(
          `${this.name}: timed out waiting for ${what()}; shown: ${JSON.stringify(await this.messages())}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
