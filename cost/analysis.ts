// What `logsift analyze` (cmd/analyze.ts) measures after replaying traffic through the real chain (on the records' own
// time): per service, what was seen and kept in records and protobuf bytes and what that costs at a vendor's
// prices (cost/), what the policy loses — ERROR and above, pattern-windows, records of the anomalies found
// (all kept by construction; shown so nobody has to take it on trust) — what boosts cost apart from the
// policy, and the patterns by bytes with their error share and trend.
import type { LogBatch } from '../pipeline/batch.js';
import { DAYS_PER_MONTH, periodCost, savings, type Savings } from './billing.js';
import { DAY_MS, serviceInsights, type InsightsOptions, type ServiceInsights } from './insights.js';
import type { Store } from '../store/store.js';
import { SEVERITY_CLASSES, severityClass, type SeverityClass } from '../policy/severity.js';

const ERROR = 17;

/**
 * Counts ERROR-and-above records per service (and pattern), and every record per service and severity
 * class, as the input was read or as the chain kept them.
 */
export class ErrorTally {
  readonly byService = new Map<string, number>();
  readonly byPattern = new Map<string, number>();
  /** service → class → records. */
  readonly byClass = new Map<string, Map<SeverityClass, number>>();

  constructor(private readonly patternKey?: string) {}

  add(batch: LogBatch): void {
    for (const group of batch.groups()) {
      const service = group.resource.serviceName ?? 'unknown_service';
      let classes = this.byClass.get(service);
      if (!classes) this.byClass.set(service, (classes = new Map()));
      for (const record of group.records) {
        const cls = severityClass(record.severityNumber, record.severityText);
        classes.set(cls, (classes.get(cls) ?? 0) + 1);
        if (record.severityNumber < ERROR) continue;
        this.byService.set(service, (this.byService.get(service) ?? 0) + 1);
        if (!this.patternKey) continue;
        const pattern = record.attributes.get(this.patternKey);
        const key = `${service}\u0000${typeof pattern === 'string' ? pattern : ''}`;
        this.byPattern.set(key, (this.byPattern.get(key) ?? 0) + 1);
      }
    }
  }
}

export interface PatternAnalysis {
  pattern_id: string;
  template: string | null;
  records: number;
  bytes: number;
  /** Of the service's bytes seen. */
  share: number;
  error_share: number;
  /** Rate in the second half of the span against the first, less one; null when it is in one half only. */
  trend: number | null;
  kept_share: number;
}

export interface ServiceAnalysis {
  service: string;
  records_seen: number;
  records_kept: number;
  bytes_seen: number;
  bytes_kept: number;
  reduction: number;
  errors_seen: number;
  errors_kept: number;
  pattern_windows: number;
  pattern_windows_kept: number;
  anomalies: number;
  incident_records: number;
  incident_records_kept: number;
  boosted: { records: number; bytes: number };
  /**
   * Of the bytes kept, about how many are logsift's own attributes: bytes kept less the kept records at the
   * mean size of a record seen (an estimate: kept records are not an even sample of sizes).
   */
  added_bytes_estimate: number;
  /**
   * Pattern-windows without an ERROR by how many records they held, as [records, windows] pairs: what a
   * rule that samples every record alike (a vendor's server-side rule) would leave uncovered can be
   * estimated from it (cost/server_rules.ts).
   */
  window_sizes: Array<[number, number]>;
  /** Records seen and kept per severity class (a replay counts them; the ledger alone does not). */
  severities?: Partial<Record<SeverityClass, { seen: number; kept: number }>>;
  /** Dollars for the span replayed, and for a month at its pace (null without a per-GB price). */
  cost_span: Savings;
  cost_month_at_this_pace: Savings;
  /**
   * The month ahead projected from the whole UTC days in the span (cost/insights.ts, projection.ts), with its
   * backtest; null under MIN_PROJECTION_DAYS whole days.
   */
  projection: (ServiceInsights['month'] & { from: string; to: string; daily_bytes_seen: number[] }) | null;
  patterns: PatternAnalysis[];
  /** Over time, in at most SERIES_POINTS buckets of whole windows: what the charts draw. */
  series: SeriesPoint[];
}

