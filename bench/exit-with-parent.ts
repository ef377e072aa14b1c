/**
 * Preloaded (`--import`) into every server the benchmark starts: when the
 * benchmark's process goes away, however it ends (Ctrl-C, a kill, a crash),
 * its IPC channel closes and the server stops too, so no orphaned gateway
 * keeps a port, a broker connection and a core busy.
 */
if (process.channel !== undefined) {
  // The channel only watches the parent; it must not keep the server alive.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
