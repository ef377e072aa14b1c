import type { Frame } from '../../shared/index.js';
import type { Authorizer } from './authorizer.js';
import { sameBytes } from './same-bytes.js';

/** The longest basic.publish payload remembered (two names of 255 bytes would be 523). */
const MAX_REMEMBERED_PUBLISH = 128;

/**
 * A basic.publish that passed every check: its payload's bytes (exchange,
 * routing key, flags) and what it was judged against. A publish with the same
 * bytes, judged against the same, gets the same verdict, so a page publishing
 * to one destination is decoded and authorized once per channel, not per message.
 */
export interface AllowedPublish {
  readonly payload: Uint8Array;
  readonly authorizer: Authorizer;
  readonly lastQueue: string;
}

/**
 * What to remember of a publish `frame` that passed, judged by `authorizer`
 * with `lastQueue` as what an empty queue name meant; undefined for one too
 * long to be worth comparing.
 */
export function allowedPublish(frame: Frame, authorizer: Authorizer, lastQueue: string): AllowedPublish | undefined {
  if (frame.size > MAX_REMEMBERED_PUBLISH) return undefined;
  // A copy: a view would keep the whole received chunk alive.
  const payload = new Uint8Array(frame.bytes.subarray(frame.payloadStart, frame.payloadStart + frame.size));
  return { payload, authorizer, lastQueue };
}

/** Whether `frame` is byte for byte the publish remembered in `allowed`, judged against the same. */
export function isAllowedAgain(
  frame: Frame,
  allowed: AllowedPublish | undefined,
  authorizer: Authorizer,
  lastQueue: string,
): boolean {
  if (allowed === undefined || allowed.authorizer !== authorizer || allowed.lastQueue !== lastQueue) return false;
  return sameBytes(frame.bytes, frame.payloadStart, frame.payloadStart + frame.size, allowed.payload);
}
