// One replay of `logsift analyze`: traffic files through the config's first pipeline on the records' own
// time, in a store of its own, measured per service (cost/analysis.ts). Policies set before the feed stand
// in for the config's (a what-if); `beforeShutdown` sees the pipeline with the traffic in it (the tuner's
// rounds read its tape there).
import { mkdirSync, rmSync } from 'node:fs';
import { ErrorTally, analyseService, type ServiceAnalysis } from '../cost/analysis.js';
import type { InsightsOptions } from '../cost/insights.js';
import type { FactoryRegistry } from '../pipeline/registry.js';
import type { LogsiftConfig } from '../pipeline/load_config.js';
import type { Policy } from '../policy/policy.js';
import { OfflinePipeline } from './offline_pipeline.js';

export interface ReplayedTraffic {
  analyses: ServiceAnalysis[];
  recordsIn: number;
  recordsKept: number;
  badLines: number;
}

export interface ReplayOptions {
  config: LogsiftConfig;
  registry: FactoryRegistry;
  traffic: readonly string[];
  /** Emptied first: a replay never counts what an earlier one left. */
  dir: string;
  windowMs: number;
  patternAttribute: string;
  costs: InsightsOptions;
  policies?: readonly Policy[];
  beforeShutdown?: (offline: OfflinePipeline) => Promise<void>;
}

export async function replayTraffic(options: ReplayOptions): Promise<ReplayedTraffic> {
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const inputErrors = new ErrorTally();
  const keptErrors = new ErrorTally(options.patternAttribute);
  let recordsKept = 0;
  const offline = new OfflinePipeline(options.config, options.registry, options.dir, (batch) => {
    recordsKept += batch.recordCount;
    keptErrors.add(batch);
  }, 'error');
  for (const policy of options.policies ?? []) offline.policies.set(policy);
  await offline.start();
  let recordsIn = 0;
  let badLines = 0;
  for (const file of options.traffic) {
    const fed = await offline.feed(file, undefined, (batch) => inputErrors.add(batch));
    recordsIn += fed.recordsIn;
    badLines += fed.badLines;
  }
  await options.beforeShutdown?.(offline);
  await offline.shutdown();
  const store = offline.store.get();
  try {
    const services = [...new Set(store.ledger().map((r) => r.service))].sort();
    const analyses = services.map((service) => analyseService(store, service, options.windowMs, { input: inputErrors, kept: keptErrors }, options.costs));
    return { analyses, recordsIn, recordsKept, badLines };
  } finally {
    await offline.store.close();
  }
}
