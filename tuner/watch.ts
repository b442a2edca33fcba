// After a change goes live it is watched for `window`: an anomaly of the service that opens after the change,
// or a live keep fraction (over at least `min_records` decided since the change) above what the change was
// allowed — the target, or what its replay promised if that was more (a step toward a target the traffic's
// floor is above) — times the tolerance, rolls it back to the version before it. A newer change of the same
// service ends the watch.
import type { SamplerTraffic } from '../policy/traffic_tape.js';
import type { TunerConfig } from './config.js';

export interface WatchedChange {
  service: string;
  version: number;
  previous: number;
  at: number;
  /** The keep fraction the replay gate predicted for the change (null when it was not replayed). */
  predicted: number | null;
}

export type WatchVerdict = { kind: 'ok' } | { kind: 'expired' } | { kind: 'rollback'; reason: string };

export function judgeChange(change: WatchedChange, traffic: SamplerTraffic, config: TunerConfig, windowMs: number, now: number): WatchVerdict {
  const anomaly = traffic
    .anomalies()
    ?.open()
    .find((a) => a.service === change.service && a.start >= change.at);
  if (anomaly) return { kind: 'rollback', reason: `${anomaly.kind} anomaly on ${anomaly.pattern || 'the service'} opened after version ${change.version} went live` };
  // What an anomaly's boost kept is the incident's cost, not the policy's.
  const since = traffic.tape.entries(now, change.service).filter((e) => e.time >= change.at && !e.boosted);
  if (since.length >= config.watch.min_records) {
    const kept = since.reduce((n, e) => n + (e.kept ? 1 : 0), 0) / since.length;
    const limit = Math.max(config.target.keep_fraction, change.predicted ?? 0) * config.watch.budget_tolerance;
    if (kept > limit) return { kind: 'rollback', reason: `budget breach: kept ${kept.toFixed(4)} of records since version ${change.version} (limit ${limit.toFixed(4)})` };
  }
  return now - change.at >= windowMs ? { kind: 'expired' } : { kind: 'ok' };
}
