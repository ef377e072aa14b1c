#!/usr/bin/env -S node --initial-old-space-size=48
// The heap flag: see "Memory and garbage collection" in README.md.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../server/config/index.js';
import { BrokerUnreachableError } from './chat-topology.js';
import { startDemo } from './demo.js';

const HELP = `npm run demo -- [flags]   runs the gateway and the Warren chat demo

  --port N          where to listen (env WARREN_DEMO_PORT)              default 15680
  --host ADDR       address to bind (env WARREN_DEMO_HOST)              default 127.0.0.1
  --token-ttl DUR   lifetime of each minted token (env WARREN_DEMO_TOKEN_TTL) default 5m
  --broker URL      RabbitMQ, with the demo's own account (env WARREN_DEMO_BROKER)
                    default amqp://guest:guest@127.0.0.1:5672
  --namespace NAME  prefix of the chat's exchange and queues (env WARREN_DEMO_NAMESPACE)
                    default warren.chat
`;

/** `npm run demo`: starts the chat demo and runs until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'token-ttl': { type: 'string' },
      broker: { type: 'string' },
      namespace: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const port = values.port ?? env['WARREN_DEMO_PORT'];
  const ttl = values['token-ttl'] ?? env['WARREN_DEMO_TOKEN_TTL'];
  const broker = values.broker ?? env['WARREN_DEMO_BROKER'];
  const host = values.host ?? env['WARREN_DEMO_HOST'];
  const namespace = values.namespace ?? env['WARREN_DEMO_NAMESPACE'];
  let demo;
  try {
    demo = await startDemo({
      ...(port === undefined ? {} : { port: Number(port) }),
      ...(ttl === undefined ? {} : { tokenTtlMs: parseDuration(ttl, '--token-ttl') }),
      ...(broker === undefined ? {} : { broker }),
      ...(host === undefined ? {} : { host }),
      ...(namespace === undefined ? {} : { namespace }),
    });
  } catch (err) {
    if (err instanceof BrokerUnreachableError) {
      process.stderr.write(
        `warren demo: ${err.message}.\n` +
          'Start RabbitMQ first, then run npm run demo again:\n' +
          '  rabbitmq-server -detached        (Debian/Ubuntu package rabbitmq-server)\n' +
          '  or: bash scripts/ensure-broker.sh\n' +
          'or point the demo at another broker with --broker amqp://user:pass@host:5672\n',
      );
      process.exit(1);
    }
    throw err;
  }
  process.stdout.write(`\nWarren chat demo: open ${demo.url} (in two windows to chat with yourself)\n\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`warren demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
