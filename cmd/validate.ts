// `logsift validate --config FILE`: exit 0 when valid, else 1 with every error and its path.
import { builtinRegistry } from './components.js';
import { loadConfig, printConfigErrors } from './load_config.js';

export function validateCommand(options: { config?: string }): number {
  const loaded = loadConfig(options.config, builtinRegistry());
  if (loaded.kind !== 'loaded') {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  const pipelines = loaded.config.pipelines.map((p) => p.id).join(', ');
  process.stdout.write(`${options.config ?? 'embedded default configuration'} is valid (pipelines: ${pipelines})\n`);
  return 0;
}
