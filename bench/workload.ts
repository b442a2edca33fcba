// A day of realistic traffic for the sampling benchmark: several services whose templates come from the
// shared Loghub systems (variables filled), Zipf-distributed volumes, a daily cycle, request ids spanning
// patterns, and injected incidents (spike, new error pattern, error-ratio surge, silence) with ground-truth
// labels. Written in the file exporter's format, one request per service and minute. Seeded: the same day
// every run.
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeExportRequest } from '../proto/otlp.js';
import { decodeExportRequest } from '../proto/otlp.js';
import { exportRequestJson } from '../proto/otlp_json.js';
import { loadSystem } from './patterns/loghub.js';

export interface Incident {
  kind: 'spike' | 'new_pattern' | 'error_ratio' | 'silence';
  service: string;
  /** The template id affected ('' for service-wide). */
  template: string;
  start: number;
  end: number;
}

interface Template {
  id: string;
  text: string;
  severity: number;
  weight: number;
}

const SERVICES: Record<string, string[]> = { checkout: ['Hadoop', 'Spark'], auth: ['OpenSSH', 'Linux'], search: ['Zookeeper', 'HDFS'], storage: ['BGL', 'Thunderbird'] };
export const START = Date.UTC(2026, 10, 25, 0, 0, 0);
export const MINUTE = 60_000;

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) + 1) / 2147483649;
}

function templates(service: string, systems: string[], random: () => number): Template[] {
  const out: Template[] = [];
  for (const system of systems) {
    const distinct = [...new Set(loadSystem(system).map((l) => l.template))];
    distinct.slice(0, 18).forEach((text, i) => out.push({ id: `${service}:${system}:T${i}`, text, severity: 9, weight: 0 }));
  }
  // Zipf: the r-th template carries 1/r^1.1 of the volume; the tail is DEBUG, a few quiet ones are ERROR
  // (about 2% of the records outside incidents — production services log a percent or two at ERROR).
  out.sort(() => random() - 0.5);
  out.forEach((t, r) => {
    t.weight = 1 / (r + 1) ** 1.1;
    t.severity = r < 3 ? 9 : r >= 20 && r % 7 === 0 ? 17 : r % 3 === 0 ? 5 : r % 5 === 0 ? 13 : 9;
  });
  return out;
}

function fill(text: string, random: () => number): string {
  return text.replace(/<\*>/g, () => String(Math.floor(random() * 100000)));
}

function poisson(lambda: number, random: () => number): number {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random())));
  let k = 0;
  for (let p = random(), limit = Math.exp(-lambda); p > limit; p *= random()) k++;
  return k;
}

export function generateWorkload(file: string, minutes = 24 * 60, perServicePerMinute = 120): { incidents: Incident[]; records: number } {
  const random = rng(2026);
  const byService = Object.fromEntries(Object.entries(SERVICES).map(([s, systems]) => [s, templates(s, systems, random)]));
  const incidents: Incident[] = [];
  const names = Object.keys(SERVICES);
  // Three rounds of the four kinds, spread over the day, each on its own service.
  for (let round = 0; round < 3; round++) {
    (['spike', 'new_pattern', 'error_ratio', 'silence'] as const).forEach((kind, k) => {
      const service = names[(round + k) % names.length]!;
      const start = START + (60 + round * 420 + k * 90) * MINUTE;
      const ts = byService[service]!;
      const template =
        kind === 'spike' ? ts[5 + round]!.id : kind === 'silence' ? ts[0]!.id : kind === 'new_pattern' ? `${service}:new:${round}` : '';
      const length = kind === 'silence' ? 15 : kind === 'new_pattern' ? 10 : 5;
      incidents.push({ kind, service, template, start, end: start + length * MINUTE });
    });
  }
  // Written as it is made: a day at a high rate is more text than one string can hold.
  const fd = openSync(file, 'w');
  let records = 0;
  let request = 0;
  for (let m = 0; m < minutes; m++) {
    const minuteStart = START + m * MINUTE;
    const daily = 0.55 + 0.45 * Math.sin((2 * Math.PI * (m - 360)) / (24 * 60));
    for (const service of names) {
      const logRecords: object[] = [];
      const active = incidents.filter((i) => i.service === service && minuteStart >= i.start && minuteStart < i.end);
      const requestsThisMinute = Math.max(1, Math.round((perServicePerMinute * daily) / 2));
      request += requestsThisMinute;
      const emit = (t: { id: string; text: string; severity: number }, count: number) => {
        for (let i = 0; i < count; i++) {
          // Requests span about two records each, of any templates: each record joins one of the minute's
          // requests at random (so a request's lines are spread over patterns, as in a real service).
          const trace = (BigInt(request + Math.floor(random() * requestsThisMinute)) * 0x9e3779b97f4a7c15n) & ((1n << 128n) - 1n);
          logRecords.push({
            timeUnixNano: String(BigInt(minuteStart + Math.floor(random() * MINUTE)) * 1_000_000n),
            severityNumber: t.severity,
            body: { stringValue: fill(t.text, random) },
            traceId: Buffer.from(trace.toString(16).padStart(32, '0'), 'hex'),
            attributes: [{ key: 'workload.template', value: { stringValue: t.id } }],
          });
        }
      };
      for (const t of byService[service]!) {
        let lambda = perServicePerMinute * daily * t.weight;
        if (active.some((i) => i.kind === 'silence' && i.template === t.id)) lambda = 0;
        if (active.some((i) => i.kind === 'spike' && i.template === t.id)) lambda *= 12;
        if (active.some((i) => i.kind === 'error_ratio') && t.severity >= 17) lambda = lambda * 20 + 5;
        emit(t, poisson(lambda, random));
      }
      for (const i of active.filter((x) => x.kind === 'new_pattern')) emit({ id: i.template, text: `FATAL replica <*> lost quorum after <*> retries on shard <*>`, severity: 17 }, 20);
      records += logRecords.length;
      const request_ = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords }] }] };
      writeSync(fd, `${JSON.stringify(exportRequestJson(decodeExportRequest(encodeExportRequest(request_ as never))))}\n`);
    }
  }
  closeSync(fd);
  return { incidents, records };
}
