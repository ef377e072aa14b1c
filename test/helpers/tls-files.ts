import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCert {
  readonly dir: string;
  /** PEM certificate, also usable as its own CA. */
  readonly certFile: string;
  readonly keyFile: string;
  remove(): Promise<void>;
}

/** A self-signed certificate for `localhost` (and 127.0.0.1) in a fresh temp dir, made with openssl. */
export async function selfSignedCert(): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'warren-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { dir, certFile, keyFile, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A TLS terminator in front of the real RabbitMQ, with `cert`: the shared
 * broker is not reconfigured, yet a gateway speaks amqps:// to it end to end
 * (`amqps://guest:guest@localhost:<port>` with `--broker-ca cert.certFile`).
 */
export function tlsFrontOfBroker(cert: SelfSignedCert, brokerPort = 5672): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) }, (socket) => {
    const upstream = netConnect({ host: '127.0.0.1', port: brokerPort });
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    }),
  );
}
