import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { SessionLog } from '../../../server/observability/session-log.js';

type Line = Record<string, unknown>;

/** A pino logger writing to memory, and the JSON lines it wrote. */
function memoryLogger(options: LoggerOptions = {}): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino(options, {
    write(chunk: string) {
      for (const text of chunk.split('\n')) if (text !== '') lines.push(JSON.parse(text) as Line);
    },
  });
  return { logger, lines };
}

/** Fields whose `value` property counts how often it is read: a line built from them reads it. */
function countingFields(): { fields: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const fields = {};
  Object.defineProperty(fields, 'value', {
    enumerable: true,
    get() {
      reads++;
      return 'built';
    },
  });
  return { fields, reads: () => reads };
}

test('every line carries the session id, the message and the fields, at its level', () => {
  const { logger, lines } = memoryLogger({ level: 'info' });
  const log = new SessionLog(logger, 'session-1');
  log.info({ subject: 'alice', vhost: '/' }, 'session open');
  log.warn({ code: 'ECONNREFUSED', nested: { depth: [1, 2] } }, 'broker unreachable');
  log.error({}, 'session step failed');

  assert.equal(lines.length, 3);
  const [info, warn, error] = lines;
  assert.equal(info!['session'], 'session-1');
  assert.equal(info!['msg'], 'session open');
  assert.equal(info!['level'], 30);
  assert.equal(info!['subject'], 'alice');
  assert.equal(info!['vhost'], '/');
  assert.equal(warn!['session'], 'session-1');
  assert.equal(warn!['msg'], 'broker unreachable');
  assert.equal(warn!['level'], 40);
  assert.equal(warn!['code'], 'ECONNREFUSED');
  assert.deepEqual(warn!['nested'], { depth: [1, 2] });
  assert.equal(error!['session'], 'session-1');
  assert.equal(error!['msg'], 'session step failed');
  assert.equal(error!['level'], 50);
});

test('two sessions over one logger keep their own ids; the base logger’s bindings stay', () => {
  const { logger, lines } = memoryLogger({ base: { service: 'warren' } });
  const child = logger.child({ component: 'gateway' });
  new SessionLog(child, 'a').info({ n: 1 }, 'one');
  new SessionLog(logger, 'b').info({ n: 2 }, 'two');
  assert.deepEqual(
    lines.map((line) => [line['session'], line['n'], line['service'], line['component']]),
    [
      ['a', 1, 'warren', 'gateway'],
      ['b', 2, 'warren', undefined],
    ],
  );
});

test('an error in `err` goes through pino’s error serializer', () => {
  const { logger, lines } = memoryLogger();
  const log = new SessionLog(logger, 's');
  log.error({ err: new TypeError('boom') }, 'unexpected error handling a browser frame');
  const err = lines[0]!['err'] as Record<string, unknown>;
  assert.equal(err['type'], 'TypeError');
  assert.equal(err['message'], 'boom');
  assert.equal(typeof err['stack'], 'string');
  assert.equal(lines[0]!['session'], 's');
});

test('a line below the logger’s level is not built', () => {
  const { logger, lines } = memoryLogger({ level: 'warn' });
  const log = new SessionLog(logger, 's');
  const counted = countingFields();

  log.info(counted.fields, 'not logged');
  assert.equal(counted.reads(), 0, 'the fields of a disabled line were read');
  assert.equal(lines.length, 0);

  log.warn(counted.fields, 'logged');
  assert.equal(counted.reads(), 1);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!['value'], 'built');

  logger.level = 'error';
  log.warn(counted.fields, 'not logged');
  assert.equal(counted.reads(), 1);
  log.error(counted.fields, 'logged');
  assert.equal(counted.reads(), 2);

  logger.level = 'silent';
  log.error(counted.fields, 'not logged');
  assert.equal(counted.reads(), 2);

  // The level is asked for at each call, not when the SessionLog was made.
  logger.level = 'info';
  log.info(counted.fields, 'logged');
  assert.equal(counted.reads(), 3);
  assert.deepEqual(
    lines.map((line) => line['level']),
    [40, 50, 30],
  );
});

test('redaction configured on the base logger applies to session lines', () => {
  const { logger, lines } = memoryLogger({
    redact: { paths: ['token', '*.token', 'headers.authorization'], censor: '[redacted]' },
  });
  new SessionLog(logger, 's').warn(
    { token: 'secret', link: { token: 'secret2', host: 'h' }, headers: { authorization: 'Bearer x', accept: 'y' } },
    'oops',
  );
  const line = lines[0]!;
  assert.equal(line['token'], '[redacted]');
  assert.deepEqual(line['link'], { token: '[redacted]', host: 'h' });
  assert.deepEqual(line['headers'], { authorization: '[redacted]', accept: 'y' });
  assert.equal(line['session'], 's');
});

test('with the gateway’s own logger (createLogger), tokens in session lines are redacted', async () => {
  // createLogger writes to stdout: run it in a child process and read what it printed.
  const logger = new URL('../../../server/observability/logger.js', import.meta.url).href;
  const sessionLog = new URL('../../../server/observability/session-log.js', import.meta.url).href;
  const script = `
    import { createLogger } from ${JSON.stringify(logger)};
    import { SessionLog } from ${JSON.stringify(sessionLog)};
    const log = new SessionLog(createLogger('warn'), 'sess-9');
    log.info({ token: 'never-built' }, 'below the level');
    log.warn({
      token: 'secret-token', jwt: 'secret-jwt', password: 'secret-pw',
      link: { token: 'secret-nested', jwt: 'secret-nested-jwt', password: 'secret-nested-pw', host: 'broker' },
      headers: { authorization: 'Bearer secret', cookie: 'secret-cookie', accept: 'text/plain' },
      subject: 'alice',
    }, 'careless');
  `;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (error, out) => {
      if (error === null) resolve(out);
      else reject(error);
    });
  });
  assert.doesNotMatch(stdout, /secret|never-built/);
  const lines = stdout
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text) as Line);
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  assert.equal(line['session'], 'sess-9');
  assert.equal(line['service'], 'warren');
  assert.equal(line['msg'], 'careless');
  assert.equal(line['subject'], 'alice');
  assert.equal(line['token'], '[redacted]');
  assert.equal(line['jwt'], '[redacted]');
  assert.equal(line['password'], '[redacted]');
  assert.deepEqual(line['link'], {
    token: '[redacted]',
    jwt: '[redacted]',
    password: '[redacted]',
    host: 'broker',
  });
  assert.deepEqual(line['headers'], { authorization: '[redacted]', cookie: '[redacted]', accept: 'text/plain' });
});

test('a field named session cannot replace the session id', () => {
  const { logger, lines } = memoryLogger({ level: 'info' });
  new SessionLog(logger, 'session-7').warn({ session: 'forged' }, 'odd field');
  assert.equal(lines[0]!['session'], 'session-7');
});
