// What an alert shows besides its numbers, gathered where the records are: lines the sampler kept (or a retro
// flush brought back) while an anomaly was open on their pattern or service — the lines a reader will find in
// the backend — and each service's resource changes (a new `service.version`, a new deployment). Lines are
// gathered only while an anomaly is open, so a calm daemon pays one lookup per kept record; both are bounded
// (lines per pattern, patterns, values per key) and cost nothing that grows with history. Text is stored as
// it came (cut short) and redacted where it is read, off the data path.
import { LRUCache } from 'lru-cache';
import type { LogRecordView } from '../../pipeline/batch.js';
import { severityClass } from '../../policy/severity.js';

export interface EvidenceLine {
  /** ms since the epoch (the record's time, else its arrival). */
  at: number;
  severity: string;
  body: string;
  trace_id: string;
  /** Kept by the sampler as it came, or brought back by a retro flush. */
  how: 'kept' | 'retro';
}

export interface ResourceChange {
  kind: 'resource';
  /** The resource attribute that took a value not seen before for the service. */
  key: string;
  from: string | null;
  to: string;
  at: number;
}

/** Resource attributes whose new value is a change worth naming (a release, a deployment). */
export const CHANGE_KEYS = ['service.version', 'deployment.id', 'deployment.name', 'deployment.environment.name', 'deployment.environment', 'k8s.deployment.name'] as const;

const BODY_CHARS = 500;

export function evidenceLine(record: LogRecordView, at: number, how: EvidenceLine['how']): EvidenceLine {
  const body = record.bodyText;
  return { at, severity: record.severityText || severityClass(record.severityNumber, ''), body: body.length > BODY_CHARS ? `${body.slice(0, BODY_CHARS)}…` : body, trace_id: record.traceId, how };
}
const VALUES_PER_KEY = 16;
const CHANGES_PER_SERVICE = 8;

export class AlertEvidence {
  readonly #lines: LRUCache<string, { service: string; pattern: string; lines: EvidenceLine[] }>;
  /** Per service and key: the values seen (bounded), and the changes noted, newest last. */
  readonly #seen = new LRUCache<string, { values: LRUCache<string, true>; last: string }>({ max: 10_000 });
  readonly #changes = new LRUCache<string, ResourceChange[]>({ max: 5_000 });

  constructor(
    private readonly perPattern = 5,
    maxPatterns = 2_000,
  ) {
    this.#lines = new LRUCache({ max: maxPatterns });
  }

  line(service: string, pattern: string, line: EvidenceLine): void {
    const key = `${service}\u0000${pattern}`;
    let entry = this.#lines.get(key);
    if (!entry) this.#lines.set(key, (entry = { service, pattern, lines: [] }));
    if (entry.lines.length >= this.perPattern) entry.lines.shift();
    entry.lines.push(line);
  }

  /** The newest lines of a pattern, or of any pattern of the service when `pattern` is '' (a service-wide finding). */
  lines(service: string, pattern: string, max: number): EvidenceLine[] {
    if (pattern) return (this.#lines.peek(`${service}\u0000${pattern}`)?.lines ?? []).slice(-max);
    const all: EvidenceLine[] = [];
    for (const entry of this.#lines.values()) if (entry.service === service) all.push(...entry.lines);
    return all.sort((a, b) => a.at - b.at).slice(-max);
  }

  /** A resource's value of a change key, seen at `at`: a value new to the service (after its first) is a change. */
  resource(service: string, key: string, value: string, at: number): void {
    const k = `${service}\u0000${key}`;
    const seen = this.#seen.get(k);
    if (!seen) {
      const values = new LRUCache<string, true>({ max: VALUES_PER_KEY });
      values.set(value, true);
      this.#seen.set(k, { values, last: value });
      return;
    }
    if (seen.last === value) return;
    if (!seen.values.has(value)) {
      const changes = this.#changes.get(service) ?? [];
      changes.push({ kind: 'resource', key, from: seen.last, to: value, at });
      if (changes.length > CHANGES_PER_SERVICE) changes.shift();
      this.#changes.set(service, changes);
    }
    seen.values.set(value, true);
    seen.last = value;
  }

  /** The service's resource changes at or after `since`, oldest first. */
  changes(service: string, since: number): ResourceChange[] {
    return (this.#changes.peek(service) ?? []).filter((c) => c.at >= since);
  }
}
