import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Connection, ErrorCode, type Message, type WarrenError } from '../../browser/index.js';
import { startBarePipe, type BarePipe } from '../helpers/bare-pipe.js';
import { NodeWebSocket, connectPipe, countingWebSocket, delay, nextEvent, uncaught, unique } from './helpers.js';

// Page code that throws (a listener, a consumer callback) is reported as an
// uncaught exception, as EventTarget does, and changes nothing in the client.

let pipe: BarePipe;
before(async () => {
  pipe = await startBarePipe();
});
after(() => pipe.close());

test('a channel close listener that throws: close() still closes the other channels, the socket and the connection', async () => {
  const sockets: { readyState: number }[] = [];
  const conn = await connectPipe(pipe, { WebSocket: countingWebSocket(sockets) });
  const [ch1, ch2] = [await conn.channel(), await conn.channel()];
  const boom = new Error('page bug');
  const events: string[] = [];
  ch1.on('close', () => {
    throw boom;
  });
  ch1.on('close', () => events.push('ch1'));
  ch2.on('close', () => events.push('ch2'));
  conn.on('close', (err) => events.push(`conn:${err?.code ?? 'none'}`));
  const errors = await uncaught(() => conn.close());
  assert.deepEqual(errors, [boom]);
  assert.deepEqual(events, ['ch1', 'ch2', 'conn:none']);
  assert.equal(sockets.length, 1);
  assert.ok(sockets[0]!.readyState >= 2, 'the WebSocket is closing or closed');
  await assert.rejects(ch2.queueDeclare(''), { code: ErrorCode.Closed });
});

test('a channel close listener that throws while reconnecting: calls waiting for the connection still fail', async () => {
  const conn = await connectPipe(pipe, { reconnect: { initialDelay: 10_000 } });
  const [ch1, ch2] = [await conn.channel(), await conn.channel()];
  const boom = new Error('page bug');
  const events: string[] = [];
  ch1.on('close', () => {
    throw boom;
  });
  ch2.on('close', () => events.push('ch2'));
  conn.on('close', (err) => events.push(`conn:${err?.code ?? 'none'}`));
  const reconnecting = nextEvent(conn, 'reconnecting');
  pipe.dropConnections();
  await reconnecting;
  // Made while the connection is down: they wait for it.
  const waiting = [ch2.queueDeclare('', { exclusive: true }), conn.channel()].map((call) =>
    call.then(
      () => 'resolved',
      (err: WarrenError) => err.code,
    ),
  );
  const errors = await uncaught(() => conn.close());
  assert.deepEqual(errors, [boom]);
  assert.deepEqual(events, ['ch2', 'conn:none']);
  assert.deepEqual(await Promise.all(waiting), [ErrorCode.Closed, ErrorCode.Closed]);
});

test('an open listener that throws: connect() resolves, later listeners run, calls made before connect() go out', async () => {
  const conn = new Connection({
    url: pipe.url,
    username: 'guest',
    token: 'guest',
    WebSocket: NodeWebSocket,
    waitTimeout: 3000,
  });
  const boom = new Error('page bug');
  let opened = 0;
  conn.on('open', () => {
    throw boom;
  });
  conn.on('open', () => opened++);
  const early = conn.channel();
  const errors = await uncaught(async () => {
    await conn.connect();
  });
  assert.deepEqual(errors, [boom]);
  assert.equal(opened, 1);
  const started = Date.now();
  assert.equal((await early).id, 1);
  assert.ok(Date.now() - started < 1000, 'the waiting call ran on open, not at its timeout');
  await conn.close();
});

test('a return listener that throws: the next listener still gets the message', async () => {
  const conn = await connectPipe(pipe);
  const ch = await conn.channel();
  const boom = new Error('page bug');
  const returned: Message[] = [];
  ch.on('return', () => {
    throw boom;
  });
  ch.on('return', (m) => returned.push(m));
  const errors = await uncaught(async () => {
    await ch.basicPublish('', unique('nowhere'), 'lost', {}, { mandatory: true });
    for (let i = 0; i < 100 && returned.length === 0; i++) await delay(20);
  });
  assert.deepEqual(errors, [boom]);
  assert.deepEqual(
    returned.map((m) => [m.replyCode, m.text]),
    [[312, 'lost']],
  );
  await conn.close();
});

test('a consumer callback that throws is reported as uncaught, not on error, and deliveries go on', async () => {
  const conn = await connectPipe(pipe);
  const ch = await conn.channel();
  const { queue } = await ch.queueDeclare('', { exclusive: true });
  const onError: unknown[] = [];
  conn.on('error', (e) => onError.push(e));
  const got: string[] = [];
  const errors = await uncaught(async () => {
    await ch.basicConsume(queue, { noAck: true }, (m) => {
      got.push(m.text);
      if (m.text === 'boom') throw new Error('page bug');
    });
    await ch.basicPublish('', queue, 'boom');
    await ch.basicPublish('', queue, 'after');
    for (let i = 0; i < 100 && got.length < 2; i++) await delay(20);
  });
  assert.deepEqual(got, ['boom', 'after']);
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['page bug'],
  );
  assert.deepEqual(onError, []);
  await conn.close();
});
