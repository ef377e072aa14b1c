import { pino } from 'pino';
import { loadConfig } from '../../server/config/index.js';
import { startGateway, type Gateway } from '../../server/gateway.js';

export interface BareGateway {
  readonly gateway: Gateway;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/amqp` */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A real gateway on a free port configured by `flags` alone: unlike
 * `startTestGateway` it adds no `--jwt-secret`, for tests of other key setups.
 */
export async function startBareGateway(flags: string[]): Promise<BareGateway> {
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--allowed-origins', '*', ...flags], {});
  const gateway = await startGateway(config, { log: pino({ level: process.env['WARREN_TEST_LOG'] ?? 'silent' }) });
  return {
    gateway,
    port: gateway.port,
    url: `ws://127.0.0.1:${gateway.port}/amqp`,
    stop: () => gateway.shutdown(),
  };
}
