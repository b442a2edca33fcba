// The logsift command line. Each command's module is imported when that command runs: `logsift version`
// must not load gRPC, SQLite and the pipeline to print a line.
import type { AnalyzeOptions as AnalyzeCliOptions } from './analyze.js';
import { Command } from 'commander';
import { DEFAULT_ENDPOINT } from './control_endpoint.js';
import { packageVersion } from './version.js';

// A reader that stopped reading (`logsift patterns mine < f | head`) is the end of the output, not an error:
// exit quietly, as cat and grep do, instead of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const program = new Command('logsift')
  .description('An OpenTelemetry-Collector-shaped log daemon: OTLP in, patterns and sampling, PostHog out.')
  .version(packageVersion(), '-v, --version');

program
  .command('run')
  .description('run the daemon (the embedded default configuration without --config)')
  .option('-c, --config <file>', 'YAML configuration file')
  .action(async (options: { config?: string }) => {
    // Exit explicitly: past the shutdown deadline, sockets to a dead backend may still hold the event loop.
    process.exit(await (await import('./run.js')).runCommand(options));
  });

program
  .command('validate')
  .description('check a configuration file; exit 0 when valid, 1 with every error otherwise')
  .requiredOption('-c, --config <file>', 'YAML configuration file')
  .action(async (options: { config: string }) => {
    process.exitCode = (await import('./validate.js')).validateCommand(options);
  });

const patterns = program.command('patterns').description('mine log patterns and read the pattern catalog');

patterns
  .command('mine')
  .description('print {"id","template"} for each input line (one body per line), as they stand after the whole input')
  .option('-i, --input <file>', 'read bodies from a file instead of stdin')
  .option('-c, --config <file>', 'take the signature processor settings from this configuration')
  .option('-s, --service <name>', 'the service the bodies come from (part of every pattern id)', 'unknown_service')
  .action(async (options: { input?: string; config?: string; service: string }) => {
    process.exitCode = await (await import('./patterns.js')).mineCommand(options);
  });

patterns
  .command('list')
  .description('print the stored pattern catalog: a table, or JSON lines with --json')
  .option('-c, --config <file>', 'configuration whose data_dir holds the catalog')
  .option('-s, --service <name>', 'only this service')
  .option('--json', 'one JSON object per pattern (epoch-ms times, every field)')
  .action(async (options: { config?: string; service?: string; json?: boolean }) => {
    process.exitCode = (await import('./patterns.js')).listCommand(options);
  });

patterns
  .command('similar <id>')
  .description('the catalog patterns nearest to one, with a similarity score')
  .option('-c, --config <file>', 'configuration whose data_dir holds the catalog')
  .option('-n, --limit <n>', 'how many', '5')
  .action(async (id: string, options: { config?: string; limit: string }) => {
    process.exitCode = (await import('./patterns.js')).similarCommand(id, options);
  });

patterns
  .command('merges')
  .description('near-duplicate patterns that could be one, with the merged template')
  .option('-c, --config <file>', 'configuration whose data_dir holds the catalog')
  .option('-t, --threshold <share>', 'share of positions that must agree', '0.8')
  .action(async (options: { config?: string; threshold: string }) => {
    process.exitCode = (await import('./patterns.js')).mergesCommand(options);
  });

program
  .command('demo')
  .description('run the daemon on its embedded default with built-in traffic and a live view of what it keeps')
  .option('-d, --duration <seconds>', 'stop after this long (default: until Ctrl-C)')
  .action(async (options: { duration?: string }) => {
    process.exit(await (await import('./demo.js')).demoCommand(options));
  });

program
  .command('replay')
  .description('run the first pipeline\'s processors offline over a traffic file (the file exporter\'s format), on the records\' timestamps')
  .option('-c, --config <file>', 'YAML configuration file (the embedded default without it, as for run)')
  .requiredOption('-i, --input <file>', 'traffic: one OTLP/JSON ExportLogsServiceRequest per line')
  .option('-o, --out <dir>', 'where kept.jsonl, anomalies.jsonl and ledger.jsonl go', './replay')
  .action(async (options: { config?: string; input: string; out: string }) => {
    process.exitCode = await (await import('./replay.js')).replayCommand(options);
  });

