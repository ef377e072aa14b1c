import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../server/config/load-config.js';
import { helpText } from '../../../server/config/help-text.js';
import { wantsHelp } from '../../../server/config/read-sources.js';
import { OPTIONS, envName } from '../../../server/config/options.js';

const SECRET = 'a-very-long-secret-of-at-least-32-bytes!';
const BASE = ['--jwt-secret', SECRET];
const dir = mkdtempSync(join(tmpdir(), 'warren-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

test('defaults apply when nothing else is given', () => {
  const config = loadConfig(BASE, {});
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 15680);
  assert.equal(config.path, '/amqp');
  assert.equal(config.transport, 'ws');
  assert.equal(config.brokerAuth, 'service');
  assert.deepEqual(
    config.brokers.map((url) => url.href),
    ['amqp://guest:guest@127.0.0.1:5672'],
  );
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.scopePrefix, 'rabbitmq.');
  assert.equal(config.identityHeader, 'x-warren-user');
  assert.equal(config.maxFrameSize, 128 * 1024);
  assert.equal(config.maxMessageSize, 16 * 1024 * 1024);
  assert.equal(config.handshakeTimeoutMs, 10_000);
  assert.equal(config.heartbeatSec, 60);
  assert.equal(config.jwt.clockToleranceSec, 5);
  assert.equal(config.jwt.secret, SECRET);
  assert.equal(config.tls, undefined);
  assert.equal(config.logLevel, 'info');
});

test('flags come as --name value and --name=value', () => {
  const config = loadConfig([...BASE, '--port', '8080', '--heartbeat=30s', '--max-frame-size=64KiB'], {});
  assert.equal(config.port, 8080);
  assert.equal(config.heartbeatSec, 30);
  assert.equal(config.maxFrameSize, 65_536);
});

test('flags win over env, env over the file, the file over defaults', () => {
  const file = writeJson('precedence.json', { port: 1001, host: '10.0.0.1', path: '/file', maxChannels: 7 });
  const env = { WARREN_PORT: '1002', WARREN_HOST: '10.0.0.2', WARREN_CONFIG: file };
  const config = loadConfig([...BASE, '--port', '1003'], env);
  assert.equal(config.port, 1003);
  assert.equal(config.host, '10.0.0.2');
  assert.equal(config.path, '/file');
  assert.equal(config.maxChannels, 7);
  assert.equal(config.configFile, file);
});

test('the file accepts kebab-case and camelCase keys, arrays and numbers', () => {
  const file = writeJson('keys.json', {
    'jwt-secret': SECRET,
    allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
    'max-message-size': 1024,
    broker: ['amqp://a:5672', 'amqps://b:5671'],
  });
  const config = loadConfig(['--config', file], {});
  assert.deepEqual(config.allowedOrigins, ['https://app.example.com', 'http://localhost:5173']);
  assert.equal(config.maxMessageSize, 1024);
  assert.equal(config.brokers.length, 2);
  assert.equal(config.brokers[1]?.protocol, 'amqps:');
});

test('unknown keys in the file and unreadable files are refused', () => {
  const file = writeJson('unknown.json', { 'jwt-secret': SECRET, colour: 'blue' });
  assert.throws(() => loadConfig(['--config', file], {}), { code: 'ERR_CONFIG', option: 'colour', source: 'file' });
  assert.throws(() => loadConfig(['--config', join(dir, 'missing.json')], {}), {
    code: 'ERR_CONFIG',
    option: 'config',
  });
  const notObject = join(dir, 'array.json');
  writeFileSync(notObject, '[1]');
  assert.throws(() => loadConfig(['--config', notObject], {}), { code: 'ERR_CONFIG', option: 'config' });
});

test('env variables are WARREN_<FLAG>; unrelated WARREN_ variables are ignored', () => {
  const config = loadConfig([], {
    WARREN_JWT_SECRET: SECRET,
    WARREN_MAX_SESSIONS_PER_USER: '3',
    WARREN_TEST_LONG: '1',
  });
  assert.equal(config.maxSessionsPerUser, 3);
  assert.equal(envName('max-sessions-per-user'), 'WARREN_MAX_SESSIONS_PER_USER');
});

