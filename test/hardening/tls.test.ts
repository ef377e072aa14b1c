import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AMQPWebSocketClient } from '@cloudamqp/amqp-client';
import { WebSocket } from 'ws';
import { ReplyCode } from '../../shared/index.js';
import { startTestGateway } from '../helpers/gateway.js';
import { RawClient, authenticate } from '../helpers/raw-client.js';
import { uniqueSubject } from './hardening-helpers.js';
import { selfSignedCert, tlsFrontOfBroker, type SelfSignedCert } from '../helpers/tls-files.js';

let cert: SelfSignedCert;
let ca: string;
before(async () => {
  cert = await selfSignedCert();
  ca = readFileSync(cert.certFile, 'utf8');
  // amqp-client.js uses the global WebSocket; this one trusts the test's CA and nothing else.
  class CaWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], { ca });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = CaWebSocket;
});
after(async () => {
  await cert.remove();
});

/** amqp-client.js through `url`: a queue, a publish, the same message consumed back. */
async function publishAndConsume(url: string, token: string, body: string): Promise<string> {
  const client = new AMQPWebSocketClient(url, '/', '', token);
  const conn = await client.connect();
  try {
    const ch = await conn.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    const got = new Promise<string>((resolve) => {
      void ch.basicConsume(name, { noAck: true }, (msg) => resolve(msg.bodyToString() ?? ''));
    });
    await ch.basicPublish('', name, body);
    return await got;
  } finally {
    await conn.close();
  }
}

for (const transport of ['ws', 'uws'] as const) {
  test(`wss:// with --tls-cert/--tls-key (${transport}): amqp-client.js publishes and consumes`, async () => {
    const gw = await startTestGateway([
      '--transport',
      transport,
      '--tls-cert',
      cert.certFile,
      '--tls-key',
      cert.keyFile,
    ]);
    try {
      const url = `wss://localhost:${gw.port}/amqp`;
      assert.equal(await publishAndConsume(url, await gw.token(), 'over tls'), 'over tls');
    } finally {
      await gw.stop();
    }
  });
}

test('wss:// refuses a client that does not trust the certificate', async () => {
  const gw = await startTestGateway(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
  try {
    const ws = new WebSocket(`wss://localhost:${gw.port}/amqp`, [], {});
    const err = await new Promise<Error & { code?: string }>((resolve) => ws.once('error', resolve));
    assert.equal(err.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  } finally {
    await gw.stop();
  }
});

test('amqps:// to the broker with --broker-ca: publish and consume through TLS to RabbitMQ', async () => {
  const front = await tlsFrontOfBroker(cert);
  const broker = `amqps://guest:guest@localhost:${front.port}`;
  const gw = await startTestGateway(['--broker', broker, '--broker-ca', cert.certFile]);
  try {
    const token = await gw.token({ sub: uniqueSubject('amqps') });
    assert.equal(await publishAndConsume(gw.url, token, 'to an amqps broker'), 'to an amqps broker');
  } finally {
    await gw.stop();
    front.server.close();
  }
});

test('amqps:// without a CA that trusts the broker: 541 INTERNAL_ERROR, the browser is told', async () => {
  const front = await tlsFrontOfBroker(cert);
  const gw = await startTestGateway(['--broker', `amqps://guest:guest@localhost:${front.port}`]);
  try {
    const raw = await RawClient.connect(gw.url);
    const answer = await authenticate(raw, await gw.token({ sub: uniqueSubject('amqps-untrusted') }));
    assert.equal(answer.name, 'connection.close');
    assert.equal(answer.name === 'connection.close' && answer.args.replyCode, ReplyCode.InternalError);
    raw.terminate();
  } finally {
    await gw.stop();
    front.server.close();
  }
});

test('--broker-ca that holds no certificate stops the gateway from starting with ERR_CONFIG', async () => {
  const bogus = join(cert.dir, 'not-a-ca.pem');
  await writeFile(bogus, 'this is not a certificate\n');
  await assert.rejects(startTestGateway(['--broker-ca', bogus]), { code: 'ERR_CONFIG', option: 'broker-ca' });
  await assert.rejects(startTestGateway(['--broker-ca', join(cert.dir, 'missing.pem')]), {
    code: 'ERR_CONFIG',
    option: 'broker-ca',
  });
});
