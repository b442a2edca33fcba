// What logsift saved, in records, bytes and money, from the exact ledger: per UTC day and service, what was
// seen (what a backend would have billed without logsift, as the records arrived) against what was kept (as
// sent, logsift's attributes included), billed with a vendor's prices (billing.ts); what anomaly boosts cost
// shown apart from what the policy costs; the patterns that cost most; and the month ahead, projected from the
// days behind and backtested (projection.ts). Everything comes from whole ledger windows, so a day's figures
// are exact counts, not estimates.
import type { LedgerDayRow, Store } from '../store/store.js';
import { DAYS_PER_MONTH, periodCost, savings, type Usage } from './billing.js';
import { backtest, project } from './projection.js';
import type { PriceModel, VendorPreset } from './vendor_presets.js';

export const DAY_MS = 86_400_000;

export interface InsightsOptions {
  vendor: VendorPreset;
  /** The preset's prices with the user's overrides. */
  prices: PriceModel;
  retentionDays: number;
  topPatterns: number;
}

/** Whole UTC days: [from, to), each a day's first millisecond. */
export interface DayRange {
  from: number;
  to: number;
}

/** The `days` whole UTC days before `now`'s (today is still filling). */
export function daysBefore(now: number, days: number): DayRange {
  const to = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: to - days * DAY_MS, to };
}

export interface Figures {
  records_seen: number;
  records_kept: number;
  /** Of the kept, those only an anomaly boost kept. */
  records_boosted: number;
  bytes_seen: number;
  bytes_kept: number;
  bytes_boosted: number;
  /** 1 − bytes kept / bytes seen. */
  reduction: number;
  /** ERROR and above, seen and kept (kept all, by the sampler's invariant). */
  errors_seen: number;
  errors_kept: number;
  /** Patterns in windows, and those with a record kept (all, by first-K). */
  pattern_windows: number;
  pattern_windows_kept: number;
  /** Dollars; null when the vendor's per-GB price is unknown. */
  cost_without: number | null;
  cost_with: number | null;
  saved: number | null;
  /** What the boosts' records cost within `cost_with`. */
  boost_cost: number | null;
}

export interface ServiceInsights {
  service: string;
  from: string;
  to: string;
  vendor: { name: string; label: string; prices: PriceModel; retention_days: number; source: string; read: string; caveats: string[] };
  days: Array<{ day: string } & Figures>;
  totals: Figures;
  /** The next 30 days at the pace the days behind project, with the backtest's p90 error as the interval. */
  month: {
    days: number;
    bytes_seen: number;
    bytes_kept: number;
    bytes_interval: [number, number] | null;
    cost_without: number | null;
    cost_with: number | null;
    saved: number | null;
    weekly_pattern: boolean;
    backtest: { days: number; p50_error: number; p90_error: number } | null;
  };
  /** By bytes seen, costed at the vendor's marginal rates (no free tier or platform fee shared out). */
  top_patterns: Array<{ pattern_id: string; template: string | null; records_seen: number; records_kept: number; bytes_seen: number; bytes_kept: number; cost_without: number | null; cost_with: number | null }>;
}

