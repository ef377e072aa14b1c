import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `rabbitmqctl` with `args`; resolves with its standard output. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** The client-given names of the broker's open connections. */
export async function brokerConnectionNames(): Promise<string[]> {
  const out = await rabbitmqctl('list_connections', '-q', '--no-table-headers', 'client_properties');
  // One line per connection; the name sits in a {"connection_name","…"} tuple.
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => /\{"connection_name","([^"]*)"\}/.exec(line)?.[1] ?? '');
}

/** The broker's process ids (for `rabbitmqctl close_connection`) of the connections the gateway opened for `subject`. */
export async function gatewayConnectionPids(subject: string): Promise<string[]> {
  const out = await rabbitmqctl('list_connections', '-q', '--no-table-headers', 'pid', 'client_properties');
  return out
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, props]) => /\{"connection_name","warren [^ ]+ ([^ "]+)/.exec(props ?? '')?.[1] === subject)
    .map(([pid]) => pid!);
}

/** How many broker connections the gateway opened for `subject` (it names them `warren <id> <sub>`). */
export async function countGatewayConnections(subject: string): Promise<number> {
  const names = await brokerConnectionNames();
  return names.filter((n) => n.startsWith('warren ') && n.split(' ')[2] === subject).length;
}

/** Polls `probe` until it returns true or `timeoutMs` passes; resolves with its last answer. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000, everyMs = 250): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** True when something accepts TCP connections on `port` at 127.0.0.1. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let brokerAppStopped = false;

/** Stops RabbitMQ's application (the node stays up); pair with {@link ensureBrokerStarted} in `after`. */
export async function stopBrokerApp(): Promise<void> {
  brokerAppStopped = true;
  await rabbitmqctl('stop_app');
}

/** Starts RabbitMQ's application again after `stop_app` and waits until it takes connections. */
export async function startBrokerApp(): Promise<void> {
  await rabbitmqctl('start_app');
  await rabbitmqctl('await_startup');
  await eventually(() => portAnswers(5672), 30_000);
  brokerAppStopped = false;
}

/** Other test files share the broker: whatever happened, it must be running again. */
export async function ensureBrokerStarted(): Promise<void> {
  if (brokerAppStopped) await startBrokerApp();
}