program
  .command('analyze')
  .description('what logsift would keep, lose and save on logs you already have: replays them through the chain and reports per service and pattern, in records, bytes and money')
  .option('-i, --input <file>', 'your logs: the file exporter\'s OTLP/JSON lines, or plain text, one record a line')
  .option('--posthog <host>', 'or your logs in PostHog: its app host (https://us.posthog.com, https://eu.posthog.com, your own); the key in LOGSIFT_POSTHOG_KEY')
  .option('--project <id>', 'PostHog: the project id')
  .option('--ledger', 'or the daemon\'s own ledger: what it saw, kept and saved (the data_dir of --config)')
  .option('--from <time>', 'PostHog and --ledger: ISO 8601, or a span back from --to (24h, 7d)', '24h')
  .option('--to <time>', 'PostHog and --ledger: ISO 8601, or now (aligned down to a whole slice, so a run again resumes)', 'now')
  .option('--slice <duration>', 'PostHog: the backfill\'s time slices (read 3 at a time, checkpointed page by page)', '1h')
  .option('--posthog-service <names>', 'PostHog: only these services (comma-separated)')
  .option('-f, --format <format>', 'auto | otlp | text', 'auto')
  .option('-s, --service <name>', 'plain text: the service its lines come from', 'unknown_service')
  .option('--span <duration>', 'plain text with no times in it: the span its lines are spread over', '1h')
  .option('-c, --config <file>', 'the pipeline (and policy) to replay (the embedded default without it)')
  .option('--vendor <name>', 'whose prices: posthog | datadog | datadog_on_demand | grafana_cloud | google_cloud_logging | new_relic', 'posthog')
  .option('--price-per-gb <dollars>', 'your per-GB rate (PostHog publishes none)')
  .option('--retention-days <days>', 'how long your backend keeps logs (default: what the price includes)')
  .option('--policy <file>', 'also replay under this policy (the sampler\'s policy: and services: blocks, YAML or JSON); repeatable', (file: string, files: string[] = []) => [...files, file])
  .option('--no-tuner', 'skip the what-if of one tuner round (its provider: the built-in rules unless configured)')
  .option('--top <n>', 'patterns listed per service', '10')
  .option('--json', 'the report as JSON')
  .option('--html <file>', 'also write the report as one self-contained HTML file (charts inline)')
  .option('-o, --out <dir>', 'keep the replay\'s store (and a PostHog backfill, resumable) here (a temporary directory otherwise)')
  .action(async (options: AnalyzeCliOptions) => {
    process.exitCode = await (await import('./analyze.js')).analyzeCommand(options);
  });

const posthog = program.command('posthog').description('PostHog\'s own side: its server-side sampling rules, written from an analysis');
posthog
  .command('rules')
  .description('turn a report of `logsift analyze --json` into PostHog server-side sampling rules, one per service; a dry run unless --apply (the key in LOGSIFT_POSTHOG_KEY)')
  .requiredOption('-r, --report <file>', 'the JSON report of logsift analyze')
  .requiredOption('--posthog <host>', 'the app host: https://us.posthog.com, https://eu.posthog.com, your own')
  .requiredOption('--project <id>', 'the project id')
  .option('--priority <n>', 'the first rule\'s priority (lower is matched first; first match wins)', '100')
  .option('--apply', 'create what is missing and update what differs (idempotent)')
  .option('--json', 'the plan as JSON')
  .action(async (options: import('./posthog_rules.js').RulesOptions) => {
    process.exitCode = await (await import('./posthog_rules.js')).posthogRulesCommand(options);
  });

const policy = program.command('policy').description('sampling policies: the control API of a running daemon, or a tuner round offline');
const endpointOption = ['-e, --endpoint <url>', 'the daemon\'s telemetry server', process.env.LOGSIFT_ENDPOINT ?? DEFAULT_ENDPOINT] as const;

policy
  .command('show')
  .description('the policy in force for a service')
  .requiredOption('-s, --service <name>', 'the service')
  .option(...endpointOption)
  .option('--json', 'print JSON')
  .action(async (options: { service: string; endpoint: string; json?: boolean }) => {
    process.exitCode = await (await import('./policy.js')).policyShow(options.service, options);
  });
policy
  .command('history')
  .description('every version of a service\'s policy, with author, reasoning and replay report, and rejected proposals')
  .requiredOption('-s, --service <name>', 'the service')
  .option(...endpointOption)
  .option('--json', 'print JSON')
  .action(async (options: { service: string; endpoint: string; json?: boolean }) => {
    process.exitCode = await (await import('./policy.js')).policyHistory(options.service, options);
  });
policy
  .command('diff <a> <b>')
  .description('what changed between two versions of a service\'s policy')
  .requiredOption('-s, --service <name>', 'the service')
  .option(...endpointOption)
  .option('--json', 'print JSON')
  .action(async (a: string, b: string, options: { service: string; endpoint: string; json?: boolean }) => {
    process.exitCode = await (await import('./policy.js')).policyDiff(options.service, a, b, options);
  });
policy
  .command('rollback <version>')
  .description('put a service back on an earlier version\'s policy (as a new version)')
  .requiredOption('-s, --service <name>', 'the service')
  .option(...endpointOption)
  .option('--json', 'print JSON')
  .action(async (version: string, options: { service: string; endpoint: string; json?: boolean }) => {
    process.exitCode = await (await import('./policy.js')).policyRollback(options.service, version, options);
  });