test('unknown flags, missing values and positional arguments are refused', () => {
  assert.throws(() => loadConfig([...BASE, '--colour', 'blue'], {}), { code: 'ERR_CONFIG', option: 'colour' });
  assert.throws(() => loadConfig([...BASE, '--port'], {}), { code: 'ERR_CONFIG', option: 'port' });
  assert.throws(() => loadConfig([...BASE, 'serve'], {}), { code: 'ERR_CONFIG' });
  assert.throws(() => loadConfig([...BASE, '--no-port'], {}), { code: 'ERR_CONFIG', option: 'no-port' });
});

test('bad values name the option and where the value came from', () => {
  assert.throws(() => loadConfig([...BASE, '--port', '70000'], {}), {
    code: 'ERR_CONFIG',
    option: 'port',
    source: 'flag',
  });
  assert.throws(() => loadConfig(BASE, { WARREN_PORT: 'eighty' }), {
    code: 'ERR_CONFIG',
    option: 'port',
    source: 'env',
  });
  assert.throws(() => loadConfig([...BASE, '--heartbeat', '10'], {}), { code: 'ERR_CONFIG', option: 'heartbeat' });
  assert.throws(() => loadConfig([...BASE, '--heartbeat', '1500ms'], {}), { code: 'ERR_CONFIG', option: 'heartbeat' });
  assert.throws(() => loadConfig([...BASE, '--transport', 'tcp'], {}), { code: 'ERR_CONFIG', option: 'transport' });
  assert.throws(() => loadConfig([...BASE, '--max-frame-size', '1KiB'], {}), {
    code: 'ERR_CONFIG',
    option: 'max-frame-size',
  });
  assert.throws(() => loadConfig([...BASE, '--path', 'amqp'], {}), { code: 'ERR_CONFIG', option: 'path' });
  assert.throws(() => loadConfig([...BASE, '--identity-header', 'x user'], {}), {
    code: 'ERR_CONFIG',
    option: 'identity-header',
  });
});

test('a config with no way to verify tokens is refused', () => {
  assert.throws(() => loadConfig([], {}), { code: 'ERR_CONFIG', option: 'jwt-secret' });
});

test('a short HMAC secret is refused and never echoed', () => {
  assert.throws(
    () => loadConfig(['--jwt-secret', 'short-secret'], {}),
    (error: { code: string; option: string; value: unknown; message: string }) =>
      error.code === 'ERR_CONFIG' &&
      error.option === 'jwt-secret' &&
      error.value === undefined &&
      !error.message.includes('short-secret'),
  );
});

test('public key file and JWKS URL are checked', () => {
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, 'not really a key, checked later by the verifier');
  const config = loadConfig(['--jwt-public-key', keyFile], {});
  assert.equal(config.jwt.publicKeyFile, keyFile);
  assert.throws(() => loadConfig(['--jwt-public-key', join(dir, 'nope.pem')], {}), {
    code: 'ERR_CONFIG',
    option: 'jwt-public-key',
  });
  const jwks = loadConfig(['--jwks-url', 'https://idp.example.com/jwks.json', '--jwks-cooldown', '1s'], {});
  assert.equal(jwks.jwt.jwksUrl?.hostname, 'idp.example.com');
  assert.equal(jwks.jwt.jwksCooldownMs, 1000);
  assert.throws(() => loadConfig(['--jwks-url', 'ftp://idp.example.com/jwks.json'], {}), {
    code: 'ERR_CONFIG',
    option: 'jwks-url',
  });
  assert.throws(() => loadConfig(['--jwks-url', 'https://idp/jwks', '--jwt-public-key', keyFile], {}), {
    code: 'ERR_CONFIG',
    option: 'jwks-url',
  });
});

