import type { Frame } from '../../shared/index.js';
import type { AllowedPublish } from './allowed-publish.js';

/** Where a channel is in its life, as the relay sees it. */
export const Phase = {
  Open: 0,
  /** We refused an operation: channel.close sent both ways, awaiting both close-oks. */
  Refused: 1,
  /** The broker closed the channel; its close was relayed, awaiting the browser's close-ok. */
  BrokerClosing: 2,
  /** The browser closed the channel; awaiting the broker's close-ok. */
  BrowserClosing: 3,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** What the relay keeps for one open channel. */
export interface ChannelState {
  phase: Phase;
  /** basic.publish waiting for its content header (held back until the header passes). */
  publish: Frame | undefined;
  /** Body bytes still expected for the message in flight; -1 when none is. */
  bodyRemaining: number;
  /**
   * Name of the last queue declared on this channel: what an empty queue name
   * means. Taken from the request when it is forwarded, since the broker takes
   * it then too (a later method may arrive before the declare-ok, and a no-wait
   * declare gets none); '' while a server-named queue's name is not known.
   */
  lastQueue: string;
  /** Numbers queue.declares as they are forwarded, so a declare-ok can tell whether it answers the latest. */
  declares: number;
  /** Numbers of the forwarded declares still waiting for their declare-ok, oldest first. */
  unansweredDeclares: number[];
  awaitingBrowserCloseOk: boolean;
  awaitingBrokerCloseOk: boolean;
  /** Browser frames for a reopened channel, held until the broker finished closing the old one. */
  held: Frame[] | undefined;
  /** The last basic.publish let through, to let the next one through as well if it is the same. */
  allowedPublish: AllowedPublish | undefined;
}

/** A channel just opened by the browser. */
export function newChannel(): ChannelState {
  return {
    phase: Phase.Open,
    publish: undefined,
    bodyRemaining: -1,
    lastQueue: '',
    declares: 0,
    unansweredDeclares: [],
    awaitingBrowserCloseOk: false,
    awaitingBrokerCloseOk: false,
    held: undefined,
    allowedPublish: undefined,
  };
}
