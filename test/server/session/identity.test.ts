import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FrameSplitter, FrameWriter, type BasicProperties, type Frame } from '../../../shared/index.js';
import {
  encodeHeaderFrame,
  encodeIdentityTable,
  spliceIdentity,
  stampIdentity,
  type IdentityRules,
} from '../../../server/session/identity.js';
import { properties, shortstr } from '../../shared/arbitraries.js';

const rules: IdentityRules = { headerName: 'x-warren-user', keepUserId: true };

/** The content header frame a page would send, as the gateway receives it. */
function received(channel: number, bodySize: number, props: BasicProperties, weight = 0): Frame {
  const bytes = new FrameWriter().header(channel, bodySize, props).take();
  // Bytes 7…12 of the frame are the class and the weight; the codec always writes weight 0.
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(9, weight);
  const frames: Frame[] = [];
  new FrameSplitter({ frameMax: 131072 }).push(Buffer.from(bytes), (frame) => frames.push(frame));
  assert.equal(frames.length, 1);
  return frames[0]!;
}

/** What the gateway sends without the splice: the properties stamped and encoded again. */
function reencoded(channel: number, bodySize: number, props: BasicProperties, subject: string, r = rules): Uint8Array {
  const stamped = { ...props };
  assert.equal(stampIdentity(stamped, subject, r), undefined);
  return encodeHeaderFrame(channel, bodySize, stamped);
}

const withoutHeadersOrUserId = properties.map(({ headers: _h, userId: _u, ...rest }) => rest as BasicProperties);

test('the spliced header is byte for byte the re-encoded one', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 65535 }),
      fc.maxSafeNat(),
      withoutHeadersOrUserId,
      shortstr,
      fc.constantFrom('x-warren-user', 'x-user'),
      (channel, bodySize, props, subject, headerName) => {
        const r = { headerName, keepUserId: false };
        const spliced = spliceIdentity(received(channel, bodySize, props), encodeIdentityTable(subject, r));
        assert.ok(spliced !== undefined);
        assert.deepEqual(new Uint8Array(spliced), reencoded(channel, bodySize, props, subject, r));
      },
    ),
    { numRuns: 500 },
  );
});

test('a page’s weight is zeroed, as re-encoding does', () => {
  const props = { contentType: 'text/plain', deliveryMode: 2 };
  const spliced = spliceIdentity(received(3, 5, props, 7), encodeIdentityTable('alice', rules));
  assert.deepEqual(new Uint8Array(spliced!), reencoded(3, 5, props, 'alice'));
});

test('a header with a headers table or a user-id is left to the full stamp', () => {
  const table = encodeIdentityTable('alice', rules);
  assert.equal(spliceIdentity(received(1, 0, { headers: {} }), table), undefined);
  assert.equal(spliceIdentity(received(1, 0, { headers: { 'x-warren-user': 'mallory' } }), table), undefined);
  assert.equal(spliceIdentity(received(1, 0, { userId: 'alice', appId: 'a' }), table), undefined);
  assert.ok(spliceIdentity(received(1, 0, { appId: 'a', clusterId: 'c' }), table) !== undefined);
});

test('the identity table holds the header alone', () => {
  const frame = received(1, 0, {});
  const spliced = spliceIdentity(frame, encodeIdentityTable('zoë', { headerName: 'x-user', keepUserId: true }))!;
  const frames: Frame[] = [];
  new FrameSplitter({ frameMax: 131072 }).push(Buffer.from(spliced), (f) => frames.push(f));
  const writer = new FrameWriter().header(1, 0, { headers: { 'x-user': 'zoë' } });
  assert.deepEqual(new Uint8Array(frames[0]!.raw), writer.take());
});
