import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  FrameSplitter,
  FrameWriter,
  decodeHeaderFrame,
  type BasicProperties,
  type FieldTable,
  type Frame,
} from '../../../shared/index.js';
import { identityStamp, stampHeaderFrame, type IdentityRules } from '../../../server/session/identity.js';
import { properties, shortstr } from '../../shared/arbitraries.js';

const rules: IdentityRules = { headerName: 'x-warren-user', keepUserId: true };

/** The content header frame a page would send, as the gateway receives it. */
function received(channel: number, bodySize: number, props: BasicProperties, weight = 0): Frame {
  return receivedBytes(new FrameWriter().header(channel, bodySize, props).take(), weight);
}

function receivedBytes(bytes: Uint8Array, weight = 0): Frame {
  // Bytes 7…12 of the frame are the class and the weight; the codec always writes weight 0.
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(9, weight);
  const frames: Frame[] = [];
  new FrameSplitter({ frameMax: 131072 }).push(Buffer.from(bytes), (frame) => frames.push(frame));
  assert.equal(frames.length, 1);
  // The relay stamps only headers that decoded.
  decodeHeaderFrame(frames[0]!);
  return frames[0]!;
}

/**
 * The stamp by its definition, on decoded properties: the identity header
 * replaces the page's of that name in any letter case and goes last, a user-id
 * must be the subject and stays only if the rules keep it; then encoded again.
 */
function expected(channel: number, bodySize: number, props: BasicProperties, subject: string, r: IdentityRules) {
  const lower = r.headerName.toLowerCase();
  const headers: FieldTable = Object.fromEntries(
    Object.entries(props.headers ?? {}).filter(([key]) => key.toLowerCase() !== lower),
  );
  headers[r.headerName] = subject;
  const stamped: BasicProperties = { ...props, headers };
  if (!r.keepUserId) delete stamped.userId;
  return new FrameWriter().header(channel, bodySize, stamped).take();
}

function stamp(frame: Frame, subject: string, r = rules): Uint8Array {
  const out = stampHeaderFrame(frame, identityStamp(subject, r));
  assert.ok(out instanceof Uint8Array, `refused: ${JSON.stringify(out)}`);
  return new Uint8Array(out);
}

test('the stamped header is byte for byte the stamped properties encoded again', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 65535 }),
      fc.maxSafeNat(),
      properties,
      shortstr,
      fc.constantFrom('x-warren-user', 'x-user', 'X-User'),
      fc.boolean(),
      (channel, bodySize, props, subject, headerName, keepUserId) => {
        const r = { headerName, keepUserId };
        // A user-id naming anyone else is refused (below); here it names the subject when set.
        const page = props.userId === undefined ? props : { ...props, userId: subject };
        assert.deepEqual(
          stamp(received(channel, bodySize, page), subject, r),
          expected(channel, bodySize, page, subject, r),
        );
      },
    ),
    { numRuns: 500 },
  );
});

test('the page’s identity header goes, in any letter case, and the others stay in their order', () => {
  const page = { headers: { a: 1, 'X-Warren-User': 'mallory', b: 'two', 'x-warren-user': 'eve', c: true } };
  const out = decodeHeaderFrame(receivedBytes(stamp(received(1, 0, page), 'alice')));
  assert.deepEqual(Object.entries(out.properties.headers!), [
    ['a', 1],
    ['b', 'two'],
    ['c', true],
    ['x-warren-user', 'alice'],
  ]);
});

test('a page’s weight is zeroed, with headers or without', () => {
  for (const props of [
    { contentType: 'text/plain', deliveryMode: 2 },
    { headers: { k: 'v' }, userId: 'alice' },
  ]) {
    assert.deepEqual(stamp(received(3, 5, props, 7), 'alice'), expected(3, 5, props, 'alice', rules));
  }
});

test('a user-id naming anyone else is refused with 406, one naming the subject is kept or dropped by the rules', () => {
  assert.deepEqual(stampHeaderFrame(received(1, 0, { userId: 'mallory' }), identityStamp('alice', rules)), {
    replyCode: 406,
    replyText: "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'alice'",
  });
  // Same text by another spelling of its bytes is not the same user.
  assert.ok(
    !(stampHeaderFrame(received(1, 0, { userId: 'Alice' }), identityStamp('alice', rules)) instanceof Uint8Array),
  );
  const kept = decodeHeaderFrame(receivedBytes(stamp(received(1, 0, { userId: 'alice' }), 'alice')));
  assert.equal(kept.properties.userId, 'alice');
  const dropped = received(1, 0, { userId: 'alice', appId: 'app' });
  const out = decodeHeaderFrame(receivedBytes(stamp(dropped, 'alice', { ...rules, keepUserId: false })));
  assert.deepEqual(out.properties, { headers: { 'x-warren-user': 'alice' }, appId: 'app' });
});

test('header values and properties that are not UTF-8 go on as the bytes the page sent', () => {
  // Written with placeholders, which are then overwritten with bytes that are not UTF-8.
  const bytes = new FrameWriter()
    .header(1, 0, { headers: { bin: 'PPPP', 'x-warren-user': 'QQQQ' }, messageId: 'RRRR' })
    .take();
  const notUtf8 = [0xff, 0xfe, 0x41, 0x80];
  for (const placeholder of ['PPPP', 'QQQQ', 'RRRR']) {
    const at = Buffer.from(bytes).indexOf(placeholder);
    bytes.set(notUtf8, at);
  }
  const out = Buffer.from(stamp(receivedBytes(bytes), 'alice'));
  // bin: longstr type 'S', size 4, the bytes as sent; message-id: shortstr of 4, the same bytes.
  assert.ok(out.includes(Buffer.from([0x03, ...Buffer.from('binS'), 0, 0, 0, 4, ...notUtf8])));
  assert.ok(out.includes(Buffer.from([4, ...notUtf8])));
  // The page's identity header is gone even though its value was no string.
  assert.deepEqual(Object.keys(decodeHeaderFrame(receivedBytes(out)).properties.headers!), ['bin', 'x-warren-user']);
});
