// What log vendors charge, as list prices read from their public pages (../shared/contracts/cost.md): each
// preset names its source and the date it was read, because prices change; every figure can be overridden
// in config (extensions.insights.prices). Where a price could not be confirmed the preset says so — and
// PostHog's per-GB rate is not published anywhere static, so its preset has none: money needs a setting.

export type VendorName = 'posthog' | 'datadog' | 'datadog_on_demand' | 'grafana_cloud' | 'google_cloud_logging' | 'new_relic';
export const VENDORS: readonly VendorName[] = ['posthog', 'datadog', 'datadog_on_demand', 'grafana_cloud', 'google_cloud_logging', 'new_relic'];

/** How a vendor bills logs, per month. */
export interface PriceModel {
  /** Dollars per GB ingested; null when unknown (then no money is shown, only bytes). */
  per_gb: number | null;
  /** Whether a GB is 2^30 bytes (GiB) rather than 10^9. */
  gib: boolean;
  /** Dollars per million records (events indexed, where a vendor bills them). */
  per_million_records: number;
  /** Ingest free each month, in the same GB. */
  free_gb_per_month: number;
  /** A flat monthly fee, paid with or without logsift (shown, never counted as saved). */
  platform_per_month: number;
  /** Retention included in the ingest price, in days; beyond it `retention_per_gb_month` per GB ingested per 30 days. */
  included_retention_days: number;
  retention_per_gb_month: number;
}

export interface VendorPreset {
  name: VendorName;
  label: string;
  prices: PriceModel;
  source: string;
  /** When the prices were read (month or day). */
  read: string;
  /** What is unconfirmed or not modelled. */
  caveats: string[];
}

const NO_FEES = { per_million_records: 0, free_gb_per_month: 0, platform_per_month: 0, retention_per_gb_month: 0 };

export const VENDOR_PRESETS: Record<VendorName, VendorPreset> = {
  posthog: {
    name: 'posthog',
    label: 'PostHog Logs',
    prices: { ...NO_FEES, per_gb: null, gib: false, included_retention_days: 14, retention_per_gb_month: 0.05 },
    source: 'posthog.com/pricing (per-GB tiers served by PostHog\'s billing service, not in any static page); retention from its docs',
    read: '2026-11',
    caveats: [
      'the per-GB rate is not public: give yours (logsift analyze --price-per-gb, or extensions.insights.prices.per_gb) to see money',
      'the calculator starts at 50 GB, likely a free tier (unconfirmed, not applied)',
    ],
  },
  datadog: {
    name: 'datadog',
    label: 'Datadog Logs (annual)',
    prices: { ...NO_FEES, per_gb: 0.1, gib: false, per_million_records: 1.7, included_retention_days: 15 },
    source: 'datadoghq.com/pricing: $0.10/GB ingested, $1.70 per million events indexed (15-day retention, annual)',
    read: '2026',
    caveats: ['indexing is billed per record: every record kept is an event indexed', 'other retention periods not modelled'],
  },
  datadog_on_demand: {
    name: 'datadog_on_demand',
    label: 'Datadog Logs (on demand)',
    prices: { ...NO_FEES, per_gb: 0.1, gib: false, per_million_records: 2.55, included_retention_days: 15 },
    source: 'datadoghq.com/pricing: $0.10/GB ingested, $2.55 per million events indexed (15-day retention, on demand)',
    read: '2026',
    caveats: ['indexing is billed per record: every record kept is an event indexed', 'other retention periods not modelled'],
  },
  grafana_cloud: {
    name: 'grafana_cloud',
    label: 'Grafana Cloud Logs (Pro)',
    prices: { ...NO_FEES, per_gb: 0.55, gib: false, free_gb_per_month: 50, platform_per_month: 19, included_retention_days: 30 },
    source: 'grafana.com/pricing: process $0.05 + write $0.40 + retain $0.10 per GB at 30 days; 50 GB free; $19/month platform fee',
    read: '2026-08-27',
    caveats: ['the free tier\'s 14-day retention is not modelled'],
  },
  google_cloud_logging: {
    name: 'google_cloud_logging',
    label: 'Google Cloud Logging',
    prices: { ...NO_FEES, per_gb: 0.5, gib: true, free_gb_per_month: 50, included_retention_days: 30 },
    source: 'cloud.google.com/stackdriver/pricing: $0.50/GiB ingested, 50 GiB per project per month free',
    read: '2026-09-12',
    caveats: ['retention beyond the default bucket\'s is not modelled'],
  },
  new_relic: {
    name: 'new_relic',
    label: 'New Relic',
    prices: { ...NO_FEES, per_gb: 0.4, gib: false, free_gb_per_month: 100, included_retention_days: 30 },
    source: 'newrelic.com/pricing: $0.40/GB ingested beyond 100 GB a month (one source)',
    read: '2026-05',
    caveats: ['the per-GB price is unconfirmed (one source)'],
  },
};
