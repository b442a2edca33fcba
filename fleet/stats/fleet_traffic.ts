// A gateway tunes on its fleet's traffic: the sampler's view of the recent traffic (SamplerTraffic), with every
// service its sidecars report read from their reports instead of from what reaches the gateway itself (none
// of it, when sidecars export straight to the backend; only what they kept, when they export through it).
// Its statistics are the reported windows summed over the replicas; its tape — what the replay gate replays a
// candidate over and the watch checks a change against — is made from those windows: each pattern's records
// per severity class spread evenly over their window, the kept ones marked as the sidecars kept them. What
// such a tape cannot carry: trace ids (a replay draws per record, not per trace), attributes (keep rules
// match nothing, as on any tape) and the arrival order within a window. Past `maxRecords` the windows are
// scaled down together, and the rate budgets of every policy replayed over them by the same factor, so each
// pattern keeps its share and a budget its meaning; only first-K weighs a little more than it would.
import { SEVERITY_CLASSES, severityRank } from '../../policy/severity.js';
import { scaleRateBudget } from '../../policy/policy.js';
import type { PatternLoad, SamplerTraffic, TapeEntry } from '../../policy/traffic_tape.js';
import type { FleetStats, FleetWindow } from './fleet_stats.js';

/** Records a fleet service's tape holds at most (the sampler's own tape default). */
export const FLEET_TAPE_RECORDS = 100_000;

/** A severity number standing for each class on a made tape (the first of its range). */
const CLASS_SEVERITY_NUMBER = [0, 1, 5, 9, 13, 17, 21];
/** Classes from the most severe down: kept records are given to errors first (they always are kept). */
const CLASSES_BY_RANK = SEVERITY_CLASSES.map((cls, index) => ({ cls, index })).sort((a, b) => severityRank(b.cls) - severityRank(a.cls));
const NO_TRACE = new Uint8Array(0);

export function fleetTraffic(local: SamplerTraffic, fleet: FleetStats, now: () => number, maxRecords = FLEET_TAPE_RECORDS): SamplerTraffic {
  const windowMs = local.windowMs;
  /** The factor each fleet service's last made tape was scaled by. */
  const scales = new Map<string, number>();
  const reported = (service: string) => fleet.has(service, now());

  const madeTape = (service: string, at: number): TapeEntry[] => {
    const windows = fleet.windows(service, at);
    const total = windows.reduce((n, w) => n + [...w.patterns.values()].reduce((m, c) => m + c.seen, 0), 0);
    const scale = total > maxRecords ? maxRecords / total : 1;
    scales.set(service, scale);
    const entries: TapeEntry[] = [];
    for (const window of windows) entries.push(...windowEntries(service, window, windowMs, scale));
    return entries.sort((a, b) => a.time - b.time);
  };

  return {
    windowMs,
    settings: local.settings,
    tape: {
      entries: (at, service) => {
        if (service !== undefined) return reported(service) ? madeTape(service, at) : local.tape.entries(at, service);
        const fleetServices = new Set(fleet.services(at));
        const own = local.tape.entries(at).filter((e) => !fleetServices.has(e.service));
        return [...own, ...[...fleetServices].flatMap((s) => madeTape(s, at))].sort((a, b) => a.time - b.time);
      },
      anomalies: (at) => local.tape.anomalies(at),
    },
    rates: () => ({ series: () => fleetSeries(local, fleet, now()) }),
    anomalies: () => local.anomalies(),
    replay: (policy, entries, anomalies) => {
      const service = entries[0]?.service;
      const scale = service !== undefined && reported(service) ? (scales.get(service) ?? 1) : 1;
      return local.replay(scale < 1 ? scaleRateBudget(policy, scale) : policy, entries, anomalies);
    },
    policyFor: (service) => local.policyFor(service),
    configuredPolicy: (service) => local.configuredPolicy(service),
    services: () => [...new Set([...local.services(), ...fleet.services(now())])].sort(),
    onLedger: (listener) => local.onLedger(listener),
    templates: (service) => new Map([...(local.templates?.(service) ?? []), ...fleet.templates(service)]),
  };
}

/** The series the tuner's context reads: the gateway's own for services nobody reports, the fleet's for the rest. */
function* fleetSeries(local: SamplerTraffic, fleet: FleetStats, at: number): Iterable<PatternLoad> {
  const fleetServices = fleet.services(at);
  const reported = new Set(fleetServices);
  for (const s of local.rates()?.series() ?? []) if (!reported.has(s.service)) yield s;
  for (const service of fleetServices) {
    const windows = fleet.windows(service, at);
    const newest = windows[windows.length - 1];
    // Per (pattern, class): the newest window's counts, and the mean over every window kept (absent: 0).
    const sums = new Map<string, { count: number[]; bytes: number[] }>();
    for (const window of windows) {
      for (const [pattern, c] of window.patterns) {
        let sum = sums.get(pattern);
        if (!sum) sums.set(pattern, (sum = { count: SEVERITY_CLASSES.map(() => 0), bytes: SEVERITY_CLASSES.map(() => 0) }));
        c.byClass.forEach((n, k) => {
          sum!.count[k]! += n;
          sum!.bytes[k]! += c.seen > 0 ? (c.bytesSeen * n) / c.seen : 0;
        });
      }
    }
    for (const [pattern, sum] of sums) {
      const last = newest?.patterns.get(pattern);
      for (let k = 0; k < SEVERITY_CLASSES.length; k++) {
        if (sum.count[k] === 0) continue;
        const count = last?.byClass[k] ?? 0;
        yield {
          service,
          pattern,
          severity: SEVERITY_CLASSES[k]!,
          current: { count, bytes: last && last.seen > 0 ? (last.bytesSeen * count) / last.seen : 0 },
          baseline: { count: sum.count[k]! / windows.length, bytes: sum.bytes[k]! / windows.length },
        };
      }
    }
  }
}

/** One window's records as tape entries, `scale` of each pattern's per class (at least one of each). */
function windowEntries(service: string, window: FleetWindow, windowMs: number, scale: number): TapeEntry[] {
  const out: TapeEntry[] = [];
  for (const [pattern, c] of window.patterns) {
    if (c.seen === 0) continue;
    const bytes = Math.round(c.bytesSeen / c.seen);
    const perClass = CLASSES_BY_RANK.map(({ cls, index }) => ({ cls, index, n: c.byClass[index]! > 0 ? Math.max(1, Math.round(c.byClass[index]! * scale)) : 0 }));
    const made = perClass.reduce((n, k) => n + k.n, 0);
    const kept = Math.min(made, Math.round(c.kept * scale));
    // The boost's records are the last of the kept (the least severe: a boost keeps what the policy dropped).
    const boostedFrom = kept - Math.min(kept, Math.round(c.boosted * scale));
    let i = 0;
    for (const { cls, index, n } of perClass) {
      for (let j = 0; j < n; j++, i++) {
        out.push({
          // Spread over the window in the order made, errors first: the replay's first K meets them first, as
          // a sidecar's did when they came early; a sidecar's first K of a quiet class is not carried.
          time: window.start + Math.floor(((i + 0.5) * windowMs) / made),
          service,
          pattern,
          cls,
          severityNumber: CLASS_SEVERITY_NUMBER[index]!,
          bytes,
          traceId: NO_TRACE,
          kept: i < kept,
          boosted: i < kept && i >= boostedFrom,
        });
      }
    }
  }
  return out;
}
