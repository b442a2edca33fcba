// Realistic traffic for the sampling and tuner benchmarks: several services whose templates come from the
// shared Loghub systems (variables filled), Zipf-distributed volumes, and the properties of real rates that
// flatter a sampler when they are missing:
// - overdispersed arrivals: each template's count per minute is gamma–Poisson (variance φ·mean, φ from 3 for
//   the quiet tail to 20 for the loudest), times a service-wide factor that wanders (log-normal AR(1): busy
//   and quiet stretches of several minutes), and records come in clumps within the minute, not evenly;
// - a daily cycle (night at a tenth of the afternoon peak) and a weekly one (weekends at about half a
//   weekday); the default day runs from Friday noon to Saturday noon, so it crosses into the weekend;
// - deploys: twice a working day per service, each moves every template's level by a log-normal factor
//   (kept afterwards) and brings one new INFO line with it;
// - requests whose trace ids span patterns, and injected incidents (spike, new error pattern, error-ratio
//   surge, silence) with ground-truth labels; deploys are labelled too (what they change is not an incident).
// Written in the file exporter's format, one request per service and minute, or per service and `batchMs` (an
// SDK's exporter sends every second or few: a detector fed whole minutes finds things a minute late). Seeded:
// the same traffic every run, however it is batched.
import { closeSync, openSync, writeSync } from 'node:fs';
import { decodeExportRequest, encodeExportRequest } from '../proto/otlp.js';
import { exportRequestJson } from '../proto/otlp_json.js';
import { random as uniformSource, samplers } from './draws.js';
import { loadSystem } from './patterns/loghub.js';

export interface Incident {
  kind: 'spike' | 'new_pattern' | 'error_ratio' | 'silence';
  service: string;
  /** The template id affected ('' for service-wide). */
  template: string;
  start: number;
  end: number;
}

/** A deploy: levels moved and a new line introduced; a finding of the new line or of the shift is expected. */
export interface Deploy {
  service: string;
  /** The template the release introduced. */
  template: string;
  at: number;
}

interface Template {
  id: string;
  text: string;
  severity: number;
  weight: number;
  /** Variance over mean of its per-minute count. */
  phi: number;
  /** Its level relative to the start (deploys move it). */
  level: number;
}

const SERVICES: Record<string, string[]> = { checkout: ['Hadoop', 'Spark'], auth: ['OpenSSH', 'Linux'], search: ['Zookeeper', 'HDFS'], storage: ['BGL', 'Thunderbird'] };
/** Lines a release brings (one per deploy, in turn); written here, not taken from Loghub. */
const RELEASE_LINES = [
  'feature flag <*> evaluated to <*> for tenant <*>',
  'connection pool resized from <*> to <*> connections',
  'cache warmer loaded <*> keys in <*> ms',
  'retry policy <*> applied to client <*> with backoff <*> ms',
  'schema migration <*> checked, <*> tables up to date',
  'rate limiter bucket <*> refilled with <*> tokens',
];
/** Friday 2026-11-27, 12:00 UTC. */
export const START = Date.UTC(2026, 10, 27, 12, 0, 0);
export const MINUTE = 60_000;
/** A spike incident multiplies its template's rate by this: all but 1 / SPIKE_FACTOR of its records are its excess. */
export const SPIKE_FACTOR = 12;
const DAY = 24 * 60 * MINUTE;

function templates(service: string, systems: string[], uniform: () => number): Template[] {
  const out: Template[] = [];
  for (const system of systems) {
    const distinct = [...new Set(loadSystem(system).map((l) => l.template))];
    distinct.slice(0, 18).forEach((text, i) => out.push({ id: `${service}:${system}:T${i}`, text, severity: 9, weight: 0, phi: 1, level: 1 }));
  }
  // Zipf: the r-th template carries 1/r^1.1 of the volume; the tail is DEBUG, a few quiet ones are ERROR
  // (about 2% of the records outside incidents — production services log a percent or two at ERROR).
  // Louder templates are burstier (their variance grows faster than their mean).
  out.sort(() => uniform() - 0.5);
  out.forEach((t, r) => {
    t.weight = 1 / (r + 1) ** 1.1;
    t.severity = r < 3 ? 9 : r >= 20 && r % 7 === 0 ? 17 : r % 3 === 0 ? 5 : r % 5 === 0 ? 13 : 9;
    t.phi = 3 + 17 * t.weight;
  });
  return out;
}

