// `logsift analyze`: what logsift would save on logs you already have, before deploying it. The logs (a
// file — the file exporter's OTLP/JSON lines, or plain text, one record a line — or a PostHog project read
// back) are replayed through the config's first pipeline on the records' own time; the report
// (cost/analysis.ts) comes from the ledger, the anomalies and what the chain kept. The same traffic is
// replayed again under what one tuner round would set and under any policy files given (what_if_policies.ts, cost/what_if.ts).
// Terminal tables, `--json`, or a self-contained HTML page.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analysisTables } from '../cost/analysis_text.js';
import { insightsOptions } from '../cost/factory.js';
import { htmlReport, type HtmlReport } from '../cost/report_html.js';
import type { ServiceAnalysis } from '../cost/analysis.js';
import type { InsightsOptions } from '../cost/insights.js';
import { ledgerAnalyses } from './analyze_ledger.js';
import { VENDORS, type VendorName } from '../cost/vendor_presets.js';
import { duration } from '../config/duration.js';
import { DEFAULT_CONFIG_PATH, loadConfigFile, type LogsiftConfig } from '../pipeline/load_config.js';
import { textToTraffic } from '../proto/text_traffic.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';
import { replayTraffic } from './analyze_replay.js';
import { whatIf, type WhatIf } from '../cost/what_if.js';
import { policiesFor, samplerWithPolicyFile, tunerPolicies } from './what_if_policies.js';
import type { SamplerConfig } from '../processors/sampler/config.js';
import { posthogTraffic } from './posthog_source.js';
import { backfillRange } from '../receivers/posthog/range.js';
import { microsToIso } from '../receivers/posthog/rows_to_otlp.js';

export interface AnalyzeOptions {
  input?: string;
  posthog?: string;
  project?: string;
  from: string;
  to: string;
  slice: string;
  posthogService?: string;
  format: 'auto' | 'otlp' | 'text';
  service: string;
  span: string;
  config?: string;
  vendor: string;
  pricePerGb?: string;
  retentionDays?: string;
  top: string;
  json?: boolean;
  html?: string;
  /** Policy files to replay beside the config's (what-ifs). */
  policy?: string[];
  /** false: no tuner round and no replay of what it would set. */
  tuner?: boolean;
  /** The daemon's own ledger (its data_dir) over --from/--to, instead of replaying logs. */
  ledger?: boolean;
  out?: string;
}

/** OTLP/JSON traffic starts with a JSON object; anything else is read as plain lines. */
function looksLikeOtlp(file: string): boolean {
  const head = readFileSync(file, { encoding: 'utf8', flag: 'r' }).slice(0, 4096).trimStart();
  return head.startsWith('{');
}

