// The first pipeline's content processors run offline over a traffic file in the file exporter's format, on
// the records' own timestamps (a day replays in seconds): what `logsift replay` and `logsift policy propose
// --input` are built on.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import type { LogsiftConfig } from '../pipeline/load_config.js';
import { Delivery } from '../pipeline/ack.js';
import { LogBatch } from '../pipeline/batch.js';
import type { Processor, ProcessorFactory } from '../pipeline/component.js';
import { processorSettings, type DaemonParts } from '../pipeline/component_settings.js';
import { EventBus } from '../pipeline/event_bus.js';
import { HttpRoutes } from '../pipeline/http_routes.js';
import { PipelineShared } from '../pipeline/pipeline_shared.js';
import { PolicyBoard } from '../policy/board.js';
import type { FactoryRegistry } from '../pipeline/registry.js';
import { ReplayClock } from '../pipeline/replay_clock.js';
import { Telemetry } from '../pipeline/telemetry.js';
import { readJsonExportRequest } from '../proto/otlp_json.js';
import { SharedStore } from '../store/shared_store.js';

const NANOS_PER_MS = 1_000_000n;

function latestTime(batch: LogBatch): number {
  let latest = 0n;
  for (const g of batch.groups()) for (const r of g.records) if (r.timeUnixNano > latest) latest = r.timeUnixNano;
  return Number(latest / NANOS_PER_MS);
}

export interface FeedResult {
  recordsIn: number;
  badLines: number;
}

export class OfflinePipeline {
  readonly clock = new ReplayClock();
  readonly store: SharedStore;
  readonly daemonShared = new PipelineShared();
  readonly policies = new PolicyBoard();
  readonly processors: Processor[] = [];
  readonly #input = new Subject<LogBatch>();

  /** `logLevel`: what reaches stderr (a report that lists the anomalies itself passes 'error'). */
  constructor(config: LogsiftConfig, registry: FactoryRegistry, dataDir: string, onOutput: (batch: LogBatch) => void, logLevel: 'warn' | 'error' = 'warn') {
    const spec = config.pipelines[0]!;
    this.store = new SharedStore(dataDir, 'off');
    const shared = new PipelineShared();
    const parts: DaemonParts = {
      logger: pino({ level: logLevel }, pino.destination(2)),
      telemetry: new Telemetry(),
      dataDir,
      clock: this.clock,
      store: this.store,
      retryAfterSeconds: 1,
      events: new EventBus(),
      policies: this.policies,
      daemonShared: this.daemonShared,
      routes: new HttpRoutes(),
    };
    for (const id of spec.processors) {
      const entry = config.processors.get(id)!;
      const factory = registry.get('processor', entry.type) as ProcessorFactory<unknown>;
      // Delivery-side processors say nothing about content (see ProcessorPlacement.deliveryOnly).
      if (factory.placement?.deliveryOnly) continue;
      const own = entry.config as Record<string, unknown>;
      // Windows follow the records' timestamps, not the replay's wall clock.
      const replayConfig = 'time' in own ? { ...own, time: 'record' } : own;
      this.processors.push(factory.create(processorSettings(parts, id, spec.id, shared), replayConfig));
    }
    this.processors.reduce((stream, p) => stream.pipe(p.operator), this.#input.asObservable()).subscribe(onOutput);
  }

  async start(): Promise<void> {
    for (const p of this.processors) await p.start();
  }

  /**
   * Feeds a traffic file through; bad lines are counted and the first few reported on stderr. `onInput` sees
   * each batch as read, before the chain.
   */
  async feed(file: string, afterBatch?: () => Promise<void>, onInput?: (batch: LogBatch) => void): Promise<FeedResult> {
    const total = statSync(file).size;
    const tty = process.stderr.isTTY;
    let read = 0;
    let lineNo = 0;
    let recordsIn = 0;
    let badLines = 0;
    let drawn = false;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      lineNo += 1;
      read += Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      let batch: LogBatch;
      try {
        batch = LogBatch.fromRequest(readJsonExportRequest(line), new Delivery(), Buffer.byteLength(line));
      } catch (error) {
        badLines += 1;
        if (badLines <= 5) process.stderr.write(`line ${lineNo}: ${(error as Error).message}\n`);
        continue;
      }
      recordsIn += batch.recordCount;
      onInput?.(batch);
      this.clock.advanceTo(latestTime(batch));
      this.#input.next(batch);
      if (afterBatch) await afterBatch();
      if (tty && lineNo % 200 === 0) {
        drawn = true;
        const share = Math.min(1, read / total);
        process.stderr.write(`\r[${'#'.repeat(Math.round(share * 30)).padEnd(30)}] ${(share * 100).toFixed(0)}%  ${recordsIn} records`);
      }
    }
    if (drawn) process.stderr.write('\n');
    return { recordsIn, badLines };
  }

  async shutdown(): Promise<void> {
    this.#input.complete();
    for (const p of this.processors) await p.shutdown();
  }
}
