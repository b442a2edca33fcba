// `logsift replay [--config FILE] --input TRAFFIC [--out DIR]`: runs the first pipeline's processors offline
// over a traffic file in the file exporter's format, on the records' own timestamps (a day replays in
// seconds), and writes kept.jsonl, anomalies.jsonl and ledger.jsonl to DIR with a summary.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfigFile, type LogsiftConfig } from '../pipeline/load_config.js';
import type { FactoryRegistry } from '../pipeline/registry.js';
import { exportRequestJson } from '../proto/otlp_json.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';
import { OfflinePipeline } from './offline_pipeline.js';

export interface ReplaySummary {
  records_in: number;
  records_kept: number;
  /** Of the kept records, those only an anomaly boost kept: what the boosts cost beside the policy. */
  records_boosted: number;
  record_reduction: number;
  anomalies: number;
  ledger_rows: number;
  bad_lines: number;
  out: string;
}

/**
 * Replays `input` through the config's first pipeline into `out`. `afterBatch` runs after every batch with
 * the offline pipeline (what drives a tuner over the replay in bench:tuner).
 */
export async function replayInto(config: LogsiftConfig, registry: FactoryRegistry, input: string, out: string, afterBatch?: (offline: OfflinePipeline) => Promise<void>): Promise<ReplaySummary> {
  mkdirSync(out, { recursive: true });
  const keptFile = createWriteStream(path.join(out, 'kept.jsonl'));
  let recordsKept = 0;
  const offline = new OfflinePipeline(config, registry, out, (batch) => {
    recordsKept += batch.recordCount;
    if (batch.recordCount > 0) keptFile.write(`${JSON.stringify(exportRequestJson(batch.toExportRequest()))}\n`);
  });
  await offline.start();
  const { recordsIn, badLines } = await offline.feed(input, afterBatch && (() => afterBatch(offline)));
  await offline.shutdown();
  await new Promise<void>((resolve) => keptFile.end(resolve));
  const store = offline.store;
  const db = store.get();
  const anomalies = db.anomalies().map((a) => ({ kind: a.kind, service: a.service, pattern_id: a.pattern, start: a.start, detected: a.detected, end: a.end, closed: a.closed, observed: a.observed, expected: a.expected, score: a.score, error: a.error === 1 }));
  writeFileSync(path.join(out, 'anomalies.jsonl'), anomalies.map((a) => JSON.stringify(a)).join('\n') + (anomalies.length ? '\n' : ''));
  const ledger = db.ledger();
  writeFileSync(path.join(out, 'ledger.jsonl'), ledger.map((r) => JSON.stringify(r)).join('\n') + (ledger.length ? '\n' : ''));
  await store.close();
  return {
    records_in: recordsIn,
    records_kept: recordsKept,
    records_boosted: ledger.reduce((n, r) => n + r.boosted, 0),
    record_reduction: recordsIn === 0 ? 0 : Number((1 - recordsKept / recordsIn).toFixed(4)),
    anomalies: anomalies.length,
    ledger_rows: ledger.length,
    bad_lines: badLines,
    out,
  };
}

export async function replayCommand(options: { config?: string; input: string; out: string }): Promise<number> {
  const registry = builtinRegistry();
  const loaded = loadConfigFile(options.config ?? DEFAULT_CONFIG_PATH, registry, process.env);
  if (loaded.kind !== 'loaded') {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  const summary = await replayInto(loaded.config, registry, options.input, options.out);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.bad_lines > 0 && summary.records_in === 0 ? 1 : 0;
}
