// A gateway's view of its fleet's traffic: the pattern windows its sidecars report (stats_report.ts), summed
// over the instances per (service, window, pattern), with the templates they sent and, per service, which
// instances report it and how much each sees — what splits a per-service budget across replicas. Bounded
// three ways: windows older than `retention` are forgotten, past `max_rows` aggregates the oldest windows go
// first, templates are an LRU. A batch id seen before is acknowledged and not counted again.
import { LRUCache } from 'lru-cache';
import { SEVERITY_CLASSES } from '../../policy/severity.js';
import type { ServiceShare, StatsAnswer, StatsReport } from './stats_report.js';

export interface FleetStatsOptions {
  windowMs: number;
  /** Windows that started longer ago than this are forgotten. */
  retentionMs: number;
  /** An instance that has not reported for this long no longer counts as a replica. */
  instanceTtlMs: number;
  /** (service, window, pattern) aggregates kept, all services together. */
  maxRows: number;
  maxTemplates: number;
  /** `share`: each replica's part of a budget is its part of the service's records; `replicas`: an equal part. */
  split: 'share' | 'replicas';
}

/** One pattern's window, summed over the instances that reported it. */
export interface WindowCounts {
  seen: number;
  kept: number;
  boosted: number;
  bytesSeen: number;
  bytesKept: number;
  /** Records seen per severity class (index in SEVERITY_CLASSES). */
  byClass: number[];
}

export interface FleetWindow {
  start: number;
  patterns: ReadonlyMap<string, WindowCounts>;
}

interface InstanceState {
  lastReport: number;
  /** The newest window start it has reported. */
  reportedThrough: number;
  /** Records this instance saw per window start (for its share). */
  seenByWindow: Map<number, number>;
}

interface ServiceFleet {
  windows: Map<number, Map<string, WindowCounts>>;
  instances: Map<string, InstanceState>;
}

/** A replica that saw nothing lately still gets this part of an equal share: it may be the next to see a burst. */
const MIN_SHARE_PART = 0.1;
const BATCHES_REMEMBERED = 10_000;
const MISSING_TEMPLATES_LISTED = 500;
const CLASS_INDEX = new Map(SEVERITY_CLASSES.map((c, i) => [c as string, i]));

export class FleetStats {
  readonly #services = new Map<string, ServiceFleet>();
  readonly #templates: LRUCache<string, string>;
  readonly #batches = new LRUCache<string, true>({ max: BATCHES_REMEMBERED });
  #rows = 0;

  constructor(readonly options: FleetStatsOptions) {
    this.#templates = new LRUCache({ max: options.maxTemplates });
  }

  /** Counts a valid report (statsReportProblems found nothing) received at `now`. */
  record(report: StatsReport, now: number): StatsAnswer {
    this.#prune(now);
    const batchKey = `${report.instance}\u0000${report.batch_id}`;
    const duplicate = this.#batches.has(batchKey);
    let accepted = 0;
    const reported = new Set<string>();
    for (const t of report.templates ?? []) this.#templates.set(templateKey(t.service, t.pattern_id), t.template);
    const oldest = now - this.options.retentionMs;
    const missing: StatsAnswer['missing_templates'] = [];
    const listed = new Set<string>();
    for (const row of report.rows) {
      const fleet = this.#service(row.service);
      const instance = this.#instance(fleet, report.instance, now);
      reported.add(row.service);
      const key = templateKey(row.service, row.pattern_id);
      if (!this.#templates.has(key) && missing.length < MISSING_TEMPLATES_LISTED && !listed.has(key)) {
        listed.add(key);
        missing.push({ service: row.service, pattern_id: row.pattern_id });
      }
      // Outside what is kept (a backlog sent long after, or a reporter's clock far ahead): acknowledged, not kept.
      if (duplicate || row.window_start < oldest || row.window_start > now + 2 * this.options.windowMs) continue;
      const start = Math.floor(row.window_start / this.options.windowMs) * this.options.windowMs;
      let window = fleet.windows.get(start);
      if (!window) fleet.windows.set(start, (window = new Map()));
      let counts = window.get(row.pattern_id);
      if (!counts) {
        window.set(row.pattern_id, (counts = { seen: 0, kept: 0, boosted: 0, bytesSeen: 0, bytesKept: 0, byClass: SEVERITY_CLASSES.map(() => 0) }));
        this.#rows += 1;
      }
      counts.seen += row.seen;
      counts.kept += row.kept;
      counts.boosted += row.boosted;
      counts.bytesSeen += row.bytes_seen;
      counts.bytesKept += row.bytes_kept;
      for (const [cls, n] of Object.entries(row.seen_by_severity)) counts.byClass[CLASS_INDEX.get(cls)!]! += n ?? 0;
      instance.seenByWindow.set(start, (instance.seenByWindow.get(start) ?? 0) + row.seen);
      if (start > instance.reportedThrough) instance.reportedThrough = start;
      accepted += 1;
    }
    this.#batches.set(batchKey, true);
    while (this.#rows > this.options.maxRows && this.#dropOldestWindow()) {
      // Each pass drops the oldest window of any service.
    }
    const services: Record<string, ServiceShare> = {};
    for (const service of reported) services[service] = this.share(service, report.instance, now);
    return { accepted, duplicate, missing_templates: missing, services };
  }

