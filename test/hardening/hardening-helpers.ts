import { randomBytes } from 'node:crypto';
import { FrameWriter, PROTOCOL_HEADER } from '../../shared/index.js';
import { brokerConnectionNames } from '../helpers/broker.js';
import { handshake, RawClient, type RawConnectOptions } from '../helpers/raw-client.js';
import type { TestGateway } from '../helpers/gateway.js';

/** A subject no other test uses, so broker connections can be counted per test. */
export function uniqueSubject(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A raw client through the whole handshake as `sub`. */
export async function openSession(gw: TestGateway, sub: string, options: RawConnectOptions = {}): Promise<RawClient> {
  const client = await RawClient.connect(gw.url, options);
  await handshake(client, await gw.token({ sub }));
  return client;
}

/** Broker connections the gateway opened, whatever the subject. */
export async function gatewayConnectionCount(): Promise<number> {
  return (await brokerConnectionNames()).filter((n) => n.startsWith('warren ')).length;
}

/** The bytes of one publish of `body` to the default exchange with routing key `queue`. */
export function publishBytes(channel: number, queue: string, body: Uint8Array): Uint8Array {
  return new FrameWriter()
    .message(
      channel,
      { name: 'basic.publish', args: { exchange: '', routingKey: queue, mandatory: false, immediate: false } },
      {},
      body,
      4096,
    )
    .take();
}

export { PROTOCOL_HEADER };
