import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameSplitter, FrameWriter, type Frame } from '../../../shared/index.js';
import { SessionOutput } from '../../../server/session/session-output.js';
import type { BrokerLink } from '../../../server/broker/broker-link.js';
import type { GatewaySocket } from '../../../server/transport/transport.js';
import { makeMethod } from '../policy/make-method.js';

/** A WebSocket that keeps what it is sent, as ws does; it queues all of it once `queues` is set. */
class KeepingSocket implements GatewaySocket {
  readonly sent: Uint8Array[] = [];
  bufferedAmount = 0;
  overHighWaterMark = false;
  queues = false;
  readonly sendKeepsBytes = true;
  readonly pauseStopsReading = true;
  send(data: Uint8Array): void {
    this.sent.push(data);
    if (this.queues) this.bufferedAmount += data.length;
  }
  corked(sends: () => void): void {
    sends();
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
  terminate(): void {}
}

const owner = { observe: () => {}, browserTakesBlocked: false };

/** A chunk as read from the broker: three deliveries of 300 B, whole frames back to back, in memory of its own. */
function brokerChunk(): Buffer {
  const writer = new FrameWriter();
  for (let tag = 1; tag <= 3; tag++) {
    writer.message(
      1,
      makeMethod('basic.deliver', { consumerTag: 'c', deliveryTag: tag, exchange: '', routingKey: 'q' }),
      {},
      new Uint8Array(300).fill(tag),
      131072,
    );
  }
  // Memory of its own, as a read buffer is (a small Buffer.from would lie in Node's shared pool, as copies do).
  const bytes = writer.take();
  const chunk = Buffer.alloc(bytes.length);
  chunk.set(bytes);
  return chunk;
}

/** Relays every frame of `chunk` to the browser, then ends the chunk as the link does; returns whether it is held. */
function relayChunk(socket: KeepingSocket, chunk: Buffer, shared: boolean): boolean {
  const output = new SessionOutput(socket, 1024 * 1024, owner);
  const frames: Frame[] = [];
  new FrameSplitter({ frameMax: 131072 }).push(chunk, (frame) => frames.push(frame));
  for (const frame of frames) output.relayToBrowser(frame);
  return output.flushBrokerChunk(undefined, shared);
}

const sentBytes = (socket: KeepingSocket) => Buffer.concat(socket.sent);

test('frames from memory shared by every broker socket leave as a copy: the next read may overwrite it', () => {
  const socket = new KeepingSocket();
  socket.queues = true;
  const chunk = brokerChunk();
  const expected = Buffer.from(chunk);
  assert.equal(relayChunk(socket, chunk, true), false, 'nothing refers to the chunk');
  chunk.fill(0);
  assert.deepEqual(sentBytes(socket), expected);
});

test("frames from the link's own read buffer leave as they lie; queued, they hold it", () => {
  const socket = new KeepingSocket();
  const chunk = brokerChunk();
  assert.equal(relayChunk(socket, chunk, false), false, 'written at once: nothing holds the chunk');
  assert.equal(socket.sent.length, 1);
  assert.equal(socket.sent[0]!.buffer, chunk.buffer, 'not a copy');

  const queued = new KeepingSocket();
  queued.queues = true;
  assert.equal(relayChunk(queued, brokerChunk(), false), true, 'the WebSocket still refers to the chunk');
});

test('once the WebSocket queues, frames leave as a copy, so a queue holds what it needs and no read buffer', () => {
  const socket = new KeepingSocket();
  socket.bufferedAmount = 100;
  socket.queues = true;
  const chunk = brokerChunk();
  const expected = Buffer.from(chunk);
  assert.equal(relayChunk(socket, chunk, false), false);
  assert.notEqual(socket.sent[0]!.buffer, chunk.buffer);
  chunk.fill(0);
  assert.deepEqual(sentBytes(socket), expected);
});

/** A broker link that counts how often it was paused and resumed. */
function countingLink(): BrokerLink & { pauses: number; resumes: number } {
  const link = {
    pauses: 0,
    resumes: 0,
    pause: () => link.pauses++,
    resume: () => link.resumes++,
  };
  return link as unknown as BrokerLink & typeof link;
}

test('the broker link stops only when the WebSocket will report its drain, and reads again on it', () => {
  const socket = new KeepingSocket();
  const output = new SessionOutput(socket, 1024 * 1024, owner);
  const link = countingLink();
  // ws counts its frame headers in bufferedAmount: a message that fit under the mark can leave it a few bytes
  // over, with no drain to come. Stopping then would stop the link for good.
  socket.bufferedAmount = 1024 * 1024 + 4;
  output.toBrowser(new Uint8Array(10));
  output.flush(link);
  assert.equal(link.pauses, 0);

  socket.overHighWaterMark = true;
  output.toBrowser(new Uint8Array(10));
  output.flush(link);
  assert.equal(link.pauses, 1);
  output.toBrowser(new Uint8Array(10));
  output.flush(link);
  assert.equal(link.pauses, 1, 'once');

  socket.overHighWaterMark = false;
  output.browserDrained(link);
  assert.equal(link.resumes, 1);
});