const round = (n: number | null, digits = 2) => (n === null ? null : Number(n.toFixed(digits)));
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function figures(options: InsightsOptions, rows: readonly LedgerDayRow[], periodMs: number): Figures {
  const sum = (pick: (r: LedgerDayRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const seen: Usage = { records: sum((r) => r.seen), bytes: sum((r) => r.wire_bytes_seen) };
  const kept: Usage = { records: sum((r) => r.kept), bytes: sum((r) => r.wire_bytes_kept) };
  const boosted: Usage = { records: sum((r) => r.boosted), bytes: sum((r) => r.wire_bytes_boosted) };
  const money = savings(options.prices, seen, kept, periodMs, options.retentionDays);
  const withoutBoosts = periodCost(options.prices, { records: kept.records - boosted.records, bytes: kept.bytes - boosted.bytes }, periodMs, options.retentionDays);
  return {
    records_seen: seen.records,
    records_kept: kept.records,
    records_boosted: boosted.records,
    bytes_seen: seen.bytes,
    bytes_kept: kept.bytes,
    bytes_boosted: boosted.bytes,
    reduction: seen.bytes === 0 ? 0 : Number((1 - kept.bytes / seen.bytes).toFixed(4)),
    errors_seen: sum((r) => r.errors_seen),
    errors_kept: sum((r) => r.errors_kept),
    pattern_windows: sum((r) => r.pattern_windows),
    pattern_windows_kept: sum((r) => r.pattern_windows_kept),
    cost_without: round(money.without),
    cost_with: round(money.with),
    saved: round(money.saved),
    boost_cost: round(money.with === null || withoutBoosts === null ? null : money.with - withoutBoosts),
  };
}

/** The report for one service over the days of `range`. */
export function serviceInsights(store: Store, service: string, options: InsightsOptions, range: DayRange): ServiceInsights {
  const { from, to } = range;
  const spanMs = to - from;
  const rows = store.ledgerDays(from, to, service);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days: ServiceInsights['days'] = [];
  const seenSeries: number[] = [];
  const keptSeries: number[] = [];
  for (let day = from; day < to; day += DAY_MS) {
    const row = byDay.get(day);
    days.push({ day: isoDay(day), ...figures(options, row ? [row] : [], DAY_MS) });
    seenSeries.push(row?.wire_bytes_seen ?? 0);
    keptSeries.push(row?.wire_bytes_kept ?? 0);
  }
  // Projected from the first day with traffic: days before the service existed are not a quiet week.
  const first = seenSeries.findIndex((b) => b > 0);
  const weekdayOf = (index: number) => new Date(from + (first + index) * DAY_MS).getUTCDay();
  const active = first < 0 ? [] : seenSeries.slice(first);
  const activeKept = first < 0 ? [] : keptSeries.slice(first);
  const check = backtest(active, WEEK_DAYS, weekdayOf);
  const monthDays = Math.round(DAYS_PER_MONTH);
  const seenAhead = project(active, monthDays, weekdayOf, check);
  const keptAhead = project(activeKept, monthDays, weekdayOf, undefined);
  const recordsPerByte = (pick: (r: LedgerDayRow) => number, bytes: (r: LedgerDayRow) => number) => {
    const b = rows.reduce((n, r) => n + bytes(r), 0);
    return b === 0 ? 0 : rows.reduce((n, r) => n + pick(r), 0) / b;
  };
  const monthMs = monthDays * DAY_MS;
  const seenUsage = { bytes: seenAhead.total, records: seenAhead.total * recordsPerByte((r) => r.seen, (r) => r.wire_bytes_seen) };
  const keptUsage = { bytes: keptAhead.total, records: keptAhead.total * recordsPerByte((r) => r.kept, (r) => r.wire_bytes_kept) };
  const month = savings(options.prices, seenUsage, keptUsage, monthMs, options.retentionDays);
  const top = store.ledgerTopPatterns(service, from, to, options.topPatterns);
  const marginal = (usage: Usage) => (options.prices.per_gb === null ? null : round((usage.bytes / (options.prices.gib ? 2 ** 30 : 1e9)) * options.prices.per_gb + (usage.records / 1e6) * options.prices.per_million_records));
  return {
    service,
    from: isoDay(from),
    to: isoDay(to),
    vendor: { name: options.vendor.name, label: options.vendor.label, prices: options.prices, retention_days: options.retentionDays, source: options.vendor.source, read: options.vendor.read, caveats: options.vendor.caveats },
    days,
    totals: figures(options, rows, spanMs),
    month: {
      days: monthDays,
      bytes_seen: Math.round(seenAhead.total),
      bytes_kept: Math.round(keptAhead.total),
      bytes_interval: seenAhead.low === undefined || seenAhead.high === undefined ? null : [Math.round(seenAhead.low), Math.round(seenAhead.high)],
      cost_without: round(month.without),
      cost_with: round(month.with),
      saved: round(month.saved),
      weekly_pattern: seenAhead.weekly,
      backtest: check ? { days: check.days, p50_error: round(check.p50_error, 4)!, p90_error: round(check.p90_error, 4)! } : null,
    },
    top_patterns: top.map((p) => ({
      pattern_id: p.pattern,
      template: p.template,
      records_seen: p.seen,
      records_kept: p.kept,
      bytes_seen: p.wire_bytes_seen,
      bytes_kept: p.wire_bytes_kept,
      cost_without: marginal({ records: p.seen, bytes: p.wire_bytes_seen }),
      cost_with: marginal({ records: p.kept, bytes: p.wire_bytes_kept }),
    })),
  };
}

const WEEK_DAYS = 7;

/** Every service with ledger rows in the range, each summarised, and the sum of their figures. */
export function allInsights(store: Store, options: InsightsOptions, range: DayRange): { from: string; to: string; services: Array<{ service: string } & Figures>; totals: Figures } {
  const { from, to } = range;
  const rows = store.ledgerDays(from, to);
  const services = [...new Set(rows.map((r) => r.service))].sort();
  return {
    from: isoDay(from),
    to: isoDay(to),
    services: services.map((service) => ({ service, ...figures(options, rows.filter((r) => r.service === service), to - from) })),
    totals: figures(options, rows, to - from),
  };
}