  /** Services with reported windows still kept. */
  services(now: number): string[] {
    this.#prune(now);
    return [...this.#services.entries()].filter(([, f]) => f.windows.size > 0).map(([s]) => s).sort();
  }

  has(service: string, now: number): boolean {
    this.#prune(now);
    return (this.#services.get(service)?.windows.size ?? 0) > 0;
  }

  /** The service's reported windows, oldest first. */
  windows(service: string, now: number): FleetWindow[] {
    this.#prune(now);
    const fleet = this.#services.get(service);
    if (!fleet) return [];
    return [...fleet.windows.entries()].sort((a, b) => a[0] - b[0]).map(([start, patterns]) => ({ start, patterns }));
  }

  /** Templates the fleet sent for the service's patterns. */
  templates(service: string): Map<string, string> {
    const prefix = `${service}\u0000`;
    const out = new Map<string, string>();
    for (const [key, template] of this.#templates.entries()) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), template);
    return out;
  }

  /** How many instances report `service` now, and `instance`'s part of its per-service budgets. */
  share(service: string, instance: string, now: number): ServiceShare {
    const live = this.#live(service, now);
    const replicas = Math.max(1, live.length);
    const equal = 1 / replicas;
    if (this.options.split === 'replicas') return { replicas, share: round(equal) };
    // Over the windows every live replica has reported: one that reports later than another is not short.
    const through = Math.min(...live.map(([, i]) => i.reportedThrough));
    const seen = (i: InstanceState) => {
      let n = 0;
      for (const [start, c] of i.seenByWindow) if (start <= through) n += c;
      return n;
    };
    const total = live.reduce((n, [, i]) => n + seen(i), 0);
    const mine = live.find(([name]) => name === instance)?.[1];
    if (total === 0 || !mine) return { replicas, share: round(equal) };
    return { replicas, share: round(Math.max(seen(mine) / total, MIN_SHARE_PART * equal)) };
  }

  /** What the gateway knows of a service's fleet: totals, and each live instance with its share. */
  describe(service: string, now: number) {
    const windows = this.windows(service, now);
    let seen = 0;
    let kept = 0;
    const patterns = new Set<string>();
    for (const w of windows) {
      for (const [pattern, c] of w.patterns) {
        patterns.add(pattern);
        seen += c.seen;
        kept += c.kept;
      }
    }
    const instances = this.#live(service, now).map(([instance, state]) => ({
      instance,
      last_report: new Date(state.lastReport).toISOString(),
      seen: [...state.seenByWindow.values()].reduce((n, c) => n + c, 0),
      ...this.share(service, instance, now),
    }));
    return {
      service,
      window_seconds: this.options.windowMs / 1000,
      windows: windows.length,
      from: windows.length > 0 ? new Date(windows[0]!.start).toISOString() : null,
      patterns: patterns.size,
      seen,
      kept,
      replicas: instances.length,
      split: this.options.split,
      instances,
    };
  }

  #service(service: string): ServiceFleet {
    let fleet = this.#services.get(service);
    if (!fleet) this.#services.set(service, (fleet = { windows: new Map(), instances: new Map() }));
    return fleet;
  }

  #instance(fleet: ServiceFleet, name: string, now: number): InstanceState {
    let state = fleet.instances.get(name);
    if (!state) fleet.instances.set(name, (state = { lastReport: now, reportedThrough: -Infinity, seenByWindow: new Map() }));
    state.lastReport = now;
    return state;
  }

  #live(service: string, now: number): Array<[string, InstanceState]> {
    const fleet = this.#services.get(service);
    if (!fleet) return [];
    return [...fleet.instances.entries()].filter(([, i]) => i.lastReport >= now - this.options.instanceTtlMs).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** Forgets windows past the retention and instances silent past both the retention and their TTL. */
  #prune(now: number): void {
    const oldest = now - this.options.retentionMs;
    for (const [service, fleet] of this.#services) {
      for (const [start, patterns] of fleet.windows) {
        if (start >= oldest) continue;
        fleet.windows.delete(start);
        this.#rows -= patterns.size;
      }
      for (const [name, state] of fleet.instances) {
        for (const start of state.seenByWindow.keys()) if (start < oldest) state.seenByWindow.delete(start);
        if (state.lastReport < now - Math.max(this.options.retentionMs, this.options.instanceTtlMs)) fleet.instances.delete(name);
      }
      if (fleet.windows.size === 0 && fleet.instances.size === 0) this.#services.delete(service);
    }
  }

  #dropOldestWindow(): boolean {
    let victim: { fleet: ServiceFleet; start: number } | undefined;
    for (const fleet of this.#services.values()) {
      for (const start of fleet.windows.keys()) if (!victim || start < victim.start) victim = { fleet, start };
    }
    if (!victim) return false;
    this.#rows -= victim.fleet.windows.get(victim.start)!.size;
    victim.fleet.windows.delete(victim.start);
    return true;
  }
}

const templateKey = (service: string, pattern: string) => `${service}\u0000${pattern}`;
const round = (x: number) => Number(x.toPrecision(4));
