import { AuthError, AuthErrorCode } from './auth-errors.js';

/** The parts of an HTTP upgrade request a token can arrive in. */
export interface UpgradeRequestLike {
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The JWT presented at the WebSocket upgrade, looking in order at the cookie
 * `cookieName` (when configured), the `access_token` query parameter and an
 * `Authorization: Bearer` header. Undefined when none carries one: the token
 * may still come later as the SASL PLAIN password.
 */
export function extractUpgradeToken(req: UpgradeRequestLike, cookieName?: string): string | undefined {
  if (cookieName !== undefined && cookieName !== '') {
    const fromCookie = readCookie(headerValues(req.headers['cookie']), cookieName);
    if (fromCookie !== undefined) return fromCookie;
  }
  const fromQuery = readQueryToken(req.url);
  if (fromQuery !== undefined) return fromQuery;
  for (const value of headerValues(req.headers['authorization'])) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/**
 * Splits a SASL PLAIN response (RFC 4616: `[authzid] NUL authcid NUL passwd`).
 * The gateway ignores the user name and takes the password as the JWT, the
 * RabbitMQ OAuth2 convention.
 *
 * @throws {AuthError} `ERR_TOKEN_MALFORMED` when the response is not of that shape.
 */
export function parsePlainResponse(response: string): { username: string; password: string } {
  const parts = response.split('\0');
  if (parts.length !== 3) {
    throw new AuthError(AuthErrorCode.Malformed, 'SASL PLAIN response must be [authzid]\\0username\\0password');
  }
  const username = parts[1]!;
  const password = parts[2]!;
  if (password === '') throw new AuthError(AuthErrorCode.Malformed, 'SASL PLAIN response has an empty password');
  return { username, password };
}

function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function readCookie(headers: readonly string[], name: string): string | undefined {
  for (const header of headers) {
    for (const pair of header.split(';')) {
      const equals = pair.indexOf('=');
      if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
      let value = pair.slice(equals + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      const decoded = safeDecode(value);
      if (decoded !== undefined && decoded !== '') return decoded;
    }
  }
  return undefined;
}

function readQueryToken(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  const token = new URLSearchParams(url.slice(query + 1).split('#')[0]).get('access_token');
  return token === null || token === '' ? undefined : token;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
