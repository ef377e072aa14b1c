/**
 * The bench's clients in headless Chromium (Debian's), where pages run them. A
 * local server serves the page, chromium-page.js with the modules it imports,
 * and both clients' browser builds; the page takes each workload from the server
 * and posts back its result.
 *
 * Chromium runs on its own, not driven by playwright-core as the tests drive it:
 * a DevTools client has the network domain on, and Chromium then copies every
 * WebSocket frame, base64-encoded, into an event for it, which costs the page's
 * processes per frame and per byte what no visitor's browser pays.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job, JobResult, PageBench, PageClient, PageEndpoint } from './chromium-page.js';
import type { ClientName, ClientRunner, Endpoint } from './clients.js';
import { cpuMsOfTree } from './processes.js';

export const CHROMIUM = '/usr/bin/chromium';
const SETPRIV = '/usr/bin/setpriv';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** How long Chromium may take to load the page. */
const START_MS = 30_000;

/** The two clients' browser builds, by the path the page loads them from. */
const CLIENT_FILES: Readonly<Record<string, URL>> = {
  '/clients/warren.mjs': new URL('../browser/warren.mjs', import.meta.url),
  '/clients/amqp-websocket-client.mjs': new URL(
    '../../node_modules/@cloudamqp/amqp-client/dist/amqp-websocket-client.mjs',
    import.meta.url,
  ),
};
const MODULE_URL: Record<ClientName, string> = {
  'warren client': '/clients/warren.mjs',
  'amqp-client.js': '/clients/amqp-websocket-client.mjs',
};
const PAGE =
  '<!doctype html><meta charset="utf-8"><title>warren bench</title>' +
  '<script type="module" src="/bench/chromium-page.js"></script>';
/**
 * Makes the page cross-origin isolated, without which Chromium rounds
 * `performance.now()` to 0.1 ms (too coarse for round trips); 5 µs with it.
 */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Its `cpuMs` is of Chromium's processes: the page's renderer, the network service that runs its sockets, and the rest. */
export interface ChromiumClients extends ClientRunner {
  /** Chromium's main process. */
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts Chromium with the bench's page open; undefined when Chromium is not installed. */
export async function startChromiumClients(): Promise<ChromiumClients | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const jobs = new JobQueue();
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED }).end(PAGE);
    if (path === '/job') return jobs.take(res);
    if (path === '/result') return jobs.settle(req, res);
    const module = /^\/bench\/([\w-]+\.js)$/.exec(path);
    const file = module === null ? CLIENT_FILES[path] : new URL(module[1]!, import.meta.url);
    if (file === undefined) return res.writeHead(404).end();
    readFile(fileURLToPath(file)).then(
      (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const profile = await mkdtemp(join(tmpdir(), 'warren-bench-chromium-'));
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
  const chromiumArgs = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url];
  // Through setpriv (util-linux), the kernel kills Chromium when this process dies, however it dies: a
  // signal (Ctrl-C, a test runner's timeout) ends it without 'exit' handlers.
  const child = existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', CHROMIUM, ...chromiumArgs], { stdio: 'ignore' })
    : spawn(CHROMIUM, chromiumArgs, { stdio: 'ignore' });
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  const close = async () => {
    process.off('exit', killChild);
    jobs.failAll(new Error('Chromium was closed'));
    // Without a pid it never started (the 'error' event said why).
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    http.closeAllConnections();
    http.close();
    await rm(profile, { recursive: true, force: true });
  };
  child.once('exit', (code, signal) => jobs.failAll(new Error(`Chromium exited (${signal ?? code})`)));
  child.once('error', (err) => jobs.failAll(err));
  try {
    await jobs.pageReady(START_MS);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    throughput: async (client, endpoint, count, size, window) =>
      jobs.run('throughput', [pageClient(client), await pageEndpoint(endpoint), count, size, window]),
    roundTrip: async (client, endpoint, count) =>
      jobs.run('roundTrip', [pageClient(client), await pageEndpoint(endpoint), count]),
    pid: child.pid!,
    cpuMs: () => cpuMsOfTree(child.pid!),
    close,
  };
}

const pageClient = (name: ClientName): PageClient => ({ name, moduleUrl: MODULE_URL[name] });

async function pageEndpoint({ url, username, password, headers }: Endpoint): Promise<PageEndpoint> {
  return { url, username, password: await password(), ...(headers && { headers }) };
}

/** Workloads waiting for the page, the page's request for the next one, and those it runs. */
class JobQueue {
  private nextId = 1;
  private readonly queued: Job[] = [];
  private readonly running = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** The page's request for a job, while none is queued. */
  private waiting: ServerResponse | undefined;
  /** Settles {@link pageReady}: with no error once the page asks for a job, else with why it never will. */
  private ready: ((error?: Error) => void) | undefined;
  private failed: Error | undefined;

  /** Resolves once the page has asked for its first job; rejects if Chromium goes first, or the time runs out. */
  pageReady(timeoutMs: number): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.waiting !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.ready?.(new Error(`Chromium did not load the bench page in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.ready = (error) => {
        clearTimeout(timer);
        this.ready = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
  }

  run<K extends keyof PageBench>(name: K, args: Parameters<PageBench[K]>): Promise<Awaited<ReturnType<PageBench[K]>>> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const job: Job = { id: this.nextId++, name, args };
    return new Promise((resolve, reject) => {
      this.running.set(job.id, { resolve: resolve as (value: unknown) => void, reject });
      this.queued.push(job);
      this.dispatch();
    });
  }

  /** GET /job: the page asks for its next job, answered when there is one. */
  take(res: ServerResponse): void {
    this.waiting = res;
    this.ready?.();
    this.dispatch();
  }

  /** POST /result: a job's outcome. */
  settle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(204).end();
      let result: JobResult;
      try {
        result = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JobResult;
      } catch (err) {
        return this.failAll(new Error(`the bench page posted a result that is not JSON (${(err as Error).message})`));
      }
      const pending = this.running.get(result.id);
      this.running.delete(result.id);
      if (result.ok) pending?.resolve(result.value);
      else pending?.reject(new Error(result.error));
    });
  }

  /** Chromium is gone: every job fails, now and from now on. */
  failAll(error: Error): void {
    this.failed ??= error;
    this.ready?.(error);
    this.queued.length = 0;
    for (const pending of this.running.values()) pending.reject(error);
    this.running.clear();
  }

  private dispatch(): void {
    const res = this.waiting;
    if (res === undefined || this.queued.length === 0) return;
    this.waiting = undefined;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.queued.shift()));
  }
}