test('algorithms must fit the configured keys and never be none', () => {
  const config = loadConfig([...BASE, '--jwt-algorithms', 'HS256,HS512'], {});
  assert.deepEqual(config.jwt.algorithms, ['HS256', 'HS512']);
  for (const algorithms of ['none', 'RS256', 'HS999', '']) {
    assert.throws(() => loadConfig([...BASE, '--jwt-algorithms', algorithms], {}), {
      code: 'ERR_CONFIG',
      option: 'jwt-algorithms',
    });
  }
});

test('issuer, audience and clock tolerance', () => {
  const config = loadConfig(
    [...BASE, '--jwt-issuer', 'https://idp', '--jwt-audience', 'warren,rabbitmq', '--jwt-clock-tolerance', '30s'],
    {},
  );
  assert.deepEqual(config.jwt.issuer, ['https://idp']);
  assert.deepEqual(config.jwt.audience, ['warren', 'rabbitmq']);
  assert.equal(config.jwt.clockToleranceSec, 30);
});

test('tls-cert and tls-key go together', () => {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key-for-tls.pem');
  writeFileSync(cert, 'cert');
  writeFileSync(key, 'key');
  assert.deepEqual(loadConfig([...BASE, '--tls-cert', cert, '--tls-key', key], {}).tls, {
    certFile: cert,
    keyFile: key,
  });
  assert.throws(() => loadConfig([...BASE, '--tls-cert', cert], {}), { code: 'ERR_CONFIG', option: 'tls-key' });
  assert.throws(() => loadConfig([...BASE, '--tls-key', key], {}), { code: 'ERR_CONFIG', option: 'tls-cert' });
});

test('broker URLs must be amqp:// or amqps://, and the password is not echoed', () => {
  assert.throws(
    () => loadConfig([...BASE, '--broker', 'http://user:hunter2@host'], {}),
    (error: { code: string; option: string; message: string }) =>
      error.code === 'ERR_CONFIG' && error.option === 'broker' && !error.message.includes('hunter2'),
  );
  assert.throws(() => loadConfig([...BASE, '--broker', ''], {}), { code: 'ERR_CONFIG', option: 'broker' });
  const config = loadConfig([...BASE, '--broker', 'amqp://a,amqps://b'], {});
  assert.deepEqual(
    config.brokers.map((url) => url.hostname),
    ['a', 'b'],
  );
});

test('origins are scheme://host[:port] or *', () => {
  assert.deepEqual(loadConfig([...BASE, '--allowed-origins', '*'], {}).allowedOrigins, ['*']);
  assert.deepEqual(loadConfig([...BASE, '--allowed-origins', 'HTTPS://App.Example.com:8443'], {}).allowedOrigins, [
    'https://app.example.com:8443',
  ]);
  for (const origins of [
    'https://a.example/path',
    'example.com',
    'https://a.example?x=1',
    '*,https://a.example',
    'file:///x',
  ]) {
    assert.throws(() => loadConfig([...BASE, '--allowed-origins', origins], {}), {
      code: 'ERR_CONFIG',
      option: 'allowed-origins',
    });
  }
});

test('trusted proxies must be IP addresses', () => {
  assert.deepEqual(loadConfig([...BASE, '--trusted-proxies', '10.0.0.1,::1'], {}).trustedProxies, ['10.0.0.1', '::1']);
  assert.throws(() => loadConfig([...BASE, '--trusted-proxies', 'proxy.local'], {}), {
    code: 'ERR_CONFIG',
    option: 'trusted-proxies',
  });
});

test('help lists every option with its env variable', () => {
  const text = helpText();
  for (const spec of OPTIONS) {
    assert.ok(text.includes(`--${spec.name}`), spec.name);
    assert.ok(text.includes(envName(spec.name)), spec.name);
  }
  assert.equal(wantsHelp(['--port', '1', '--help']), true);
  assert.equal(wantsHelp(['--port', '1']), false);
});
