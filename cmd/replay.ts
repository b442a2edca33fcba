// `logsift replay --config FILE --input TRAFFIC [--out DIR]`: runs the first pipeline's processors offline
// over a traffic file in the file exporter's format, on the records' own timestamps (a day replays in
// seconds), and writes kept.jsonl, anomalies.jsonl and ledger.jsonl to DIR with a summary.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { exportRequestJson } from '../proto/otlp_json.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';
import { OfflinePipeline } from './offline_pipeline.js';

export async function replayCommand(options: { config: string; input: string; out: string }): Promise<number> {
  const registry = builtinRegistry();
  const loaded = loadConfigFile(options.config, registry, process.env);
  if (!loaded.ok) {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  mkdirSync(options.out, { recursive: true });
  const keptFile = createWriteStream(path.join(options.out, 'kept.jsonl'));
  let recordsKept = 0;
  const offline = new OfflinePipeline(loaded.config, registry, options.out, (batch) => {
    recordsKept += batch.recordCount;
    if (batch.recordCount > 0) keptFile.write(`${JSON.stringify(exportRequestJson(batch.toExportRequest()))}\n`);
  });
  await offline.start();
  const { recordsIn, badLines } = await offline.feed(options.input);
  await offline.shutdown();
  await new Promise<void>((resolve) => keptFile.end(resolve));
  const store = offline.store;
  const db = store.get();
  const anomalies = db.anomalies().map((a) => ({ kind: a.kind, service: a.service, pattern_id: a.pattern, start: a.start, end: a.end, observed: a.observed, expected: a.expected, score: a.score }));
  writeFileSync(path.join(options.out, 'anomalies.jsonl'), anomalies.map((a) => JSON.stringify(a)).join('\n') + (anomalies.length ? '\n' : ''));
  const ledger = db.ledger();
  writeFileSync(path.join(options.out, 'ledger.jsonl'), ledger.map((r) => JSON.stringify(r)).join('\n') + (ledger.length ? '\n' : ''));
  store.close();

  const summary = {
    records_in: recordsIn,
    records_kept: recordsKept,
    record_reduction: recordsIn === 0 ? 0 : Number((1 - recordsKept / recordsIn).toFixed(4)),
    anomalies: anomalies.length,
    ledger_rows: ledger.length,
    bad_lines: badLines,
    out: options.out,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return badLines > 0 && recordsIn === 0 ? 1 : 0;
}
