/**
 * `npm run soak [-- --seconds 60 --sessions 200]`: a gateway in this process
 * and many amqp-client.js sessions churning through it (connect, declare,
 * publish and consume a few messages, close, again) for a set time. Prints the
 * gateway process's RSS, its active handles and the broker connections the
 * gateway holds, before and after; none should grow.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { loadConfig } from '../server/config/index.js';
import { startGateway } from '../server/gateway.js';
import { signToken } from '../test/helpers/gateway.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
const run = promisify(execFile);

interface Snapshot {
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly handles: number;
  readonly gatewaySessions: number;
  readonly brokerConnections: number;
}

function option(name: string, fallback: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new Error(`--${name} must be in 1…${max}`);
  return value;
}

async function brokerConnections(subject: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'client_properties']);
  return stdout.split('\n').filter((l) => l.includes(`"warren `) && l.includes(` ${subject}`)).length;
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const seconds = option('seconds', 60, 3600);
  const sessions = option('sessions', 200, 5000);
  const secret = randomBytes(32).toString('hex');
  const subject = `soak-${randomBytes(3).toString('hex')}`;
  const config = loadConfig(
    [
      ...['--port', '0', '--host', '127.0.0.1', '--jwt-secret', secret, '--allowed-origins', '*'],
      ...['--max-sessions-per-user', String(sessions * 2), '--max-sessions-per-ip', String(sessions * 2)],
    ],
    {},
  );
  const gateway = await startGateway(config, { log: pino({ level: 'warn' }) });
  const url = `ws://127.0.0.1:${gateway.port}/amqp`;
  const token = await signToken(secret, { sub: subject });
  const snapshot = async (): Promise<Snapshot> => {
    const mem = process.memoryUsage();
    return {
      rssMiB: Math.round((mem.rss / 2 ** 20) * 10) / 10,
      heapMiB: Math.round((mem.heapUsed / 2 ** 20) * 10) / 10,
      handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length,
      gatewaySessions: gateway.sessions.size,
      brokerConnections: await brokerConnections(subject),
    };
  };

  let rounds = 0;
  let failures = 0;
  let messages = 0;
  const round = async () => {
    const conn = await new AMQPWebSocketClient(url, '/', '', token).connect();
    try {
      const ch = await conn.channel();
      const { name } = await ch.queueDeclare('', { exclusive: true });
      for (let i = 0; i < 5; i++) await ch.basicPublish('', name, `message ${i}`);
      for (let i = 0; i < 5; i++) if ((await ch.basicGet(name, { noAck: true })) !== null) messages++;
    } finally {
      await conn.close();
    }
    rounds++;
  };

  // One round per session first, so the baseline includes warmed-up code and pools.
  await Promise.all(Array.from({ length: sessions }, () => round()));
  await settle();
  const before = await snapshot();
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (Date.now() < until) {
        await round().catch(() => failures++);
      }
    }),
  );
  await settle();
  await settle();
  const after = await snapshot();
  await gateway.shutdown();
  console.log(JSON.stringify({ seconds, sessions, rounds, messages, failures, before, after }, null, 2));
  if (failures > 0 || after.brokerConnections > before.brokerConnections || after.gatewaySessions > 0) {
    process.exitCode = 1;
  }
}

await main();
