import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { ReplyCode } from '../../shared/index.js';
import { signToken } from '../helpers/gateway.js';
import { handshake, RawClient, UpgradeRefused } from '../helpers/raw-client.js';

const MAIN = fileURLToPath(new URL('../../server/main.js', import.meta.url));

const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Spawns `node dist/server/main.js` on a free port; resolves once it logged "gateway listening". */
async function spawnGateway(secret: string, shutdownTimeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--jwt-secret',
      secret,
      '--allowed-origins',
      '*',
      '--shutdown-timeout',
      `${shutdownTimeoutMs}ms`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg === 'gateway listening' && typeof entry.port === 'number') {
      // Keep reading so the child never blocks on a full pipe.
      lines.on('line', () => {});
      return { child, port: entry.port };
    }
  }
  throw new Error('the gateway exited before it listened');
}

test('SIGTERM sends 320 to open sessions, refuses new upgrades, and exits 0 once they answered', async () => {
  const secret = randomBytes(32).toString('hex');
  const { child, port } = await spawnGateway(secret, 10_000);
  const url = `ws://127.0.0.1:${port}/amqp`;
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const client = await RawClient.connect(url);
  await handshake(client, await signToken(secret));
  child.kill('SIGTERM');

  const close = await client.waitFor('connection.close');
  assert.equal(close.args.replyCode, ReplyCode.ConnectionForced);

  // The session has not answered yet, so the gateway is still draining: no newcomers.
  await assert.rejects(RawClient.connect(url), (err: unknown) => {
    if (err instanceof UpgradeRefused) return err.status === 503;
    return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  });
  assert.equal(child.exitCode, null, 'still waiting for the close-ok');

  client.closeOk();
  const [code, signal] = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.equal(await client.closed, 1000);
});

test('a session that never answers the 320 does not keep the process from exiting 0 after the timeout', async () => {
  const secret = randomBytes(32).toString('hex');
  const { child, port } = await spawnGateway(secret, 500);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const client = await RawClient.connect(`ws://127.0.0.1:${port}/amqp`);
  await handshake(client, await signToken(secret));
  child.kill('SIGTERM');
  const close = await client.waitFor('connection.close');
  assert.equal(close.args.replyCode, ReplyCode.ConnectionForced);
  // No close-ok: the gateway gives up waiting and exits anyway.
  const [code] = await exited;
  assert.equal(code, 0);
  await client.closed;
});
