import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { FrameWriter, ReplyCode } from '../../shared/index.js';
import { countGatewayConnections, eventually } from '../helpers/broker.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { handshake, RawClient } from '../helpers/raw-client.js';

const SESSIONS = 50;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway(['--max-sessions-per-user', String(SESSIONS * 2)]);
});
after(async () => {
  await gw.stop();
});

async function openSessions(sub: string, n: number): Promise<RawClient[]> {
  const jwt = await gw.token({ sub });
  return Promise.all(
    Array.from({ length: n }, async () => {
      const client = await RawClient.connect(gw.url);
      await handshake(client, jwt);
      return client;
    }),
  );
}

const closeFrame = new FrameWriter()
  .method(0, {
    name: 'connection.close',
    args: { replyCode: ReplyCode.Success, replyText: '', classId: 0, methodId: 0 },
  })
  .take();

test(`${SESSIONS} sessions at once each get their own broker connection, and none is left after they close`, async () => {
  const sub = `many-${randomBytes(4).toString('hex')}`;
  const clients = await openSessions(sub, SESSIONS);
  assert.equal(await countGatewayConnections(sub), SESSIONS);
  assert.equal(gw.gateway.sessions.size, SESSIONS);

  // Half close the AMQP way, half just drop the WebSocket.
  const polite = clients.slice(0, SESSIONS / 2);
  const rude = clients.slice(SESSIONS / 2);
  for (const c of polite) c.send(closeFrame);
  await Promise.all(polite.map((c) => c.waitFor('connection.closeOk')));
  for (const c of rude) c.terminate();
  await Promise.all(clients.map((c) => c.closed));

  assert.ok(await eventually(async () => (await countGatewayConnections(sub)) === 0), 'every broker connection closed');
  assert.ok(await eventually(() => Promise.resolve(gw.gateway.sessions.size === 0), 5000, 50));
});