policy
  .command('propose')
  .description('one tuner round in dry mode: candidate, clamps, replay report and reasoning; nothing changes')
  .option('-s, --service <name>', 'the service (offline: the busiest in the traffic when absent)')
  .option('-c, --config <file>', 'offline: the pipeline to replay and the tuner extension\'s settings')
  .option('-i, --input <file>', 'offline: traffic, one OTLP/JSON ExportLogsServiceRequest per line')
  .option(...endpointOption)
  .option('--json', 'print {"candidate","accepted","clamps","replay","provider","reasoning"}')
  .action(async (options: { service?: string; config?: string; input?: string; endpoint: string; json?: boolean }) => {
    process.exitCode = await (await import('./policy.js')).policyPropose(options);
  });

const deadletters = program.command('deadletters').description('the batches a backend refused for good: list them, queue them again, or delete them');
const deadLetterOptions = (command: Command) =>
  command.option('-c, --config <file>', 'configuration whose data_dir holds the store').option('-x, --exporter <id>', 'only this exporter\'s dead letters');

deadLetterOptions(deadletters.command('list').description('every dead letter: id, exporter, records, when and why it failed'))
  .option('--json', 'one JSON object per dead letter')
  .action(async (options: { config?: string; exporter?: string; json?: boolean }) => {
    process.exitCode = (await import('./deadletters.js')).deadLettersList(options);
  });
deadLetterOptions(deadletters.command('replay [ids...]').description('put dead letters back in their exporter\'s queue; the daemon sends them when it next starts'))
  .option('--all', 'every dead letter (of --exporter)')
  .action(async (ids: string[], options: { config?: string; exporter?: string; all?: boolean }) => {
    process.exitCode = (await import('./deadletters.js')).deadLettersReplay(ids, options);
  });
deadLetterOptions(deadletters.command('purge [ids...]').description('delete dead letters for good'))
  .option('--all', 'every dead letter (of --exporter)')
  .action(async (ids: string[], options: { config?: string; exporter?: string; all?: boolean }) => {
    process.exitCode = (await import('./deadletters.js')).deadLettersPurge(ids, options);
  });

const alerts = program.command('alerts').description('a running daemon\'s alerts: list them, silence some, test the destinations');
alerts
  .command('list')
  .description('open alerts (with --all, the recently resolved too)')
  .option('--all', 'the resolved ones as well')
  .option(...endpointOption)
  .option('--json', 'print JSON')
  .action(async (options: { endpoint: string; json?: boolean; all?: boolean }) => {
    process.exitCode = await (await import('./alerts.js')).alertsList(options);
  });
alerts
  .command('silence')
  .description('silence findings matching a service, kind and/or pattern for a while')
  .option('-s, --service <name>', 'the service')
  .option('-k, --kind <kind>', 'spike, drop, level_shift, new_pattern, error_ratio or silence')
  .option('-p, --pattern <id>', 'the pattern id')
  .requiredOption('-d, --duration <duration>', 'how long, e.g. 30m or 2h')
  .requiredOption('-m, --comment <text>', 'why')
  .option('-a, --author <name>', 'who', process.env.USER ?? 'logsift-cli')
  .option(...endpointOption)
  .option('--json', 'print JSON')
  .action(async (options: { service?: string; kind?: string; pattern?: string; duration: string; comment: string; author: string; endpoint: string; json?: boolean }) => {
    process.exitCode = await (await import('./alerts.js')).alertsSilence(options);
  });
alerts
  .command('test')
  .description('send a test alert to every destination (of a service) and print what each answered')
  .option('-s, --service <name>', 'only the destinations taking this service\'s alerts')
  .option('-w, --wait <seconds>', 'how long to wait for the answers', '15')
  .option(...endpointOption)
  .action(async (options: { service?: string; wait: string; endpoint: string }) => {
    process.exitCode = await (await import('./alerts.js')).alertsTest({ ...options, waitSeconds: Number(options.wait) });
  });

const anomaly = program.command('anomaly').description('the anomaly detector on its own');

anomaly
  .command('scan')
  .description('run the rate detector over a timestamp,value CSV (value = count per interval); one JSON line per detection')
  .requiredOption('--csv <file>', 'the series, one interval per line')
  .option('-c, --config <file>', 'take the anomaly processor settings from this configuration')
  .action(async (options: { csv: string; config?: string }) => {
    process.exitCode = (await import('./anomaly_scan.js')).anomalyScanCommand(options);
  });

program
  .command('version')
  .description('print the logsift version')
  .action(() => {
    process.stdout.write(`logsift ${packageVersion()} (node ${process.version})\n`);
  });

await program.parseAsync(process.argv);
