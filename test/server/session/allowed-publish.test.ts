import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameSplitter, FrameWriter, type Frame } from '../../../shared/index.js';
import { allowedPublish, isAllowedAgain } from '../../../server/session/allowed-publish.js';
import type { Authorizer } from '../../../server/session/authorizer.js';
import { makeMethod } from '../policy/make-method.js';

/** A basic.publish frame as received, in a chunk of its own. */
function publish(exchange: string, routingKey: string): Frame {
  const bytes = new FrameWriter().method(1, makeMethod('basic.publish', { exchange, routingKey })).take();
  let frame: Frame | undefined;
  new FrameSplitter({ frameMax: 131072 }).push(bytes, (f) => (frame = f));
  return frame!;
}

const token = { authorize: () => undefined } as unknown as Authorizer;
const refreshed = { authorize: () => undefined } as unknown as Authorizer;

test('the same publish, judged against the same token and last queue, is allowed again', () => {
  const allowed = allowedPublish(publish('amq.topic', 'orders.eu'), token, '');
  assert.equal(isAllowedAgain(publish('amq.topic', 'orders.eu'), allowed, token, ''), true);
});

test('another destination, a refreshed token or another last queue is judged afresh', () => {
  const allowed = allowedPublish(publish('amq.topic', 'orders.eu'), token, '');
  assert.equal(isAllowedAgain(publish('amq.topic', 'orders.us'), allowed, token, ''), false);
  assert.equal(isAllowedAgain(publish('amq.topic', 'orders.eu'), allowed, refreshed, ''), false);
  assert.equal(isAllowedAgain(publish('amq.topic', 'orders.eu'), allowed, token, 'q2'), false);
  assert.equal(isAllowedAgain(publish('amq.topic', 'orders.eu'), undefined, token, ''), false);
});

test('what is remembered is a copy: the received chunk may be read into again', () => {
  const frame = publish('amq.topic', 'orders.eu');
  const allowed = allowedPublish(frame, token, '');
  frame.bytes.fill(0);
  assert.equal(isAllowedAgain(publish('amq.topic', 'orders.eu'), allowed, token, ''), true);
});

test('a publish longer than 128 bytes is not remembered', () => {
  assert.equal(allowedPublish(publish('x'.repeat(100), 'y'.repeat(100)), token, ''), undefined);
  assert.notEqual(allowedPublish(publish('x'.repeat(50), 'y'.repeat(50)), token, ''), undefined);
});
