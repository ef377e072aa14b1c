import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { HttpResponse, RequestInfo } from '../../server/transport/transport.js';
import { HISTORY_SIZE, ROOMS, type ChatNames } from './chat-model.js';
import type { ChatTopology } from './chat-topology.js';
import type { TokenMint } from './tokens.js';

/** From `dist/demo/server/` (compiled) back to the repository root. */
const ROOT = new URL('../../../', import.meta.url);

/** The files the page may load, by URL path. Nothing else on disk is reachable. */
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'demo/public/index.html', type: 'text/html; charset=utf-8' },
  '/style.css': { file: 'demo/public/style.css', type: 'text/css; charset=utf-8' },
  '/app.js': { file: 'demo/public/app.js', type: 'text/javascript; charset=utf-8' },
  '/chat.js': { file: 'demo/public/chat.js', type: 'text/javascript; charset=utf-8' },
  '/view.js': { file: 'demo/public/view.js', type: 'text/javascript; charset=utf-8' },
  '/warren.mjs': { file: 'dist/browser/warren.mjs', type: 'text/javascript; charset=utf-8' },
  '/favicon.svg': { file: 'demo/public/favicon.svg', type: 'image/svg+xml' },
};

const SECURITY_HEADERS = {
  // The page talks only to this origin (its WebSocket included); no inline script.
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export interface DemoRouteDeps {
  readonly names: ChatNames;
  readonly mint: TokenMint;
  readonly topology: ChatTopology;
  /** WebSocket path of the gateway. */
  readonly path: string;
}

/**
 * The demo's HTTP routes, mounted on the gateway's port through
 * `extraRoutes`: the page and its scripts, `/demo/config` (names and where
 * each room's history starts) and `/demo/token?name=` (a fresh JWT). These
 * exist only in the demo process; `npm start` has none of them.
 */
export function demoRoutes(deps: DemoRouteDeps): (req: RequestInfo) => Promise<HttpResponse | undefined> {
  return async (req) => {
    const url = new URL(req.url, 'http://demo.invalid');
    if (url.pathname === '/demo/token') return token(deps, url.searchParams.get('name') ?? '');
    if (url.pathname === '/demo/config') return json(200, config(deps));
    const entry = STATIC[url.pathname];
    if (entry === undefined) return undefined;
    try {
      const body = await readFile(fileURLToPath(new URL(entry.file, ROOT)), 'utf8');
      return {
        status: 200,
        headers: { 'content-type': entry.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS },
        body,
      };
    } catch {
      return {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: `${entry.file} is missing: run npm run build\n`,
      };
    }
  };
}

async function token(deps: DemoRouteDeps, name: string): Promise<HttpResponse> {
  const minted = await deps.mint.mint(name);
  if (minted === undefined) {
    return json(400, { error: 'invalid_name', reason: 'use 1–32 letters, digits, _ or -' });
  }
  return json(200, { token: minted.token, expiresAt: minted.expiresAt, user: name });
}

function config(deps: DemoRouteDeps): object {
  return {
    path: deps.path,
    exchange: deps.names.exchange,
    userQueuePrefix: deps.names.userQueuePrefix('{user}'),
    historySize: HISTORY_SIZE,
    rooms: ROOMS.map((room) => ({
      name: room,
      stream: deps.names.historyStream(room),
      historyFrom: deps.topology.historyStart(room, HISTORY_SIZE),
    })),
  };
}

function json(status: number, value: unknown): HttpResponse {
  return {
    status,
    // Tokens must not be cached by the browser or anything in between.
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS },
    body: JSON.stringify(value),
  };
}
