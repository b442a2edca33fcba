// The recent traffic the sampler saw, kept so that a candidate policy can be replayed over it before it goes
// live (the tuner's replay gate) and a change watched (was the budget kept?). A ring of columns — time,
// service, pattern, severity, body size, trace id, the live decision — bounded by age and by count: adding a
// record allocates nothing and holds no reference to it (holding the records themselves cost the full chain
// two thirds of its throughput in garbage collection). What a replay cannot see is the records' other
// attributes: keep rules are judged as not matching. Anomalies that were open are noted, so replay boosts as
// live did.
import type { Duration } from '../config/duration.js';
import { SharedKey } from '../pipeline/pipeline_shared.js';
import { SEVERITY_CLASSES, type SeverityClass } from './severity.js';
import type { Policy } from './policy.js';
import type { ReplayReport } from './replay_report.js';
import type { LedgerRowData } from '../store/store.js';

export interface TapeEntry {
  time: number;
  service: string;
  pattern: string;
  cls: SeverityClass;
  severityNumber: number;
  /** Body characters (what the sampler's byte budgets count). */
  bytes: number;
  /** A copy; empty when the record had none. */
  traceId: Uint8Array;
  kept: boolean;
  /** Decided under an anomaly's boost: incident visibility, not the policy's spending. */
  boosted: boolean;
}

export interface TapeAnomaly {
  id: string;
  kind: string;
  service: string;
  pattern: string;
  start: number;
  /** undefined while open. */
  end: number | undefined;
}

const TRACE_BYTES = 16;
const KEPT = 1;
const BOOSTED = 2;
const CLASS_INDEX = new Map(SEVERITY_CLASSES.map((c, i) => [c, i]));

/** What readers of the recent traffic ask of a tape (a gateway's fleet view answers the same questions). */
export interface TapeReader {
  /** The entries within the tape's window before `now` (oldest first), optionally of one service. */
  entries(now: number, service?: string): TapeEntry[];
  /** Anomalies that overlap the tape's window before `now`. */
  anomalies(now: number): TapeAnomaly[];
}

/** One completed window of one pattern as the sampler's ledger closed it, with the records seen per class. */
export type LedgerWindowRow = LedgerRowData & {
  /** Per severity class (index in SEVERITY_CLASSES): records seen. */
  seen_by_class: number[];
};

export class TrafficTape implements TapeReader {
  readonly #time: Float64Array;
  readonly #bytes: Uint32Array;
  readonly #cls: Uint8Array;
  readonly #severity: Uint8Array;
  readonly #flags: Uint8Array;
  readonly #trace: Uint8Array;
  readonly #traceLength: Uint8Array;
  readonly #service: string[];
  readonly #pattern: string[];
  /** Index of the oldest entry, and how many there are. */
  #head = 0;
  #size = 0;
  readonly #anomalies = new Map<string, TapeAnomaly>();

  constructor(
    readonly windowMs: number,
    readonly maxRecords: number,
  ) {
    this.#time = new Float64Array(maxRecords);
    this.#bytes = new Uint32Array(maxRecords);
    this.#cls = new Uint8Array(maxRecords);
    this.#severity = new Uint8Array(maxRecords);
    this.#flags = new Uint8Array(maxRecords);
    this.#trace = new Uint8Array(maxRecords * TRACE_BYTES);
    this.#traceLength = new Uint8Array(maxRecords);
    this.#service = new Array<string>(maxRecords).fill('');
    this.#pattern = new Array<string>(maxRecords).fill('');
  }