function fill(text: string, uniform: () => number): string {
  return text.replace(/<\*>/g, () => String(Math.floor(uniform() * 100000)));
}

/** Hour of day (night at a tenth of the afternoon peak) and day of week (weekends about half a weekday). */
export function seasonal(time: number): number {
  const hour = (time % DAY) / (60 * MINUTE);
  const daily = 0.55 + 0.45 * Math.sin((2 * Math.PI * (hour - 6)) / 24);
  // Weekend traffic eases in over the small hours rather than stepping at midnight.
  const weekendShare = (t: number) => ([0, 6].includes(new Date(t).getUTCDay()) ? 1 : 0);
  const blend = Math.min(1, Math.max(0, (hour - 0) / 6));
  const weekend = weekendShare(time) * blend + weekendShare(time - DAY) * (1 - blend);
  return daily * (1 - 0.5 * weekend);
}

/** Two deploys per working day per service, between 09:00 and 17:00 UTC, at seeded times. */
function planDeploys(names: string[], minutes: number, uniform: () => number): Deploy[] {
  const deploys: Deploy[] = [];
  let line = 0;
  for (let day = Math.floor(START / DAY) * DAY; day < START + minutes * MINUTE; day += DAY) {
    if ([0, 6].includes(new Date(day).getUTCDay())) continue;
    for (const service of names) {
      for (const slot of [0, 1]) {
        const at = day + (9 + slot * 4 + Math.floor(uniform() * 4)) * 60 * MINUTE + Math.floor(uniform() * 60) * MINUTE;
        if (at >= START && at < START + minutes * MINUTE) deploys.push({ service, template: `${service}:release:${line++}`, at });
      }
    }
  }
  return deploys.sort((a, b) => a.at - b.at);
}

