import { FrameWriter } from '../../shared/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { RawClient, startOkBytes } from '../helpers/raw-client.js';
import type { FuzzCase } from './fuzz-cases.js';

/** Frame size the fuzz sessions negotiate: small, so a stalled frame can be flushed cheaply. */
export const FUZZ_FRAME_MAX = 4096;
/** Channel the liveness probe uses; cases get 1…PROBE_CHANNEL-1. */
const PROBE_CHANNEL = 2047;
const STALL_MS = 300;
const ANSWER_MS = 10_000;

/** Codes a connection.close may carry in answer to bad input (541 means the gateway itself failed). */
export const ALLOWED_CLOSE_CODES: ReadonlySet<number> = new Set([
  402, 403, 404, 405, 406, 501, 502, 503, 504, 505, 506, 530, 540,
]);

export type CaseOutcome =
  | { readonly kind: 'survived' }
  | { readonly kind: 'closed'; readonly replyCode: number; readonly stalled: boolean }
  | { readonly kind: 'socket-closed'; readonly wsCode: number };

/**
 * A session that runs cases one after another on fresh channels until one
 * kills it, then opens the next. A probe (channel.open and close on its own
 * channel) after each case tells survival from death; when neither comes, the
 * gateway is mid-frame, and a frame_max of zero bytes forces the frame error.
 */
export class FuzzSessions {
  private client: RawClient | undefined;
  private nextChannel = 1;
  sessions = 0;

  constructor(
    private readonly gw: TestGateway,
    private readonly jwt: string,
  ) {}

  async run(c: FuzzCase): Promise<CaseOutcome> {
    // A case that survived may still draw a late connection error from the broker (its
    // channel runs apart from the probe's); a case with an expected code gets a fresh
    // session so such an error is never blamed on it.
    if (c.expect !== undefined && this.nextChannel > 1) this.retire();
    const client = await this.session();
    const channel = this.nextChannel++;
    client.send(c.build(channel));
    client.send(
      new FrameWriter()
        .method(PROBE_CHANNEL, { name: 'channel.open', args: {} })
        .method(PROBE_CHANNEL, {
          name: 'channel.close',
          args: { replyCode: 200, replyText: 'probe', classId: 0, methodId: 0 },
        })
        .take(),
    );
    let outcome = await this.answer(client, STALL_MS);
    let stalled = false;
    if (outcome === undefined) {
      stalled = true;
      client.send(new Uint8Array(FUZZ_FRAME_MAX + 8));
      outcome = await this.answer(client, ANSWER_MS);
      if (outcome === undefined) throw new Error(`the gateway answered nothing to a ${c.kind} case`);
    }
    if (outcome.kind !== 'survived' || this.nextChannel >= PROBE_CHANNEL) this.retire();
    return outcome.kind === 'closed' ? { ...outcome, stalled } : outcome;
  }

  /** Closes the current session, if any. */
  close(): void {
    this.retire();
  }

  private retire(): void {
    this.client?.terminate();
    this.client = undefined;
  }

  private async answer(client: RawClient, timeoutMs: number): Promise<CaseOutcome | undefined> {
    try {
      const e = await client.waitForFrame(
        (ev) =>
          (ev.frame.channel === 0 && ev.method?.name === 'connection.close') ||
          (ev.frame.channel === PROBE_CHANNEL && ev.method?.name === 'channel.closeOk'),
        'an answer',
        timeoutMs,
      );
      if (e.method?.name === 'connection.close') {
        client.closeOk();
        return { kind: 'closed', replyCode: e.method.args.replyCode, stalled: false };
      }
      return { kind: 'survived' };
    } catch {
      if (client.closeCode !== undefined) return { kind: 'socket-closed', wsCode: client.closeCode };
      return undefined;
    }
  }

  private async session(): Promise<RawClient> {
    if (this.client !== undefined) return this.client;
    const client = await RawClient.connect(this.gw.url);
    client.send(
      new FrameWriter()
        .raw(startOkBytes(this.jwt))
        .method(0, {
          name: 'connection.tuneOk',
          args: { channelMax: PROBE_CHANNEL, frameMax: FUZZ_FRAME_MAX, heartbeat: 0 },
        })
        .method(0, { name: 'connection.open', args: { virtualHost: '/' } })
        .take(),
    );
    await client.waitFor('connection.openOk');
    this.client = client;
    this.nextChannel = 1;
    this.sessions++;
    return client;
  }
}