  /** Adds one decided record; past `maxRecords` the oldest is overwritten. */
  add(time: number, service: string, pattern: string, cls: SeverityClass, severityNumber: number, bytes: number, traceId: Uint8Array, kept: boolean, boosted: boolean): void {
    const at = (this.#head + this.#size) % this.maxRecords;
    if (this.#size < this.maxRecords) this.#size += 1;
    else this.#head = (this.#head + 1) % this.maxRecords;
    this.#time[at] = time;
    this.#service[at] = service;
    this.#pattern[at] = pattern;
    this.#cls[at] = CLASS_INDEX.get(cls)!;
    this.#severity[at] = severityNumber;
    this.#bytes[at] = bytes;
    // Decoders hand over bytes as a Uint8Array or an array of numbers: indexing reads both.
    const length = Math.min(TRACE_BYTES, traceId.length);
    for (let b = 0; b < length; b++) this.#trace[at * TRACE_BYTES + b] = traceId[b]!;
    this.#traceLength[at] = length;
    this.#flags[at] = (kept ? KEPT : 0) | (boosted ? BOOSTED : 0);
  }

  /** What was open now; anomalies no longer open end at `now`. */
  noteAnomalies(open: ReadonlyArray<{ id: string; kind: string; service: string; pattern: string; start: number }>, now: number): void {
    const ids = new Set<string>();
    for (const a of open) {
      ids.add(a.id);
      if (!this.#anomalies.has(a.id)) this.#anomalies.set(a.id, { id: a.id, kind: a.kind, service: a.service, pattern: a.pattern, start: a.start, end: undefined });
    }
    for (const a of this.#anomalies.values()) if (a.end === undefined && !ids.has(a.id)) a.end = now;
  }

  /** The entries within the window before `now` (oldest first), optionally of one service: copies. */
  entries(now: number, service?: string): TapeEntry[] {
    const from = now - this.windowMs;
    const out: TapeEntry[] = [];
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#head + k) % this.maxRecords;
      if (this.#time[i]! < from || (service !== undefined && this.#service[i] !== service)) continue;
      const flags = this.#flags[i]!;
      out.push({
        time: this.#time[i]!,
        service: this.#service[i]!,
        pattern: this.#pattern[i]!,
        cls: SEVERITY_CLASSES[this.#cls[i]!]!,
        severityNumber: this.#severity[i]!,
        bytes: this.#bytes[i]!,
        traceId: this.#trace.slice(i * TRACE_BYTES, i * TRACE_BYTES + this.#traceLength[i]!),
        kept: (flags & KEPT) !== 0,
        boosted: (flags & BOOSTED) !== 0,
      });
    }
    return out;
  }

  /** Anomalies that overlap the window before `now`; older ones are forgotten. */
  anomalies(now: number): TapeAnomaly[] {
    const from = now - this.windowMs;
    for (const [id, a] of this.#anomalies) if (a.end !== undefined && a.end < from) this.#anomalies.delete(id);
    return [...this.#anomalies.values()];
  }
}

/** One (service, pattern, severity) series' counts per window, as the tuner's context reads them. */
export interface PatternLoad {
  service: string;
  pattern: string;
  severity: SeverityClass;
  current: { count: number; bytes: number };
  /** EWMA of completed windows; undefined until one completed. */
  baseline: { count: number; bytes: number } | undefined;
}

/** An anomaly open now, as the tuner's context and its watch read it. */
export interface OpenAnomaly {
  kind: string;
  service: string;
  pattern: string;
  start: number;
}

/**
 * The one port the sampler offers the tuner (daemon-wide): its recent traffic, statistics and policies, and
 * a replay of itself over the tape with a candidate policy; and the alerts their evidence. The tuner and the
 * alerts import this module, never the sampler's.
 */
export interface SamplerTraffic {
  tape: TapeReader;
  /** The sampler's window (ms): what first-K and coverage are counted per. */
  windowMs: number;
  /** The sampler's own settings a replay must run with to decide as it does. */
  settings: { window: Duration; keep_at_or_above: SeverityClass; min_keep: number; pattern_attribute: string };
  rates(): { series(): Iterable<PatternLoad> } | undefined;
  anomalies(): { open(): OpenAnomaly[] } | undefined;
  /** Replays a candidate policy over tape entries (one service's, oldest first) with the anomalies that were open. */
  replay(policy: Policy, entries: readonly TapeEntry[], anomalies: readonly TapeAnomaly[]): Promise<ReplayReport>;
  /** The policy in force for a service now (run-time policy, else the config's). */
  policyFor(service: string): Policy;
  /** The config's policy for a service: what a service starts from. */
  configuredPolicy(service: string): Policy;
  /** Services seen in the traffic so far. */
  services(): string[];
  /** Calls `listener` with the ledger's completed windows each time the sampler flushes them; returns the unsubscribe. */
  onLedger(listener: (rows: readonly LedgerWindowRow[]) => void): () => void;
  /** Lines kept while anomalies were open, and resource changes: what alerts show with their numbers. */
  evidence?(): AlertEvidenceView;
  /** A pattern's recent kept lines and live tail (what the console shows of its records). */
  lines?(): RecordLinesView;
  /** Templates known besides the store's catalog (a gateway's: what its sidecars reported). */
  templates?(service: string): ReadonlyMap<string, string>;
}

export interface AlertEvidenceView {
  lines(service: string, pattern: string, max: number): Array<{ at: number; severity: string; body: string; trace_id: string; how: 'kept' | 'retro' }>;
  changes(service: string, since: number): Array<{ kind: 'resource'; key: string; from: string | null; to: string; at: number }>;
}

export interface RecordLinesView {
  recent(service: string, pattern: string, max: number): Array<{ at: number; severity: string; body: string; trace_id: string }>;
  /** Undefined when too many tails are open. Dropped lines come sampled. */
  tail(service: string, pattern: string, listener: (line: { at: number; severity: string; body: string; trace_id: string; kept: boolean; reason: string }) => void): (() => void) | undefined;
}

export const SAMPLER_TRAFFIC = new SharedKey<SamplerTraffic>('sampler traffic');
