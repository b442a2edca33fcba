// Scoring a sampled run against the traffic it came from (shared by bench:sampling and bench:tuner): record and
// byte reduction, ERROR+ retention, per-window pattern coverage, count-estimate error (re-weighted kept counts
// vs truth per pattern and hour), incident retention, and anomaly precision, recall and detection delay.
// Truth is the generator's labels; for traffic we did not make, logsift's own patterns and the ledger's counts.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { MINUTE, SPIKE_FACTOR, type Deploy, type Incident } from './workload.js';
import { SAMPLE_COUNT_ATTRIBUTE, SAMPLE_RATE_ATTRIBUTE } from '../processors/sampler/sample_attributes.js';

interface JsonRecord {
  timeUnixNano: string;
  severityNumber?: number;
  body?: { stringValue?: string };
  attributes?: Array<{ key: string; value: { stringValue?: string; doubleValue?: number; intValue?: string } }>;
}

/** The file's lines, read in chunks (a day of traffic can be larger than one string). */
export function* lines(file: string): IterableIterator<string> {
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

export interface ScoreOptions {
  /** The input traffic (file exporter format). */
  traffic: string;
  /** What a replay wrote: kept.jsonl, anomalies.jsonl, ledger.jsonl. */
  out: string;
  incidents: readonly Incident[];
  /** Deploys in the traffic: a new-pattern or level-shift finding within 30 minutes of one is expected. */
  deploys?: readonly Deploy[];
  /** Traffic we did not generate: patterns are logsift's own. */
  external: boolean;
  /** Only records at or after this time (ms) are scored (a tuner's convergence left out); 0: all. */
  from?: number;
  debug?: boolean;
}

export function scoreRun(options: ScoreOptions) {
  const { traffic, out, external } = options;
  const from = options.from ?? 0;
  const incidents = options.incidents.filter((i) => i.start >= from);
  const HOUR = 60 * MINUTE;
  const num = (v: ReturnType<typeof attr>) => v?.doubleValue ?? Number(v?.intValue ?? 0);
  /** The pattern a record belongs to: the generator's template, or (traffic we did not make) logsift's own. */
  const groupOf = (service: string, r: JsonRecord) => (external ? `${service}|${attr(r, 'logsift.pattern.id')?.stringValue ?? ''}` : attr(r, 'workload.template')!.stringValue!);
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  const inIncidentOf = (i: Incident, service: string, r: JsonRecord) =>
    service === i.service && timeMs(r) >= i.start && timeMs(r) < i.end && (i.template ? groupOf(service, r).endsWith(i.template) : (r.severityNumber ?? 0) >= 17);

  // Truth: the generator's labels on every input record; for other traffic, the ledger's exact counts.
  let inRecords = 0;
  let inBytes = 0;
  let inErrors = 0;
  const truthHour = new Map<string, number>();
  const inWindows = new Set<string>();
  /** Windows a pattern had a record below ERROR in: each costs at least one kept record (coverage). */
  const sampleableWindows = new Set<string>();
  const incidentIn = incidents.map(() => 0);
  for (const { service, record } of records(traffic)) {
    if (timeMs(record) < from) continue;
    inRecords += 1;
    inBytes += record.body?.stringValue?.length ?? 0;
    const error = (record.severityNumber ?? 0) >= 17;
    if (error) inErrors += 1;
    incidents.forEach((i, k) => {
      if (inIncidentOf(i, service, record)) incidentIn[k]! += 1;
    });
    if (external) continue;
    const group = groupOf(service, record);
    const t = timeMs(record);
    add(truthHour, `${group}|${Math.floor(t / HOUR)}`, 1);
    inWindows.add(`${group}|${Math.floor(t / MINUTE)}`);
    if (!error) sampleableWindows.add(`${group}|${Math.floor(t / MINUTE)}`);
  }
  if (external) {
    for (const line of lines(path.join(out, 'ledger.jsonl'))) {
      if (!line) continue;
      const row = JSON.parse(line) as { window_start: number; service: string; pattern: string; seen: number };
      if (row.window_start < from) continue;
      const group = `${row.service}|${row.pattern}`;
      add(truthHour, `${group}|${Math.floor(row.window_start / HOUR)}`, row.seen);
      inWindows.add(`${group}|${Math.floor(row.window_start / MINUTE)}`);
    }
  }

  // What was kept, and the counts it gives back: summing `logsift.sample_count` (what each kept record stands
  // for) and, for comparison, summing `logsift.sample_rate` (1 / keep probability).
  let keptRecords = 0;
  let keptBytes = 0;
  let keptErrors = 0;
  const countHour = new Map<string, number>();
  const rateHour = new Map<string, number>();
  const keptWindows = new Set<string>();
  const incidentKept = incidents.map(() => 0);
  for (const { service, record } of records(path.join(out, 'kept.jsonl'))) {
    if (timeMs(record) < from) continue;
    keptRecords += 1;
    keptBytes += record.body?.stringValue?.length ?? 0;
    if ((record.severityNumber ?? 0) >= 17) keptErrors += 1;
    const group = groupOf(service, record);
    const t = timeMs(record);
    const hourKey = `${group}|${Math.floor(t / HOUR)}`;
    add(countHour, hourKey, num(attr(record, SAMPLE_COUNT_ATTRIBUTE)));
    add(rateHour, hourKey, num(attr(record, SAMPLE_RATE_ATTRIBUTE)));
    keptWindows.add(`${group}|${Math.floor(t / MINUTE)}`);
    incidents.forEach((i, k) => {
      if (inIncidentOf(i, service, record)) incidentKept[k]! += 1;
    });
  }

  /** The 95th percentile of |estimate − truth| / truth over pattern-hours with at least 1000 records. */
  function p95Error(estimate: Map<string, number>): { p95: number; series: number } {
    const errors = [...truthHour].filter(([, n]) => n >= 1000).map(([key, n]) => Math.abs((estimate.get(key) ?? 0) - n) / n).sort((a, b) => a - b);
    return { p95: errors.length ? errors[Math.min(errors.length - 1, Math.floor(errors.length * 0.95))]! : 0, series: errors.length };
  }
  if (options.debug) {
    const worst = [...truthHour].filter(([, n]) => n >= 1000).map(([key, n]) => [key, n, Math.round(countHour.get(key) ?? 0), Math.round(rateHour.get(key) ?? 0)] as const).sort((a, b) => Math.abs(b[2] - b[1]) / b[1] - Math.abs(a[2] - a[1]) / a[1]).slice(0, 8);
    process.stderr.write(`pattern|hour truth by-count by-rate\n${worst.map((w) => w.join(' ')).join('\n')}\n`);
  }
  const byCount = p95Error(countHour);
  if (options.debug) {
    process.stderr.write(`incident kept/in\n${incidents.map((i, k) => `${i.kind} ${i.service} ${i.template} ${incidentKept[k]}/${incidentIn[k]}`).join('\n')}\n`);
  }
  const byRate = p95Error(rateHour);

  const anomalies = readFileSync(path.join(out, 'anomalies.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; service: string; start: number }).filter((a) => a.start >= from);
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
  // What a deploy changes is news, not an incident: its new line and its level shifts are neither a hit nor
  // a false alarm. Any other finding near a deploy (a spike or drop called on the moved level) is false.
  const atDeploys = anomalies.filter((a) => ['new_pattern', 'level_shift'].includes(a.kind) && (options.deploys ?? []).some((d) => a.service === d.service && a.start >= d.at && a.start <= d.at + 30 * MINUTE)).length;
  const labelled = incidents.length > 0;


  const round = (x: number) => Number(x.toFixed(4));
  return {
    records: inRecords,
    record_reduction: round(1 - keptRecords / inRecords),
    byte_reduction: round(1 - keptBytes / inBytes),
    // The most any policy could drop while keeping every ERROR+ record and one record per pattern and window.
    record_reduction_bound: external ? null : round(1 - (inErrors + sampleableWindows.size) / inRecords),
    error_retention: round(inErrors === 0 ? 1 : keptErrors / inErrors),
    pattern_coverage: round([...inWindows].filter((w) => keptWindows.has(w)).length / inWindows.size),
    p95_count_error: round(byCount.p95),
    p95_count_error_by_sample_rate: round(byRate.p95),
    count_error_series: byCount.series,
    incident_retention: labelled ? round(incidentKept.reduce((a, b) => a + b, 0) / Math.max(1, incidentIn.reduce((a, b) => a + b, 0))) : null,
    // What the incidents added: a spike's records beyond its template's usual rate (the boost keeps the
    // excess; the usual share under it is sampled as usual), every record of the other kinds.
    incident_excess_retention: labelled ? round(excessKept(incidents, incidentIn, incidentKept)) : null,
    anomaly_precision: labelled ? round(anomalies.length - atDeploys === 0 ? 0 : truePositives / (anomalies.length - atDeploys)) : null,
    anomaly_recall: labelled ? round(detected / incidents.length) : null,
    max_detection_delay_windows: delays.length ? Math.max(...delays) : null,
    anomalies: anomalies.length,
    findings_at_deploys: atDeploys,
    incidents: incidents.length,
    deploys: options.deploys?.length ?? 0,
  };
}

/** Share of the incidents' excess records kept: per incident, its kept records up to its excess. */
function excessKept(incidents: readonly Incident[], seen: readonly number[], kept: readonly number[]): number {
  let excess = 0;
  let covered = 0;
  incidents.forEach((i, k) => {
    const added = i.kind === 'spike' ? seen[k]! * (1 - 1 / SPIKE_FACTOR) : seen[k]!;
    excess += added;
    covered += Math.min(kept[k]!, added);
  });
  return excess === 0 ? 1 : covered / excess;
}
