// Rows for the PostHog read-back stand-in: a few services' logs over a span, bursty as real logs are
// (the rate swings with the hour, and runs of rows share one microsecond, as a batch flushed at once
// does), a sequence number in each row's attributes so a test can tell every row apart.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';
import type { StoredLogRow } from './posthog_query_standin.js';

const TEMPLATES = [
  (i: number) => `GET /api/items/${i % 977} answered 200 in ${i % 83} ms`,
  (i: number) => `cache miss for key product:${i % 5000}:price, refilled in ${i % 13} ms`,
  (i: number) => `worker ${i % 16} processed batch ${i} in ${i % 70} ms`,
  (i: number) => `user ${i % 3000} signed in from 10.0.${i % 256}.${(i * 7) % 256}`,
];

/** A deterministic UUID from a number: text order and ClickHouse's order of UUIDs differ among them. */
export function uuidOf(i: number): string {
  const h = createHash('md5').update(`row ${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function row(i: number, us: number, service: string): StoredLogRow {
  const error = i % 97 === 0;
  const hex = createHash('md5').update(`trace ${i >> 3}`).digest('hex');
  return {
    uuid: uuidOf(i),
    us,
    body: error ? `payment ${i} failed: card_declined` : TEMPLATES[i % TEMPLATES.length]!(i),
    severity_text: error ? 'ERROR' : 'INFO',
    severity_number: error ? 17 : 9,
    service_name: service,
    resource_attributes: { 'service.name': service, 'k8s.pod.name': `${service}-7f9c-${i % 3}` },
    attributes: { seq: String(i) },
    trace_id: hex,
    span_id: hex.slice(0, 16),
  };
}

/**
 * `count` rows in [fromUs, toUs): times drawn with a rate that swings threefold in a slow cycle, in runs of
 * one to six rows at the same microsecond.
 */
export function posthogRows(count: number, fromUs: number, toUs: number, services = ['api', 'worker']): StoredLogRow[] {
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const gaps: number[] = [];
  let t = 0;
  for (let i = 0; i < count; ) {
    const run = 1 + Math.floor(random() * 6);
    for (let k = 0; k < run && i < count; k++, i++) gaps.push(t);
    const hourPhase = ((t / 3600) % 1) * 2 * Math.PI;
    t += (-Math.log(1 - random()) * (2 + Math.sin(hourPhase))) / 2;
  }
  const scale = (toUs - fromUs - 1) / Math.max(t, 1);
  return gaps.map((g, i) => row(i, fromUs + Math.floor(g * scale), services[i % services.length]!));
}

/** `count` rows all at one microsecond (a burst wider than any page). */
export function rowsAtOneInstant(count: number, us: number, firstSeq: number, service = 'api'): StoredLogRow[] {
  return Array.from({ length: count }, (_, k) => row(firstSeq + k, us, service));
}

/** The `seq` of every record in files of OTLP/JSON lines, a list a line (a page), in file order. */
export function seqsByLine(files: readonly string[]): number[][] {
  const lines: number[][] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const seqs: number[] = [];
      for (const rl of decodeJsonExportRequest(line).resourceLogs ?? []) {
        for (const record of rl.scopeLogs?.[0]?.logRecords ?? []) seqs.push(Number(record.attributes!.find((a) => a.key === 'seq')!.value!.stringValue));
      }
      lines.push(seqs);
    }
  }
  return lines;
}
