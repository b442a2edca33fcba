// Bytes and records as a vendor bills them, in dollars. Vendors bill by the month (free tiers, platform fees
// and retention are monthly), so a period's cost is the month's cost at the period's pace, prorated: a day of
// 10 GB costs a thirtieth of a 304 GB month. Savings are the difference between what was seen and what was
// kept, each billed in full — a free tier or a platform fee is not saved twice.
import type { PriceModel } from './vendor_presets.js';

export const DAYS_PER_MONTH = 365.25 / 12;
const DAY_MS = 86_400_000;

export interface Usage {
  records: number;
  /** Protobuf bytes (the ledger's wire bytes). */
  bytes: number;
}

export interface CostBreakdown {
  ingest: number;
  records: number;
  retention: number;
  platform: number;
  total: number;
}

/** A month's bill for this usage, with `retentionDays` kept. Null when the model has no per-GB price. */
export function monthlyCost(prices: PriceModel, usage: Usage, retentionDays: number): CostBreakdown | null {
  if (prices.per_gb === null) return null;
  const gb = usage.bytes / (prices.gib ? 2 ** 30 : 1e9);
  const ingest = Math.max(0, gb - prices.free_gb_per_month) * prices.per_gb;
  const records = (usage.records / 1e6) * prices.per_million_records;
  const extraMonths = Math.max(0, retentionDays - prices.included_retention_days) / 30;
  const retention = gb * prices.retention_per_gb_month * extraMonths;
  const platform = prices.platform_per_month;
  return { ingest, records, retention, platform, total: ingest + records + retention + platform };
}

/** What `usage` over `periodMs` costs: the month's bill at that pace, times the period's share of a month. */
export function periodCost(prices: PriceModel, usage: Usage, periodMs: number, retentionDays: number): number | null {
  if (periodMs <= 0) return 0;
  const perMonth = (DAYS_PER_MONTH * DAY_MS) / periodMs;
  const month = monthlyCost(prices, { records: usage.records * perMonth, bytes: usage.bytes * perMonth }, retentionDays);
  return month === null ? null : month.total / perMonth;
}

export interface Savings {
  without: number | null;
  with: number | null;
  saved: number | null;
}

/** What the period would have cost without logsift (everything seen) and costs with it (what was kept). */
export function savings(prices: PriceModel, seen: Usage, kept: Usage, periodMs: number, retentionDays: number): Savings {
  const without = periodCost(prices, seen, periodMs, retentionDays);
  const withLogsift = periodCost(prices, kept, periodMs, retentionDays);
  return { without, with: withLogsift, saved: without === null || withLogsift === null ? null : without - withLogsift };
}

/**
 * What one more `usage` adds to a bill already past its free tier, in dollars: the per-GB, per-record and
 * retention rates without the month's fixed parts. The cost of one pattern among many. Null without a per-GB price.
 */
export function marginalCost(prices: PriceModel, usage: Usage, retentionDays: number): number | null {
  if (prices.per_gb === null) return null;
  const gb = usage.bytes / (prices.gib ? 2 ** 30 : 1e9);
  const extraMonths = Math.max(0, retentionDays - prices.included_retention_days) / 30;
  return gb * prices.per_gb + (usage.records / 1e6) * prices.per_million_records + gb * prices.retention_per_gb_month * extraMonths;
}
