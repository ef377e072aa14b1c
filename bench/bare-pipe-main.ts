/**
 * Runs the bare WebSocket→TCP pipe as its own process (the benchmark's
 * baseline): `node bare-pipe-main.js <port> <brokerPort>`.
 */
import { startBarePipe } from '../test/helpers/bare-pipe.js';

const [port, brokerPort] = process.argv.slice(2).map(Number);
const pipe = await startBarePipe({ port: port ?? 0, brokerPort: brokerPort ?? 5672 });
process.once('SIGTERM', () => {
  void pipe.close().then(() => process.exit(0));
});
