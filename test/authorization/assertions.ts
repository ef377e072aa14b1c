import assert from 'node:assert/strict';
import { ReplyCode, type MethodName } from '../../shared/index.js';
import type { BrowserSession, Outcome } from './browser-session.js';

/**
 * Asserts the gateway refused the operation with channel.close 403
 * ACCESS_REFUSED naming the refused method, answers close-ok and reopens the
 * same channel id.
 *
 * Reopening is also what makes the broker-side checks that follow sound: the
 * gateway holds the new channel.open until the broker has closed the old
 * channel, and the broker handles a channel's frames in order, so by open-ok
 * anything that had wrongly reached it on that channel has taken effect.
 */
export async function assertRefused<N extends MethodName>(
  session: BrowserSession,
  channel: number,
  outcome: Outcome<N>,
  classId: number,
  methodId: number,
): Promise<void> {
  assert.equal(outcome.ok, false, 'expected channel.close, got the reply');
  if (outcome.ok) return;
  assert.equal(outcome.close.args.replyCode, ReplyCode.AccessRefused);
  assert.equal(outcome.close.args.classId, classId);
  assert.equal(outcome.close.args.methodId, methodId);
  session.closeOk(channel);
  await session.openChannel(channel);
}

/** Asserts the operation went through: the broker's reply came back, not a channel.close. */
export function assertAllowed<N extends MethodName>(outcome: Outcome<N>): asserts outcome is Outcome<N> & { ok: true } {
  assert.ok(outcome.ok, outcome.ok ? '' : `refused: ${outcome.close.args.replyCode} ${outcome.close.args.replyText}`);
}
