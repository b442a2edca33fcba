// The logsift command line.
import { Command } from 'commander';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';
import { packageVersion } from './version.js';

const program = new Command('logsift')
  .description('An OpenTelemetry-Collector-shaped log daemon: OTLP in, patterns and sampling, PostHog out.')
  .version(packageVersion(), '-v, --version');

program
  .command('run')
  .description('run the daemon (the embedded default configuration without --config)')
  .option('-c, --config <file>', 'YAML configuration file')
  .action(async (options: { config?: string }) => {
    // Exit explicitly: past the shutdown deadline, sockets to a dead backend may still hold the event loop.
    process.exit(await runCommand(options));
  });

program
  .command('validate')
  .description('check a configuration file; exit 0 when valid, 1 with every error otherwise')
  .requiredOption('-c, --config <file>', 'YAML configuration file')
  .action((options: { config: string }) => {
    process.exitCode = validateCommand(options);
  });

program
  .command('version')
  .description('print the logsift version')
  .action(() => {
    process.stdout.write(`logsift ${packageVersion()} (node ${process.version})\n`);
  });

await program.parseAsync(process.argv);
