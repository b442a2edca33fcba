// `logsift run`: start the daemon and stop it cleanly on SIGINT/SIGTERM.
import type { ErrorCode } from '../pipeline/errors.js';
import { Daemon } from '../pipeline/daemon.js';
import { builtinRegistry } from './components.js';
import { loadConfig, printConfigErrors } from './load_config.js';

export async function runCommand(options: { config?: string }): Promise<number> {
  const registry = builtinRegistry();
  const loaded = loadConfig(options.config, registry);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  const daemon = new Daemon(loaded.config, registry);
  // Background paths must not take the daemon down; anything that escapes is logged, not fatal.
  process.on('unhandledRejection', (reason) => daemon.logger.error({ err: reason }, 'unhandled rejection'));
  // Listening before the start: a SIGTERM that comes while it starts (or right after "logsift is running")
  // stops the daemon cleanly once it has started, instead of killing it with the signal's default action.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  try {
    await daemon.start();
  } catch (error) {
    daemon.logger.fatal({ err: error, code: 'LOGSIFT_ERR_START' satisfies ErrorCode }, 'logsift could not start');
    return 1;
  }
  const signal = await signalled;
  daemon.logger.info({ signal }, 'shutting down: stopping receivers, draining pipelines, flushing exporters');
  const drained = await daemon.stop();
  daemon.logger.info({ drained }, 'logsift stopped');
  return 0;
}
