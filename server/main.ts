#!/usr/bin/env -S node --initial-old-space-size=48
// The heap flag: see "Memory and garbage collection" in README.md.
import { ConfigError, helpText, loadConfig, wantsHelp } from './config/index.js';
import { startGateway } from './gateway.js';

/** `npm start -- [flags]`: runs the gateway until SIGTERM or SIGINT, then drains and exits 0. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(helpText());
    return;
  }
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`warren: ${err.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    throw err;
  }
  const gateway = await startGateway(config);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    gateway.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`warren: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