export async function analyzeCommand(options: AnalyzeOptions): Promise<number> {
  if ([options.input !== undefined, options.posthog !== undefined, options.ledger === true].filter(Boolean).length !== 1) {
    process.stderr.write('give one source: --input FILE, --posthog HOST with --project ID, or --ledger\n');
    return 2;
  }
  const personalApiKey = process.env.LOGSIFT_POSTHOG_KEY ?? '';
  const range = backfillRange(options, Date.now());
  if (typeof range === 'string') {
    process.stderr.write(`${range}\n`);
    return 2;
  }
  if (options.posthog !== undefined) {
    if (!options.project) {
      process.stderr.write('--posthog needs --project (the project id in PostHog\'s URLs)\n');
      return 2;
    }
    if (personalApiKey === '') {
      process.stderr.write('set LOGSIFT_POSTHOG_KEY to a personal API key (phx_…) with logs:read (older instances: error_tracking:read)\n');
      return 2;
    }
  }
  if (!['auto', 'otlp', 'text'].includes(options.format)) {
    process.stderr.write(`--format must be auto, otlp or text, not ${options.format}\n`);
    return 2;
  }
  if (!(VENDORS as readonly string[]).includes(options.vendor)) {
    process.stderr.write(`unknown vendor ${options.vendor}; one of ${VENDORS.join(', ')}\n`);
    return 2;
  }
  const pricePerGb = options.pricePerGb === undefined ? undefined : Number(options.pricePerGb);
  const retentionDays = options.retentionDays === undefined ? null : Number(options.retentionDays);
  const top = Number(options.top);
  if ((pricePerGb !== undefined && !(pricePerGb >= 0)) || (retentionDays !== null && !(retentionDays >= 1)) || !(Number.isInteger(top) && top >= 1)) {
    process.stderr.write('--price-per-gb must be ≥ 0, --retention-days ≥ 1 and --top a whole number ≥ 1\n');
    return 2;
  }
  let spanMs: number;
  try {
    spanMs = duration(options.span).ms;
  } catch (error) {
    process.stderr.write(`--span: ${(error as Error).message}\n`);
    return 2;
  }
  const registry = builtinRegistry();
  const loaded = loadConfigFile(options.config ?? DEFAULT_CONFIG_PATH, registry, process.env);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  const config = loaded.config;
  const sampler = [...config.processors.values()].find((p) => p.type === 'sampler' && config.pipelines[0]!.processors.includes(p.id));
  if (!sampler) {
    process.stderr.write('analyze replays the first pipeline: it needs a sampler processor there\n');
    return 1;
  }
  const samplerConfig = sampler.config as SamplerConfig;
  const policyFiles = options.policy ?? [];
  const policyVariants: SamplerConfig[] = [];
  for (const file of policyFiles) {
    const variant = samplerWithPolicyFile(file, samplerConfig);
    if (Array.isArray(variant)) {
      for (const problem of variant) process.stderr.write(`${problem}\n`);
      return 1;
    }
    policyVariants.push(variant);
  }
  const costs = insightsOptions({ vendor: options.vendor as VendorName, prices: pricePerGb === undefined ? {} : { per_gb: pricePerGb }, retention_days: retentionDays, top_patterns: top });
  if (options.ledger) {
    const fromMs = Math.floor(range.fromUs / 1000);
    const toMs = Math.floor(range.toUs / 1000);
    const read = ledgerAnalyses(config.settings.dataDir, samplerConfig.window.ms, costs, fromMs, toMs);
    if (typeof read === 'string') {
      process.stderr.write(`${read}\n`);
      return 1;
    }
    const seen = read.analyses.reduce((n, a) => n + a.records_seen, 0);
    const source = { file: `ledger ${read.file} from ${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()}`, format: 'ledger' };
    return printReport(options, reportOf(source, { records: seen, records_kept: read.analyses.reduce((n, a) => n + a.records_kept, 0), bad_lines: 0 }, costs, read.analyses, [], samplerConfig, config));
  }
  const out = options.out ?? mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-'));
  mkdirSync(out, { recursive: true });
  try {
    let source: Source;
    let traffic: string[];
    let text: { lines: number; timed: number } | undefined;
    if (options.posthog !== undefined) {
      let read: Awaited<ReturnType<typeof posthogTraffic>>;
      try {
        read = await posthogTraffic(
          { host: options.posthog, project: options.project!, from: options.from, to: options.to, slice: options.slice, services: (options.posthogService ?? '').split(',').filter(Boolean), personalApiKey, dir: out },
          Date.now(),
        );
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        return 1;
      }
      traffic = read.files;
      if (read.result.unreadable > 0) process.stderr.write(`${read.result.unreadable} rows from PostHog had no readable time or uuid and were left out\n`);
      const [from, to] = [microsToIso(read.fromUs), microsToIso(read.toUs)];
      source = {
        file: `PostHog ${options.posthog} project ${options.project} from ${from} to ${to}`,
        format: read.result.mode === 'hogql' ? 'posthog, HogQL' : 'posthog',
        posthog: { host: options.posthog, project: options.project!, from, to, rows: read.result.rows, unreadable_rows: read.result.unreadable, mode: read.result.mode },
      };
    } else {
      const input = options.input!;
      const format = options.format === 'auto' ? (looksLikeOtlp(input) ? 'otlp' : 'text') : options.format;
      traffic = [input];
      if (format === 'text') {
        traffic = [path.join(out, 'traffic.jsonl')];
        text = await textToTraffic(input, traffic[0]!, { service: options.service, spanMs, endMs: Date.now(), year: new Date().getUTCFullYear() });
      }
      source = { file: input, format };
    }
    const common = { config, registry, traffic, windowMs: samplerConfig.window.ms, patternAttribute: samplerConfig.pattern_attribute, costs };
    let tuner: Awaited<ReturnType<typeof tunerPolicies>> | undefined;
    const replayed = await replayTraffic({
      ...common,
      dir: path.join(out, 'replay'),
      beforeShutdown: async (offline) => {
        if (options.tuner !== false) tuner = await tunerPolicies(offline, config, registry, samplerConfig);
      },
    });
    const services = replayed.analyses.map((a) => a.service);
    const whatIfs: WhatIf[] = [whatIf('config', 'the policy in the config', [], policiesFor(samplerConfig, services), replayed.analyses)];
    if (tuner) {
      const again = await replayTraffic({ ...common, dir: path.join(out, 'what-if-tuner'), policies: tuner.policies });
      whatIfs.push(whatIf('tuner', `one tuner round (${tuner.provider}), toward its target`, tuner.notes, tuner.policies, again.analyses));
    }
    for (const [i, file] of policyFiles.entries()) {
      const policies = policiesFor(policyVariants[i]!, services);
      const again = await replayTraffic({ ...common, dir: path.join(out, `what-if-${i + 1}`), policies });
      whatIfs.push(whatIf(file, file, [], policies, again.analyses));
    }
    return printReport(options, reportOf(source, { records: replayed.recordsIn, records_kept: replayed.recordsKept, bad_lines: replayed.badLines, ...(text ? { lines_with_time: text.timed } : {}) }, costs, replayed.analyses, whatIfs, samplerConfig, config));
  } finally {
    if (!options.out) rmSync(out, { recursive: true, force: true });
  }
}

