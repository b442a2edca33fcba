// The JavaScript SDK's overhead per log call: the OpenTelemetry Logs API with its BatchLogRecordProcessor alone
// (the baseline: what an app exports without logsift) against the same with logsift's processor in front, in
// alternating rounds over the same calls (bench/sdk/calls.ts: real Loghub lines, Zipf, clumped, traced);
// the decision alone timed too. Records carry times 1/rate apart — a busy service's pace, not the loop's:
// the sampler shares its budget by record time — and completed windows are taken between calls as the
// reporter takes them. Then the sampler's heap after 10,000, 50,000 and 250,000 distinct templates (its
// miner holds 10,000 a service, its ledger 50,000). Last line: JSON.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_CONTEXT, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { LogsiftLogRecordProcessor } from '../sdk/js/src/processor.js';
import { SourceSampler } from '../sdk/js/src/source_sampler.js';
import { writeSdkCalls, type SdkCall } from './sdk/calls.js';
import { heapAfterTemplates, printOverhead, summarise } from './sdk/measure.js';

const ROUNDS = Number(process.env.BENCH_SDK_ROUNDS ?? 10);
const PER_ROUND = Number(process.env.BENCH_SDK_PER_ROUND ?? 10_000);
const RATE = Number(process.env.BENCH_SDK_RATE ?? 2000);

const files = writeSdkCalls(path.resolve('test-artifacts/bench'), 100_000);
const calls = readFileSync(files.calls, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SdkCall);
const SEVERITY = { debug: SeverityNumber.DEBUG, info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR } as const;
const contexts: Context[] = calls.map((c) => (c.t ? trace.setSpanContext(ROOT_CONTEXT, { traceId: c.t, spanId: '0000000000000001', traceFlags: TraceFlags.SAMPLED }) : ROOT_CONTEXT));

const discard: LogRecordExporter = { export: (_records: ReadableLogRecord[], done) => done({ code: 0 }), shutdown: async () => undefined, forceFlush: async () => undefined };

/** Counts what reaches the exporting processor (both arms pay the same for it). */
class Counting implements LogRecordProcessor {
  records = 0;
  constructor(private readonly next: LogRecordProcessor) {}
  onEmit(record: SdkLogRecord, context?: Context): void {
    this.records += 1;
    this.next.onEmit(record, context);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

const baseCount = new Counting(new BatchLogRecordProcessor({ exporter: discard }));
const sdkCount = new Counting(new BatchLogRecordProcessor({ exporter: discard }));
const sampler = new SourceSampler();
const baseline = new LoggerProvider({ processors: [baseCount] }).getLogger('bench');
const withLogsift = new LoggerProvider({ processors: [new LogsiftLogRecordProcessor(sdkCount, sampler, 'bench')] }).getLogger('bench');
const lone = new SourceSampler();

const t0 = Date.now();
const step = 1000 / RATE;
const arms = {
  baseline: (c: SdkCall, at: number, context: Context) => baseline.emit({ body: c.b, severityNumber: SEVERITY[c.s], severityText: c.s.toUpperCase(), timestamp: at, context }),
  logsift: (c: SdkCall, at: number, context: Context) => withLogsift.emit({ body: c.b, severityNumber: SEVERITY[c.s], severityText: c.s.toUpperCase(), timestamp: at, context }),
  decision: (c: SdkCall, at: number) => lone.decide({ service: 'bench', body: c.b, severityNumber: SEVERITY[c.s], severityText: c.s.toUpperCase(), timeMs: at, ...(c.t ? { traceId: c.t } : {}) }),
};
type Arm = keyof typeof arms;
const timings: Record<Arm, Float64Array> = { baseline: new Float64Array(ROUNDS * PER_ROUND), logsift: new Float64Array(ROUNDS * PER_ROUND), decision: new Float64Array(ROUNDS * PER_ROUND) };
const next: Record<Arm, number> = { baseline: 0, logsift: 0, decision: 0 };
let order: Arm[] = ['baseline', 'logsift', 'decision'];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 1) order = [...order].reverse();
  for (const arm of order) {
    for (let k = 0; k < PER_ROUND; k++) {
      const n = next[arm]++;
      const i = n % calls.length;
      const at = Math.floor(t0 + n * step);
      if (n % 1000 === 999) {
        sampler.windows(at);
        lone.windows(at);
      }
      // The batch processors export between calls, as they would between an app's requests.
      if (n % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
      const start = process.hrtime.bigint();
      arms[arm](calls[i]!, at, contexts[i]!);
      timings[arm][n] = Number(process.hrtime.bigint() - start);
    }
  }
}

const heap = heapAfterTemplates(readFileSync(files.templates, 'utf8').trim().split('\n'), () => {
  const s = new SourceSampler();
  return { decide: (body, timeMs) => void s.decide({ service: 'bench', body, severityNumber: 9, timeMs }), windows: (timeMs) => void s.windows(timeMs) };
});

printOverhead('sdk_js', 5, {
  node: process.version,
  calls_per_arm: ROUNDS * PER_ROUND,
  record_rate: RATE,
  baseline: summarise(timings.baseline),
  logsift: summarise(timings.logsift),
  decision: summarise(timings.decision),
  kept_share: sdkCount.records / (ROUNDS * PER_ROUND),
  heap_bytes_after_templates: heap,
});
