// Shared by the commands: the config file named by --config, or the embedded default.
import { DEFAULT_CONFIG_PATH, loadConfigFile, type LoadResult } from '../pipeline/load_config.js';
import type { ErrorCode } from '../pipeline/errors.js';
import type { FactoryRegistry } from '../pipeline/registry.js';

export function loadConfig(file: string | undefined, registry: FactoryRegistry): LoadResult {
  return loadConfigFile(file ?? DEFAULT_CONFIG_PATH, registry, process.env);
}

export function printConfigErrors(file: string | undefined, failure: { code: ErrorCode; errors: readonly string[] }): void {
  const { code, errors } = failure;
  process.stderr.write(`${code}: ${file ?? 'the embedded default configuration'} has ${errors.length} error(s):\n`);
  for (const error of errors) process.stderr.write(`  ${error}\n`);
}
