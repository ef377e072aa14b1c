import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A server under test, in its own process so it has a core of its own and its RSS can be read. */
export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** CPU time the process has used so far (user + system), in milliseconds, from /proc. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/** Clock ticks per second of /proc/<pid>/stat's times: USER_HZ, 100 on Linux. */
const USER_HZ = 100;

/** A process's parent and the CPU time it has used so far (user + system, in ms), from /proc. */
function readStat(pid: number): { parent: number; cpuMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start at its closing parenthesis;
  // ppid is the 4th field of the whole line, utime and stime the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ };
}

/** CPU time a process has used so far (user + system), in milliseconds, from /proc. */
export function cpuMsOf(pid: number): number {
  return readStat(pid).cpuMs;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.text();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** The Node flags of `npm start` (package.json), given to every server under test alike. */
const GATEWAY_NODE_FLAGS = ['--initial-old-space-size=48'];

function start(script: string, args: string[], port: number, probe: string): Promise<ServerProcess> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const exitWithParent = new URL('./exit-with-parent.js', import.meta.url).href;
  // WARREN_BENCH_CPU_PROF=DIR writes a CPU profile of each server under test into DIR when it stops.
  const profileDir = process.env['WARREN_BENCH_CPU_PROF'];
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  // The servers run with the flags `npm start` gives the gateway (see "Memory and garbage collection" in README.md).
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=512', ...GATEWAY_NODE_FLAGS, ...profile, '--import', exitWithParent, path, ...args],
    // The IPC channel is how the server learns that the benchmark has gone (exit-with-parent.ts).
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const pid = child.pid!;
  return waitForHttp(probe, child, 10_000).then(() => ({
    port,
    pid,
    rss: () => rssOf(pid),
    cpuMs: () => cpuMsOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  }));
}

export interface GatewayProcessOptions {
  readonly transport: 'ws' | 'uws';
  readonly broker: string;
  readonly secret: string;
  readonly extra?: readonly string[];
}

/** Warren's gateway from the build, with limits raised so the session counts fit. */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<ServerProcess> {
  const port = await freePort();
  const args = [
    ...['--host', '127.0.0.1', '--port', String(port), '--transport', options.transport],
    ...['--broker', options.broker, '--jwt-secret', options.secret, '--allowed-origins', '*'],
    ...['--log-level', 'error', '--max-sessions', '20000', '--max-sessions-per-user', '20000'],
    ...['--max-sessions-per-ip', '20000', '--max-handshakes', '20000'],
    ...(options.extra ?? []),
  ];
  return start('../server/main.js', args, port, `http://127.0.0.1:${port}/healthz`);
}

/** The bare WebSocket→TCP pipe: no auth, no parsing. */
export async function startBarePipeProcess(brokerPort: number): Promise<ServerProcess> {
  const port = await freePort();
  // The pipe answers plain HTTP with 426, which is enough to know it listens.
  return start('./bare-pipe-main.js', [String(port), String(brokerPort)], port, `http://127.0.0.1:${port}/`);
}

/** CPU time (user + system) of process `root` and every live descendant of it, in ms (Chromium and its helpers). */
export function cpuMsOfTree(root: number): number {
  const stats = new Map<number, { parent: number; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      stats.set(pid, readStat(pid));
    } catch {
      // gone since the directory was read
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = stats.get(p)?.parent)
      if (p === root) return true;
    return false;
  };
  let ms = 0;
  for (const [pid, { cpuMs }] of stats) if (inTree(pid)) ms += cpuMs;
  return ms;
}
