// The `insights` extension: listed under `service.extensions`, it answers on the telemetry server what the
// ledger says logsift saved, in records, bytes and a vendor's dollars (insights.ts):
//   GET /api/v1/insights                 every service over the last `days` whole days, and their sum
//   GET /api/v1/insights/{service}       one service: per day, totals, the month ahead, the costliest patterns
// `?days=N` (1–90) overrides the configured span.
import { compileConfigSchema } from '../config/schema_validator.js';
import type { CreateSettings, Extension, ExtensionFactory } from '../pipeline/component.js';
import { sendJson } from '../pipeline/http_routes.js';
import { allInsights, daysBefore, serviceInsights, type InsightsOptions } from './insights.js';
import { VENDORS, VENDOR_PRESETS, type PriceModel, type VendorName } from './vendor_presets.js';

export const INSIGHTS_PREFIX = '/api/v1/insights';
const MAX_DAYS = 90;

export interface InsightsConfig {
  vendor: VendorName;
  /** Overrides of the preset's prices (PostHog's per-GB rate must be given here to see money). */
  prices: Partial<PriceModel>;
  /** How long the backend keeps logs; the preset's included retention when not set. */
  retention_days: number | null;
  days: number;
  top_patterns: number;
}

/** The settings that price what was seen and kept: a vendor's preset, overrides, retention (the console takes them too). */
export const PRICING_PROPERTIES = {
  vendor: { enum: [...VENDORS] },
  prices: {
    type: 'object',
    additionalProperties: false,
    properties: {
      per_gb: { type: ['number', 'null'], minimum: 0 },
      gib: { type: 'boolean' },
      per_million_records: { type: 'number', minimum: 0 },
      free_gb_per_month: { type: 'number', minimum: 0 },
      platform_per_month: { type: 'number', minimum: 0 },
      included_retention_days: { type: 'number', minimum: 0 },
      retention_per_gb_month: { type: 'number', minimum: 0 },
    },
  },
  retention_days: { type: ['integer', 'null'], minimum: 1 },
};

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PRICING_PROPERTIES,
    days: { type: 'integer', minimum: 1, maximum: MAX_DAYS },
    top_patterns: { type: 'integer', minimum: 1, maximum: 1000 },
  },
};
const checkSchema = compileConfigSchema(schema);

export function defaultInsightsConfig(): InsightsConfig {
  return { vendor: 'posthog', prices: {}, retention_days: null, days: 7, top_patterns: 10 };
}

/** The preset with the user's prices over it. */
export function insightsOptions(config: Pick<InsightsConfig, 'vendor' | 'prices' | 'retention_days' | 'top_patterns'>): InsightsOptions {
  const vendor = VENDOR_PRESETS[config.vendor];
  const prices = { ...vendor.prices, ...config.prices };
  const caveats = [...vendor.caveats];
  if (config.prices.per_gb !== undefined && vendor.prices.per_gb === null) caveats[0] = `per-GB rate set in config: $${prices.per_gb}`;
  if (prices.free_gb_per_month > 0 || prices.platform_per_month > 0) {
    caveats.push('per service, the free tier and the platform fee are applied as if the service were billed alone; /api/v1/insights sums the account');
  }
  return { vendor: { ...vendor, caveats }, prices, retentionDays: config.retention_days ?? prices.included_retention_days, topPatterns: config.top_patterns };
}

class InsightsExtension implements Extension {
  #removeRoute: (() => void) | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: InsightsConfig,
  ) {}

  async start(): Promise<void> {
    this.#removeRoute = this.settings.routes.add(INSIGHTS_PREFIX, async (req, res, path) => {
      const method = req.method ?? 'GET';
      if (method !== 'GET') return sendJson(res, 405, { error: `${method} is not allowed here; insights are read with GET` }, { allow: 'GET' });
      const url = new URL(req.url ?? path, 'http://insights');
      const daysParam = url.searchParams.get('days');
      const days = daysParam === null ? this.config.days : Number(daysParam);
      if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) return sendJson(res, 400, { error: `days must be a whole number from 1 to ${MAX_DAYS}` });
      const rest = path.slice(INSIGHTS_PREFIX.length).replace(/^\//, '');
      const options = insightsOptions(this.config);
      const store = this.settings.store.get();
      const range = daysBefore(this.settings.clock.now(), days);
      if (rest === '') return sendJson(res, 200, allInsights(store, options, range));
      if (rest.includes('/')) return sendJson(res, 404, { error: `expected ${INSIGHTS_PREFIX} or ${INSIGHTS_PREFIX}/{service}` });
      return sendJson(res, 200, serviceInsights(store, decodeURIComponent(rest), options, range));
    });
  }

  async shutdown(): Promise<void> {
    this.#removeRoute?.();
    this.#removeRoute = undefined;
  }
}

export const insightsExtensionFactory: ExtensionFactory<InsightsConfig> = {
  kind: 'extension',
  type: 'insights',
  defaultConfig: defaultInsightsConfig,
  validate: (config) => checkSchema(config),
  create: (settings, config) => new InsightsExtension(settings, config),
};
