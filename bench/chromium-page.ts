/**
 * The bench's page in Chromium (served by chromium-clients.ts): the same
 * workloads and client sessions as in Node, over the browser's own WebSocket,
 * with each client loaded as pages load it. It takes its jobs from the server
 * that served it, one at a time, and posts back each one's result.
 */
import type * as AmqpClientModule from '@cloudamqp/amqp-client';
import { amqpClientSession, warrenSession, type ClientName, type WarrenModule } from './client-sessions.js';
import { roundTrip, throughput, type OpenSession } from './workloads.js';

/** Where a session goes, its password already fetched (only plain data crosses into the page). */
export interface PageEndpoint {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A client and the URL of its module, as the page's server serves it. */
export interface PageClient {
  readonly name: ClientName;
  readonly moduleUrl: string;
}

// A string typed as such: the compiler would otherwise look for a module by that name.
const load = (url: string): Promise<unknown> => import(url);

async function opener(client: PageClient, endpoint: PageEndpoint): Promise<OpenSession> {
  const { url, username, password, headers } = endpoint;
  if (client.name === 'warren client') {
    const warren = (await load(client.moduleUrl)) as WarrenModule;
    return () => warrenSession(warren, { url, token: password, username }, headers);
  }
  const { AMQPWebSocketClient } = (await load(client.moduleUrl)) as typeof AmqpClientModule;
  return () => amqpClientSession(new AMQPWebSocketClient(url, '/', username, password), headers);
}

const pageBench = {
  throughput: async (client: PageClient, endpoint: PageEndpoint, count: number, size: number, window: number) =>
    throughput(await opener(client, endpoint), count, size, window),
  roundTrip: async (client: PageClient, endpoint: PageEndpoint, count: number) =>
    roundTrip(await opener(client, endpoint), count),
};

/** The workloads the page runs. */
export type PageBench = typeof pageBench;

/** A workload for the page to run: `pageBench[name](...args)`. */
export interface Job {
  readonly id: number;
  readonly name: keyof PageBench;
  readonly args: Parameters<PageBench[keyof PageBench]>;
}

/** What the page posts back for a job. */
export type JobResult =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

async function run(job: Job): Promise<JobResult> {
  try {
    const value = await (pageBench[job.name] as (...args: Job['args']) => Promise<unknown>)(...job.args);
    return { id: job.id, ok: true, value };
  } catch (err) {
    // Some clients reject with events rather than Errors: take whatever message they carry.
    return { id: job.id, ok: false, error: String((err as { message?: unknown } | undefined)?.message ?? err) };
  }
}

for (;;) {
  const job = (await (await fetch('/job')).json()) as Job;
  await fetch('/result', { method: 'POST', body: JSON.stringify(await run(job)) });
}