type Source = { file: string; format: string; posthog?: { host: string; project: string; from: string; to: string; rows: number; unreadable_rows: number; mode: string } };

/** The settings that would shed the optional attributes this config puts on kept records. */
function attributeOptions(config: LogsiftConfig, samplerConfig: SamplerConfig): string[] {
  const options: string[] = [];
  const signature = [...config.processors.values()].find((p) => p.type === 'signature' && config.pipelines[0]!.processors.includes(p.id));
  if (signature && (signature.config as { attributes: { template: string } }).attributes.template !== '') options.push('signature attributes.template ""');
  if (samplerConfig.attributes.sample_rate) options.push('sampler attributes.sample_rate false');
  if (samplerConfig.attributes.sample_reason) options.push('sampler attributes.sample_reason false');
  return options;
}

function reportOf(source: Source, counts: { records: number; records_kept: number; bad_lines: number; lines_with_time?: number }, costs: InsightsOptions, analyses: ServiceAnalysis[], whatIfs: WhatIf[], samplerConfig: SamplerConfig, config: LogsiftConfig): HtmlReport {
  return {
    attribute_options: attributeOptions(config, samplerConfig),
    input: { ...source, ...counts },
    vendor: { name: costs.vendor.name, label: costs.vendor.label, prices: costs.prices, retention_days: costs.retentionDays, source: costs.vendor.source, read: costs.vendor.read, caveats: costs.vendor.caveats },
    services: analyses,
    what_if: whatIfs,
    policy: {
      replayed: { policy: samplerConfig.policy, services: samplerConfig.services },
      guarantees: [
        `every record at ${samplerConfig.keep_at_or_above} or above is kept`,
        `the first ${samplerConfig.policy.first_k_per_window} record(s) of every pattern in every ${samplerConfig.window.text} window are kept`,
        `no record is kept with a probability below ${samplerConfig.min_keep}`,
        'each kept record carries logsift.sample_count — itself and its pattern\'s records dropped since the last one kept — so counts add up exactly',
        'an anomaly keeps its pattern\'s records beyond the policy (its onset whole), and brings back what was dropped just before it',
      ],
    },
  } as HtmlReport;
}

function printReport(options: AnalyzeOptions, report: HtmlReport): number {
  if (options.html) writeFileSync(options.html, htmlReport(report));
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : analysisTables(report));
  return report.input.records === 0 ? 1 : 0;
}
