import type { TestContext } from 'node:test';
import type { TestGateway } from '../helpers/gateway.js';
import { BrokerView } from './broker-view.js';
import { BrowserSession } from './browser-session.js';

/** One test's pieces: a gateway session holding channel 1 open, and the broker's view. */
export interface Scene {
  readonly session: BrowserSession;
  readonly broker: BrokerView;
}

/** A broker view for test `t`, cleaned up (names deleted, connection closed) when it ends. */
export async function brokerFor(t: TestContext): Promise<BrokerView> {
  const broker = await BrokerView.connect();
  t.after(() => broker.cleanUp());
  return broker;
}

/**
 * Opens a session through `gw` with a token granting `scope` (sub 'alice'),
 * with channel 1 open; closed when the test ends.
 */
export async function sessionFor(
  t: TestContext,
  gw: TestGateway,
  scope: string,
  sub = 'alice',
): Promise<BrowserSession> {
  const session = await BrowserSession.open(gw.url, await gw.token({ sub, scope }));
  t.after(() => session.close());
  await session.openChannel(1);
  return session;
}
