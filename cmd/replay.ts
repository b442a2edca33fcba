// `logsift replay --config FILE --input TRAFFIC [--out DIR]`: runs the first pipeline's processors offline
// over a traffic file in the file exporter's format, on the records' own timestamps (a day replays in
// seconds), and writes kept.jsonl, anomalies.jsonl and ledger.jsonl to DIR with a summary.
import { createReadStream, mkdirSync, statSync, writeFileSync, type WriteStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { loadConfigFile } from '../config/load.js';
import { Delivery } from '../pipeline/ack.js';
import { EventBus } from '../pipeline/event_bus.js';
import { LogBatch } from '../pipeline/batch.js';
import type { Processor, ProcessorFactory } from '../pipeline/component.js';
import { PipelineShared } from '../pipeline/pipeline_shared.js';
import { ReplayClock } from '../pipeline/replay_clock.js';
import { Telemetry } from '../pipeline/telemetry.js';
import { decodeJsonExportRequest, exportRequestJson } from '../proto/otlp_json.js';
import { SharedStore } from '../store/shared_store.js';
import { builtinRegistry } from './components.js';
import { printConfigErrors } from './load_config.js';

// Delivery-side processors have nothing to say about content and would wait on real timers.
const SKIPPED = new Set(['batch', 'memory_limiter']);
const NANOS_PER_MS = 1_000_000n;

function latestTime(batch: LogBatch): number {
  let latest = 0n;
  for (const g of batch.groups()) for (const r of g.records) if (r.timeUnixNano > latest) latest = r.timeUnixNano;
  return Number(latest / NANOS_PER_MS);
}

export async function replayCommand(options: { config: string; input: string; out: string }): Promise<number> {
  const registry = builtinRegistry();
  const loaded = loadConfigFile(options.config, registry, process.env);
  if (!loaded.ok) {
    printConfigErrors(options.config, loaded);
    return 1;
  }
  const spec = loaded.config.pipelines[0]!;
  mkdirSync(options.out, { recursive: true });
  const clock = new ReplayClock();
  const telemetry = new Telemetry();
  const store = new SharedStore(options.out, 'off');
  const shared = new PipelineShared();
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const processors: Processor[] = [];
  for (const id of spec.processors) {
    const entry = loaded.config.processors.get(id)!;
    if (SKIPPED.has(entry.type)) continue;
    const factory = registry.get('processor', entry.type) as ProcessorFactory<unknown>;
    const config = entry.config as Record<string, unknown>;
    // Windows follow the records' timestamps, not the replay's wall clock.
    const replayConfig = 'time' in config ? { ...config, time: 'record' } : config;
    processors.push(factory.create({ id, logger, telemetry, dataDir: options.out, clock, store, retryAfterSeconds: 1, events: new EventBus(), pipelineId: spec.id, shared }, replayConfig));
  }
  for (const p of processors) await p.start();

  const keptFile: WriteStream = createWriteStream(path.join(options.out, 'kept.jsonl'));
  const input = new Subject<LogBatch>();
  let recordsIn = 0;
  let recordsKept = 0;
  let badLines = 0;
  const chain = processors.reduce((stream, p) => stream.pipe(p.operator), input.asObservable());
  chain.subscribe((batch) => {
    recordsKept += batch.recordCount;
    if (batch.recordCount > 0) keptFile.write(`${JSON.stringify(exportRequestJson(batch.toExportRequest()))}\n`);
  });

  const total = statSync(options.input).size;
  const tty = process.stderr.isTTY;
  let read = 0;
  let lineNo = 0;
  for await (const line of createInterface({ input: createReadStream(options.input), crlfDelay: Infinity })) {
    lineNo += 1;
    read += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    let batch: LogBatch;
    try {
      batch = LogBatch.fromRequest(decodeJsonExportRequest(line), new Delivery(), Buffer.byteLength(line));
    } catch (error) {
      badLines += 1;
      if (badLines <= 5) process.stderr.write(`line ${lineNo}: ${(error as Error).message}\n`);
      continue;
    }
    recordsIn += batch.recordCount;
    clock.advanceTo(latestTime(batch));
    input.next(batch);
    if (tty && lineNo % 200 === 0) {
      const share = Math.min(1, read / total);
      process.stderr.write(`\r[${'#'.repeat(Math.round(share * 30)).padEnd(30)}] ${(share * 100).toFixed(0)}%  ${recordsIn} records`);
    }
  }
  input.complete();
  for (const p of processors) await p.shutdown();
  await new Promise<void>((resolve) => keptFile.end(resolve));
  if (tty) process.stderr.write('\n');

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