export function generateWorkload(file: string, minutes = 24 * 60, perServicePerMinute = 120, batchMs = MINUTE): { incidents: Incident[]; deploys: Deploy[]; records: number } {
  const uniform = uniformSource(2026);
  const { normal, negativeBinomial } = samplers(uniform);
  const byService = Object.fromEntries(Object.entries(SERVICES).map(([s, systems]) => [s, templates(s, systems, uniform)]));
  const incidents: Incident[] = [];
  const names = Object.keys(SERVICES);
  // Three rounds of the four kinds per day, spread over it, each on its own service.
  for (let day = 0; day < Math.ceil(minutes / (24 * 60)); day++) {
    for (let round = 0; round < 3; round++) {
      (['spike', 'new_pattern', 'error_ratio', 'silence'] as const).forEach((kind, k) => {
        const service = names[(round + k) % names.length]!;
        const start = START + day * DAY + (60 + round * 420 + k * 90) * MINUTE;
        const ts = byService[service]!;
        const template =
          kind === 'spike' ? ts[5 + round]!.id : kind === 'silence' ? ts[0]!.id : kind === 'new_pattern' ? `${service}:new:${day}:${round}` : '';
        const length = kind === 'silence' ? 15 : kind === 'new_pattern' ? 10 : 5;
        if (start < START + minutes * MINUTE) incidents.push({ kind, service, template, start, end: start + length * MINUTE });
      });
    }
  }
  const deploys = planDeploys(names, minutes, uniform);
  // Log-normal AR(1) per service: consecutive minutes are alike (ρ 0.8), the factor's spread is about 30%.
  const wander = Object.fromEntries(names.map((s) => [s, 0]));
  // Written as it is made: a day at a high rate is more text than one string can hold.
  const fd = openSync(file, 'w');
  let records = 0;
  let request = 0;
  for (let m = 0; m < minutes; m++) {
    const minuteStart = START + m * MINUTE;
    const minute = new Map<string, Array<{ at: number; record: object }>>();
    for (const service of names) {
      const ts = byService[service]!;
      for (const d of deploys.filter((x) => x.service === service && x.at === minuteStart)) {
        for (const t of ts) t.level *= Math.exp(0.35 * normal());
        ts.push({ id: d.template, text: RELEASE_LINES[ts.length % RELEASE_LINES.length]!, severity: 9, weight: 0.03, phi: 3, level: 1 });
      }
      wander[service] = 0.8 * wander[service]! + 0.6 * normal();
      const busy = seasonal(minuteStart) * Math.exp(0.3 * wander[service]! - 0.045);
      const logRecords: Array<{ at: number; record: object }> = [];
      const active = incidents.filter((i) => i.service === service && minuteStart >= i.start && minuteStart < i.end);
      const requestsThisMinute = Math.max(1, Math.round((perServicePerMinute * busy) / 2));
      request += requestsThisMinute;
      const emit = (t: { id: string; text: string; severity: number }, count: number) => {
        // Records come in one to three clumps a minute (a job, a page load, a retry storm) and a steady trickle.
        const clumps = Array.from({ length: 1 + Math.floor(uniform() * 3) }, () => uniform() * MINUTE);
        for (let i = 0; i < count; i++) {
          const offset = uniform() < 0.5 ? uniform() * MINUTE : Math.min(MINUTE - 1, Math.max(0, clumps[Math.floor(uniform() * clumps.length)]! + 1500 * normal()));
          // Requests span about two records each, of any templates: each record joins one of the minute's
          // requests at random (so a request's lines are spread over patterns, as in a real service).
          const trace = (BigInt(request + Math.floor(uniform() * requestsThisMinute)) * 0x9e3779b97f4a7c15n) & ((1n << 128n) - 1n);
          const at = minuteStart + Math.floor(offset);
          logRecords.push({
            at,
            record: {
              timeUnixNano: String(BigInt(at) * 1_000_000n),
              severityNumber: t.severity,
              body: { stringValue: fill(t.text, uniform) },
              traceId: Buffer.from(trace.toString(16).padStart(32, '0'), 'hex'),
              attributes: [{ key: 'workload.template', value: { stringValue: t.id } }],
            },
          });
        }
      };
      for (const t of ts) {
        let mean = perServicePerMinute * busy * t.weight * t.level;
        if (active.some((i) => i.kind === 'silence' && i.template === t.id)) mean = 0;
        if (active.some((i) => i.kind === 'spike' && i.template === t.id)) mean *= SPIKE_FACTOR;
        if (active.some((i) => i.kind === 'error_ratio') && t.severity >= 17) mean = mean * 20 + 5;
        emit(t, negativeBinomial(mean, t.phi));
      }
      for (const i of active.filter((x) => x.kind === 'new_pattern')) emit({ id: i.template, text: `FATAL replica <*> lost quorum after <*> retries on shard <*>`, severity: 17 }, 20);
      // Records are sent in time order within the minute, as an exporter batches them.
      logRecords.sort((a, b) => a.at - b.at);
      records += logRecords.length;
      minute.set(service, logRecords);
    }
    // The services' batches interleaved in time, as several exporters' requests arrive.
    for (let from = minuteStart; from < minuteStart + MINUTE; from += batchMs) {
      for (const [service, logRecords] of minute) {
        const batch = logRecords.filter((r) => r.at >= from && r.at < from + batchMs);
        if (batch.length === 0 && batchMs < MINUTE) continue;
        const request_ = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: batch.map((r) => r.record) }] }] };
        writeSync(fd, `${JSON.stringify(exportRequestJson(decodeExportRequest(encodeExportRequest(request_ as never))))}\n`);
      }
    }
  }
  closeSync(fd);
  return { incidents, deploys, records };
}