export interface SeriesPoint {
  /** The bucket's start (ms). */
  t: number;
  records_seen: number;
  records_kept: number;
  bytes_seen: number;
  bytes_kept: number;
  /** The bucket's cost at the month's pace it ran at (null without a per-GB price). */
  cost_without: number | null;
  cost_with: number | null;
}

const SERIES_POINTS = 150;

/**
 * `errors`: ERROR-and-above records counted from the traffic as read and as the chain kept it (a replay's
 * own check); without them (the daemon's ledger read later), the ledger's own counts.
 */
export function analyseService(store: Store, service: string, windowMs: number, errors: { input: ErrorTally; kept: ErrorTally } | undefined, options: InsightsOptions, range?: { from: number; to: number }): ServiceAnalysis {
  const rows = store.ledger(service, range?.from, range?.to);
  const first = Math.min(...rows.map((r) => r.window_start));
  const end = Math.max(...rows.map((r) => r.window_start)) + windowMs;
  const spanMs = Math.max(windowMs, end - first);
  const middle = first + spanMs / 2;
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const seen = { records: sum((r) => r.seen), bytes: sum((r) => r.wire_bytes_seen) };
  const kept = { records: sum((r) => r.kept), bytes: sum((r) => r.wire_bytes_kept) };
  const monthly = (DAYS_PER_MONTH * DAY_MS) / spanMs;
  // Records of the anomalies found: every window of the pattern (or, service-wide, of every pattern) the
  // anomaly overlapped.
  const anomalies = store.anomalies().filter((a) => a.service === service && a.start < end && (a.end ?? end) > first);
  let incident = 0;
  let incidentKept = 0;
  for (const r of rows) {
    const inIncident = anomalies.some((a) => (a.pattern === '' || a.pattern === r.pattern) && r.window_start + windowMs > a.start && r.window_start <= (a.end ?? end));
    if (!inIncident) continue;
    incident += r.seen;
    incidentKept += r.kept;
  }
  const byPattern = new Map<string, { records: number; bytes: number; kept: number; errors: number; early: number; late: number }>();
  for (const r of rows) {
    const p = byPattern.get(r.pattern) ?? { records: 0, bytes: 0, kept: 0, errors: 0, early: 0, late: 0 };
    p.records += r.seen;
    p.errors += r.errors_seen;
    p.bytes += r.wire_bytes_seen;
    p.kept += r.kept;
    if (r.window_start < middle) p.early += r.seen;
    else p.late += r.seen;
    byPattern.set(r.pattern, p);
  }
  const templates = new Map(store.patterns(service).map((p) => [p.id, p.template]));
  const patterns = [...byPattern.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]))
    .slice(0, options.topPatterns)
    .map(([id, p]) => ({
      pattern_id: id,
      template: templates.get(id) ?? null,
      records: p.records,
      bytes: p.bytes,
      share: ratio(p.bytes, seen.bytes),
      error_share: ratio(errors ? (errors.kept.byPattern.get(`${service}\u0000${id}`) ?? 0) : p.errors, p.records),
      trend: p.early === 0 || p.late === 0 ? null : Number((p.late / p.early - 1).toFixed(4)),
      kept_share: ratio(p.kept, p.records),
    }));
  return {
    service,
    records_seen: seen.records,
    records_kept: kept.records,
    bytes_seen: seen.bytes,
    bytes_kept: kept.bytes,
    reduction: seen.bytes === 0 ? 0 : Number((1 - kept.bytes / seen.bytes).toFixed(4)),
    errors_seen: errors ? (errors.input.byService.get(service) ?? 0) : sum((r) => r.errors_seen),
    errors_kept: errors ? (errors.kept.byService.get(service) ?? 0) : sum((r) => r.errors_kept),
    pattern_windows: rows.length,
    pattern_windows_kept: rows.filter((r) => r.kept > 0).length,
    window_sizes: windowSizes(rows),
    anomalies: anomalies.length,
    incident_records: incident,
    incident_records_kept: incidentKept,
    boosted: { records: sum((r) => r.boosted), bytes: sum((r) => r.wire_bytes_boosted) },
    added_bytes_estimate: seen.records === 0 ? 0 : Math.max(0, Math.round(kept.bytes - (kept.records * seen.bytes) / seen.records)),
    ...(errors ? { severities: severityCounts(errors.input.byClass.get(service), errors.kept.byClass.get(service)) } : {}),
    cost_span: rounded(savings(options.prices, seen, kept, spanMs, options.retentionDays)),
    projection: projection(store, service, first, end, options),
    cost_month_at_this_pace: rounded(savings(options.prices, { records: seen.records * monthly, bytes: seen.bytes * monthly }, { records: kept.records * monthly, bytes: kept.bytes * monthly }, DAYS_PER_MONTH * DAY_MS, options.retentionDays)),
    patterns,
    series: series(rows, first, end, windowMs, options),
  };
}

