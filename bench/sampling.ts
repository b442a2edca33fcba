// The sampling benchmark: a generated day of traffic (bench/workload.ts) replayed through the default chain
// (`logsift replay`, windows of one minute), scored against the generator's truth: record and byte
// reduction, ERROR+ retention, per-window pattern coverage, count-estimate error (re-weighted kept counts vs
// truth per template and hour), incident retention, and anomaly precision, recall and detection delay.
// Last line: JSON.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import { replayCommand } from '../cmd/replay.js';
import { MINUTE, generateWorkload, type Incident } from './workload.js';

interface JsonRecord {
  timeUnixNano: string;
  severityNumber?: number;
  body?: { stringValue?: string };
  attributes?: Array<{ key: string; value: { stringValue?: string; doubleValue?: number; intValue?: string } }>;
}

/** The file's lines, read in chunks (a day of traffic can be larger than one string). */
function* lines(file: string): IterableIterator<string> {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  // The decoder carries a character split between two chunks over to the next.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
    const parts = (rest + decoder.write(chunk.subarray(0, n))).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  closeSync(fd);
  if (rest) yield rest;
}

function* records(file: string): IterableIterator<{ service: string; record: JsonRecord }> {
  for (const line of lines(file)) {
    if (!line) continue;
    const request = JSON.parse(line) as { resourceLogs: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue: string } }> }; scopeLogs: Array<{ logRecords: JsonRecord[] }> }> };
    for (const rl of request.resourceLogs) {
      const service = rl.resource.attributes.find((a) => a.key === 'service.name')!.value.stringValue;
      for (const sl of rl.scopeLogs) for (const record of sl.logRecords) yield { service, record };
    }
  }
}

const attr = (r: JsonRecord, key: string) => r.attributes?.find((a) => a.key === key)?.value;
const timeMs = (r: JsonRecord) => Number(BigInt(r.timeUnixNano) / 1_000_000n);
const inIncident = (i: Incident, service: string, r: JsonRecord) =>
  service === i.service && timeMs(r) >= i.start && timeMs(r) < i.end && (i.template ? attr(r, 'workload.template')?.stringValue === i.template : (r.severityNumber ?? 0) >= 17);

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-sampling-'));
const traffic = path.join(dir, 'traffic.jsonl');
const { incidents } = generateWorkload(traffic, 24 * 60, Number(process.env.BENCH_RATE ?? 60));
const config = path.join(dir, 'config.yaml');
writeFileSync(config, `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m, retro: { window: 2m } }
exporters:
  nop:
service:
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`);
const out = path.join(dir, 'out');
const replayStarted = performance.now();
const code = await replayCommand({ config, input: traffic, out });
const replaySeconds = (performance.now() - replayStarted) / 1000;
if (code !== 0) throw new Error('replay failed');

// Truth from the input.
let inRecords = 0;
let inBytes = 0;
let inErrors = 0;
const truthHour = new Map<string, number>();
const inWindows = new Set<string>();
const incidentIn = incidents.map(() => 0);
for (const { service, record } of records(traffic)) {
  inRecords += 1;
  inBytes += record.body?.stringValue?.length ?? 0;
  if ((record.severityNumber ?? 0) >= 17) inErrors += 1;
  const template = attr(record, 'workload.template')!.stringValue!;
  const t = timeMs(record);
  const hourKey = `${template}|${Math.floor(t / (60 * MINUTE))}`;
  truthHour.set(hourKey, (truthHour.get(hourKey) ?? 0) + 1);
  inWindows.add(`${template}|${Math.floor(t / MINUTE)}`);
  incidents.forEach((i, k) => {
    if (inIncident(i, service, record)) incidentIn[k]! += 1;
  });
}

// What was kept.
let keptRecords = 0;
let keptBytes = 0;
let keptErrors = 0;
const estimateHour = new Map<string, number>();
const keptWindows = new Set<string>();
const incidentKept = incidents.map(() => 0);
for (const { service, record } of records(path.join(out, 'kept.jsonl'))) {
  keptRecords += 1;
  keptBytes += record.body?.stringValue?.length ?? 0;
  if ((record.severityNumber ?? 0) >= 17) keptErrors += 1;
  const template = attr(record, 'workload.template')!.stringValue!;
  const t = timeMs(record);
  const rate = attr(record, 'logsift.sample_rate')?.doubleValue ?? Number(attr(record, 'logsift.sample_rate')?.intValue ?? 0);
  const hourKey = `${template}|${Math.floor(t / (60 * MINUTE))}`;
  estimateHour.set(hourKey, (estimateHour.get(hourKey) ?? 0) + rate);
  keptWindows.add(`${template}|${Math.floor(t / MINUTE)}`);
  incidents.forEach((i, k) => {
    if (inIncident(i, service, record)) incidentKept[k]! += 1;
  });
}

if (process.env.BENCH_DEBUG) {
  const worst = [...truthHour].filter(([, n]) => n >= 1000).map(([key, n]) => [key, n, Math.round(estimateHour.get(key) ?? 0)] as const).sort((a, b) => Math.abs(b[2] - b[1]) / b[1] - Math.abs(a[2] - a[1]) / a[1]).slice(0, 8);
  process.stderr.write(`${worst.map((w) => w.join(' ')).join('\n')}\n`);
}
const errors = [...truthHour].filter(([, n]) => n >= 1000).map(([key, n]) => Math.abs((estimateHour.get(key) ?? 0) - n) / n).sort((a, b) => a - b);
const p95 = errors.length ? errors[Math.min(errors.length - 1, Math.floor(errors.length * 0.95))]! : 0;

const anomalies = readFileSync(path.join(out, 'anomalies.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; service: string; start: number });
const compatible: Record<Incident['kind'], string[]> = { spike: ['spike'], new_pattern: ['new_pattern', 'spike'], error_ratio: ['error_ratio', 'new_pattern', 'spike'], silence: ['silence', 'drop'] };
const delays: number[] = [];
let detected = 0;
for (const i of incidents) {
  const hits = anomalies.filter((a) => a.service === i.service && compatible[i.kind].includes(a.kind) && a.start >= i.start && a.start <= i.start + 2 * MINUTE);
  if (hits.length > 0) {
    detected += 1;
    delays.push((Math.min(...hits.map((a) => a.start)) - i.start) / MINUTE + 1);
  }
}
const truePositives = anomalies.filter((a) => incidents.some((i) => a.service === i.service && a.start >= i.start - MINUTE && a.start <= i.end + 2 * MINUTE)).length;

const round = (x: number) => Number(x.toFixed(4));
const summary = {
  bench: 'sampling',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  records: inRecords,
  replay_seconds: round(replaySeconds),
  record_reduction: round(1 - keptRecords / inRecords),
  byte_reduction: round(1 - keptBytes / inBytes),
  error_retention: round(inErrors === 0 ? 1 : keptErrors / inErrors),
  pattern_coverage: round([...inWindows].filter((w) => keptWindows.has(w)).length / inWindows.size),
  p95_count_error: round(p95),
  count_error_series: errors.length,
  incident_retention: round(incidentKept.reduce((a, b) => a + b, 0) / Math.max(1, incidentIn.reduce((a, b) => a + b, 0))),
  anomaly_precision: round(anomalies.length === 0 ? 0 : truePositives / anomalies.length),
  anomaly_recall: round(detected / incidents.length),
  max_detection_delay_windows: delays.length ? Math.max(...delays) : null,
  anomalies: anomalies.length,
  incidents: incidents.length,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
