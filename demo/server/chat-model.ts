/**
 * The chat's names, shared by the token scopes, the broker topology and the
 * page (which reads them from `/demo/config`): one source so they cannot drift.
 */

/** The rooms a user can join. */
export const ROOMS = ['general', 'random', 'help'] as const;

/** How many past messages a page replays on joining a room. */
export const HISTORY_SIZE = 100;

/**
 * Display names: 1–32 letters, digits, `_` or `-`. No dots or `*`, so a name
 * cannot widen the `<namespace>.user.<name>.*` grants to someone else's queues.
 */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Names of one chat's broker objects; tests give each run its own namespace. */
export interface ChatNames {
  /** Topic exchange every message, presence beat and typing notice goes through. */
  readonly exchange: string;
  /** The stream queue holding a room's history, bound to `room.<room>`. */
  historyStream(room: string): string;
  /** Prefix of the queues a user may declare for their own presence and typing feed. */
  userQueuePrefix(user: string): string;
}

/** The names under `namespace` (default `warren.chat`). */
export function chatNames(namespace = 'warren.chat'): ChatNames {
  return {
    exchange: namespace,
    historyStream: (room) => `${namespace}.history.${room}`,
    userQueuePrefix: (user) => `${namespace}.user.${user}.`,
  };
}