/** Whole days a projection needs: three to learn from and one to check (projection.ts backtests from the fourth). */
const MIN_PROJECTION_DAYS = 4;

function projection(store: Store, service: string, first: number, end: number, options: InsightsOptions): ServiceAnalysis['projection'] {
  const from = Math.ceil(first / DAY_MS) * DAY_MS;
  const to = Math.floor(end / DAY_MS) * DAY_MS;
  if ((to - from) / DAY_MS < MIN_PROJECTION_DAYS) return null;
  const insights = serviceInsights(store, service, options, { from, to });
  return { ...insights.month, from: insights.from, to: insights.to, daily_bytes_seen: insights.days.map((d) => d.bytes_seen) };
}

/** The ledger's windows summed into buckets of whole windows, at most SERIES_POINTS of them. */
function series(rows: ReturnType<Store['ledger']>, first: number, end: number, windowMs: number, options: InsightsOptions): SeriesPoint[] {
  const bucketMs = Math.max(1, Math.ceil((end - first) / windowMs / SERIES_POINTS)) * windowMs;
  const points: SeriesPoint[] = [];
  for (let t = first; t < end; t += bucketMs) points.push({ t, records_seen: 0, records_kept: 0, bytes_seen: 0, bytes_kept: 0, cost_without: null, cost_with: null });
  for (const r of rows) {
    const p = points[Math.floor((r.window_start - first) / bucketMs)]!;
    p.records_seen += r.seen;
    p.records_kept += r.kept;
    p.bytes_seen += r.wire_bytes_seen;
    p.bytes_kept += r.wire_bytes_kept;
  }
  const cost = (records: number, bytes: number) => {
    const c = periodCost(options.prices, { records, bytes }, bucketMs, options.retentionDays);
    return c === null ? null : Number(c.toFixed(4));
  };
  for (const p of points) {
    p.cost_without = cost(p.records_seen, p.bytes_seen);
    p.cost_with = cost(p.records_kept, p.bytes_kept);
  }
  return points;
}

function windowSizes(rows: ReturnType<Store['ledger']>): Array<[number, number]> {
  const sizes = new Map<number, number>();
  for (const r of rows) if (r.errors_seen === 0) sizes.set(r.seen, (sizes.get(r.seen) ?? 0) + 1);
  return [...sizes.entries()].sort((a, b) => a[0] - b[0]);
}

function severityCounts(seen: Map<SeverityClass, number> | undefined, kept: Map<SeverityClass, number> | undefined): Partial<Record<SeverityClass, { seen: number; kept: number }>> {
  const out: Partial<Record<SeverityClass, { seen: number; kept: number }>> = {};
  for (const cls of SEVERITY_CLASSES) {
    const n = seen?.get(cls) ?? 0;
    if (n > 0) out[cls] = { seen: n, kept: kept?.get(cls) ?? 0 };
  }
  return out;
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Number((a / b).toFixed(4));
}

function rounded(s: Savings): Savings {
  const r = (n: number | null) => (n === null ? null : Number(n.toFixed(2)));
  return { without: r(s.without), with: r(s.with), saved: r(s.saved) };
}
