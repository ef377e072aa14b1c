import { decodeUtf8, methodInfoByName, type Method } from '../../shared/index.js';
import { checkReservedName, requiredAccess, type Access, type AccessContext } from './access-control.js';
import type { Permissions } from './permissions.js';

/** Why a method is refused: the `channel.close` the gateway answers with instead of relaying it. */
export interface Denial {
  readonly replyCode: 403;
  /** RabbitMQ-style reply text, at most 255 bytes (a shortstr). */
  readonly reason: string;
  readonly classId: number;
  readonly methodId: number;
  /** The access that was missing; absent for reserved-name refusals. */
  readonly access?: Access;
}

/** Why a `connection.open` is refused: 530 NOT_ALLOWED, which closes the connection. */
export interface VhostDenial {
  readonly replyCode: 530;
  readonly reason: string;
  readonly classId: number;
  readonly methodId: number;
}

const SHORTSTR_MAX = 255;

/**
 * Decides whether `user`'s token allows `method` on `vhost`. Undefined when it
 * does; otherwise the 403 ACCESS_REFUSED to close the channel with, worded like
 * RabbitMQ's: `ACCESS_REFUSED - write access to exchange 'x' in vhost '/' refused for user 'alice'`.
 */
export function authorize(
  method: Method,
  vhost: string,
  permissions: Permissions,
  user: string,
  context: AccessContext = {},
): Denial | undefined {
  const { classId, methodId } = methodInfoByName(method.name);
  const reserved = checkReservedName(method, vhost);
  if (reserved !== undefined) {
    return { replyCode: 403, reason: replyText(`ACCESS_REFUSED - ${reserved}`), classId, methodId };
  }
  for (const access of requiredAccess(method, context)) {
    const unreadable = unreadableName(access);
    if (unreadable !== undefined) {
      const reason = `ACCESS_REFUSED - ${unreadable} in vhost '${vhost}' is not valid UTF-8, so no grant can be checked against it`;
      return { replyCode: 403, reason: replyText(reason), classId, methodId, access };
    }
    if (permissions.can(access.kind, vhost, access.name, access.routingKey)) continue;
    // Allowed on the resource but not for this key: name the topic, as RabbitMQ does.
    const topic =
      access.routingKey !== undefined && permissions.can(access.kind, vhost, access.name)
        ? `topic '${access.routingKey}' in `
        : '';
    const reason = `ACCESS_REFUSED - ${access.kind} access to ${topic}${access.resource} '${access.name}' in vhost '${vhost}' refused for user '${user}'`;
    return { replyCode: 403, reason: replyText(reason), classId, methodId, access };
  }
  return undefined;
}

/**
 * Bytes that are not UTF-8 decode to U+FFFD (the codec reads on rather than
 * fail), while the broker names the resource by the bytes themselves: a grant
 * such a name matches says nothing about the resource the broker would use. So
 * a name or routing key holding U+FFFD is refused, one that holds the
 * character itself (valid UTF-8, and rare in a name) with it. What is refused, if anything.
 */
function unreadableName(access: Access): string | undefined {
  if (access.name.includes(REPLACEMENT)) return `${access.resource} name '${access.name}'`;
  if (access.routingKey?.includes(REPLACEMENT)) return `routing key '${access.routingKey}'`;
  return undefined;
}

const REPLACEMENT = '\uFFFD';

/**
 * Decides whether the token lets `user` open `vhost` (some grant names it).
 * Undefined when it does; otherwise the 530 NOT_ALLOWED for `connection.close`.
 */
export function authorizeVhost(vhost: string, permissions: Permissions, user: string): VhostDenial | undefined {
  // A vhost name that was not UTF-8 is refused like any other name (see unreadableName).
  if (!vhost.includes(REPLACEMENT) && permissions.allowsVhost(vhost)) return undefined;
  const { classId, methodId } = methodInfoByName('connection.open');
  return {
    replyCode: 530,
    reason: replyText(`NOT_ALLOWED - access to vhost '${vhost}' refused for user '${user}'`),
    classId,
    methodId,
  };
}

/** Cuts `text` to a shortstr's 255 bytes without splitting a UTF-8 sequence. */
export function replyText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= SHORTSTR_MAX) return text;
  let end = SHORTSTR_MAX;
  // Back up over continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return decodeUtf8(bytes, 0, end);
}
