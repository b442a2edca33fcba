// GET /api/v1/overview: what the console's first page shows, in one answer — the ledger over the last
// `minutes` (records and bytes seen, kept, dropped, boosted, per bucket, all services), what that saved in
// the configured vendor's money, the live counters of the last ten minutes (intentional drops apart from
// delivery loss), and each exporter's health. Everything on the page is a field of this answer.
import type { Registry } from 'prom-client';
import type { Store } from '../../store/store.js';
import { savings } from '../../cost/billing.js';
import type { InsightsOptions } from '../../cost/insights.js';
import type { LiveCounters } from './live_counters.js';

export interface ExporterHealth {
  exporter: string;
  sent: number;
  send_failed: number;
  retries: number;
  dead_lettered: number;
  lost: number;
  queue: number;
  /** `ok`, `retrying` (failures, none lost), `losing` (dead letters or losses). */
  status: 'ok' | 'retrying' | 'losing';
}

async function byLabel(registry: Registry, name: string, label: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const metric = registry.getSingleMetric(name);
  if (!metric) return out;
  for (const v of (await metric.get()).values) {
    const key = String((v.labels as Record<string, string>)[label] ?? '');
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

export async function exporterHealth(registry: Registry): Promise<ExporterHealth[]> {
  const [sent, failed, retries, dead, lost, queue] = await Promise.all(
    ['logsift_exporter_sent_log_records_total', 'logsift_exporter_send_failed_log_records_total', 'logsift_exporter_retries_total', 'logsift_exporter_dead_lettered_log_records_total', 'logsift_exporter_lost_log_records_total', 'logsift_exporter_queue_size_log_records'].map((name) => byLabel(registry, name, 'exporter')),
  );
  const names = new Set([...sent!.keys(), ...failed!.keys(), ...retries!.keys(), ...dead!.keys(), ...lost!.keys(), ...queue!.keys()]);
  return [...names].sort().map((exporter) => {
    const row = { exporter, sent: sent!.get(exporter) ?? 0, send_failed: failed!.get(exporter) ?? 0, retries: retries!.get(exporter) ?? 0, dead_lettered: dead!.get(exporter) ?? 0, lost: lost!.get(exporter) ?? 0, queue: queue!.get(exporter) ?? 0 };
    const status: ExporterHealth['status'] = row.dead_lettered + row.lost > 0 ? 'losing' : row.send_failed + row.retries > 0 ? 'retrying' : 'ok';
    return { ...row, status };
  });
}

export interface OverviewInput {
  store: Store;
  registry: Registry;
  live: LiveCounters;
  cost: InsightsOptions;
  now: number;
  minutes: number;
  /** The ledger's window (ms): buckets are whole windows, at most `maxPoints` of them. */
  windowMs: number;
  openAnomalies: number;
  services: number;
}

const MAX_POINTS = 360;

export async function overview(input: OverviewInput) {
  const spanMs = input.minutes * 60_000;
  const bucketMs = Math.max(input.windowMs, Math.ceil(spanMs / MAX_POINTS / input.windowMs) * input.windowMs);
  const to = Math.floor(input.now / input.windowMs) * input.windowMs + input.windowMs;
  const from = to - spanMs;
  const rows = input.store.ledgerBuckets(from, to, bucketMs);
  const totals = { records_seen: 0, records_kept: 0, records_dropped: 0, records_boosted: 0, bytes_seen: 0, bytes_kept: 0, errors_seen: 0, errors_kept: 0 };
  for (const r of rows) {
    totals.records_seen += r.seen;
    totals.records_kept += r.kept;
    totals.records_dropped += r.dropped;
    totals.records_boosted += r.boosted;
    totals.bytes_seen += r.bytes_seen;
    totals.bytes_kept += r.bytes_kept;
    totals.errors_seen += r.errors_seen;
    totals.errors_kept += r.errors_kept;
  }
  const money = savings(input.cost.prices, { records: totals.records_seen, bytes: totals.bytes_seen }, { records: totals.records_kept, bytes: totals.bytes_kept }, spanMs, input.cost.retentionDays);
  return {
    now: input.now,
    minutes: input.minutes,
    from,
    to,
    bucket_ms: bucketMs,
    ledger: {
      t: rows.map((r) => r.t),
      seen: rows.map((r) => r.seen),
      kept: rows.map((r) => r.kept),
      dropped: rows.map((r) => r.dropped),
      boosted: rows.map((r) => r.boosted),
      bytes_seen: rows.map((r) => r.bytes_seen),
      bytes_kept: rows.map((r) => r.bytes_kept),
    },
    totals: {
      ...totals,
      reduction_records: totals.records_seen > 0 ? 1 - totals.records_kept / totals.records_seen : 0,
      reduction_bytes: totals.bytes_seen > 0 ? 1 - totals.bytes_kept / totals.bytes_seen : 0,
    },
    money: { vendor: input.cost.vendor.label, cost_without: money.without, cost_with: money.with, saved: money.saved, caveats: input.cost.vendor.caveats },
    live: liveSnapshot(input.live),
    exporters: await exporterHealth(input.registry),
    open_anomalies: input.openAnomalies,
    services: input.services,
  };
}

/** The live part alone: what the event stream sends every second. */
export function liveSnapshot(live: LiveCounters) {
  return { series: live.series(), totals: live.totals() ?? null, queue: live.queue() };
}
