// The recent traffic the sampler saw, kept so that a candidate policy can be replayed over it before it goes
// live (the tuner's replay gate) and so that a change can be watched (was the budget kept?). Bounded by age
// and by count: past `maxRecords` the oldest go. Entries hold the records themselves (shared with the
// pipeline, never modified here: a replay works on copies), the live decision, and the anomalies that were
// open, so replay sees the boosts the live sampler saw.
import type { HeldRecord } from '../../pipeline/batch.js';
import { SharedKey } from '../../pipeline/pipeline_shared.js';
import type { AnomalyView } from '../anomaly/factory.js';
import type { RateStatsView } from '../ratestats/rate_table.js';
import type { SeverityClass } from '../ratestats/severity.js';
import type { Policy } from './policy.js';

export interface TapeEntry {
  time: number;
  service: string;
  pattern: string;
  cls: SeverityClass;
  bytes: number;
  kept: boolean;
  /** Decided under an anomaly's boost: incident visibility, not the policy's spending. */
  boosted: boolean;
  held: HeldRecord;
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

export class TrafficTape {
  #entries: TapeEntry[] = [];
  #head = 0;
  readonly #anomalies = new Map<string, TapeAnomaly>();

  constructor(
    readonly windowMs: number,
    readonly maxRecords: number,
  ) {}

  add(entry: TapeEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length - this.#head > this.maxRecords) this.#head += 1;
    // Compact once the dead prefix is as long as the live part: amortised O(1) per record.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
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

  /** The entries within the window before `now` (oldest first), optionally of one service. */
  entries(now: number, service?: string): TapeEntry[] {
    const from = now - this.windowMs;
    const out: TapeEntry[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      if (e.time >= from && (service === undefined || e.service === service)) out.push(e);
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

/** What the sampler shares with the tuner (daemon-wide): its recent traffic, statistics and policies. */
export interface SamplerTraffic {
  tape: TrafficTape;
  /** The sampler's window (ms): what first-K and coverage are counted per. */
  windowMs: number;
  /** The sampler's own settings a replay must run with to decide as it does. */
  settings: { window: string; keep_at_or_above: SeverityClass; min_keep: number; pattern_attribute: string };
  rates(): RateStatsView | undefined;
  anomalies(): AnomalyView | undefined;
  /** The policy in force for a service now (run-time policy, else the config's). */
  policyFor(service: string): Policy;
  /** The config's policy for a service: what a service starts from. */
  configuredPolicy(service: string): Policy;
  /** Services seen in the traffic so far. */
  services(): string[];
}

export const SAMPLER_TRAFFIC = new SharedKey<SamplerTraffic>('sampler traffic');
