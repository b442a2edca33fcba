// The cost model on the vendors' list prices (../shared/contracts/cost.md), worked by hand: ingest past the
// free tier, records indexed, retention past what is included, platform fees, GiB against GB, a month's
// pace prorated to a day, and no money where the price is unknown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAYS_PER_MONTH, monthlyCost, periodCost, savings } from '../../cost/billing.js';
import { VENDORS, VENDOR_PRESETS } from '../../cost/vendor_presets.js';

const GB = 1e9;
const DAY = 86_400_000;
const close = (actual: number | null | undefined, expected: number, what: string) => assert.ok(actual != null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} against ${expected}`);

describe('cost model', () => {
  it('bills a month as each vendor lists it', () => {
    // Grafana Cloud: 50 GB free, $0.55/GB after, $19 platform.
    close(monthlyCost(VENDOR_PRESETS.grafana_cloud.prices, { bytes: 100 * GB, records: 1e9 }, 30)?.total, 50 * 0.55 + 19, 'grafana 100 GB');
    close(monthlyCost(VENDOR_PRESETS.grafana_cloud.prices, { bytes: 20 * GB, records: 1e9 }, 30)?.total, 19, 'grafana within the free tier');
    // Google Cloud Logging bills GiB: 60 GiB is 10 GiB past the free 50.
    close(monthlyCost(VENDOR_PRESETS.google_cloud_logging.prices, { bytes: 60 * 2 ** 30, records: 0 }, 30)?.total, 10 * 0.5, 'google 60 GiB');
    // Datadog: per GB ingested and per million records indexed.
    close(monthlyCost(VENDOR_PRESETS.datadog.prices, { bytes: 10 * GB, records: 5e6 }, 15)?.total, 10 * 0.1 + 5 * 1.7, 'datadog annual');
    close(monthlyCost(VENDOR_PRESETS.datadog_on_demand.prices, { bytes: 10 * GB, records: 5e6 }, 15)?.total, 10 * 0.1 + 5 * 2.55, 'datadog on demand');
    close(monthlyCost(VENDOR_PRESETS.new_relic.prices, { bytes: 150 * GB, records: 0 }, 30)?.total, 50 * 0.4, 'new relic past 100 GB');
  });

  it('charges retention past what is included, per GB ingested and extra month', () => {
    const prices = { ...VENDOR_PRESETS.posthog.prices, per_gb: 0.1 };
    const month = monthlyCost(prices, { bytes: 100 * GB, records: 0 }, 14 + 30)!;
    close(month.ingest, 10, 'ingest');
    close(month.retention, 100 * 0.05, 'a month past the 14 days');
    close(monthlyCost(prices, { bytes: 100 * GB, records: 0 }, 14)!.retention, 0, 'no retention charge within 14 days');
  });

  it('has no money without a per-GB price (PostHog\'s is not public), and says so', () => {
    assert.equal(monthlyCost(VENDOR_PRESETS.posthog.prices, { bytes: GB, records: 1 }, 14), null);
    assert.deepEqual(savings(VENDOR_PRESETS.posthog.prices, { bytes: GB, records: 1 }, { bytes: 1, records: 1 }, DAY, 14), { without: null, with: null, saved: null });
    assert.ok(VENDOR_PRESETS.posthog.caveats.some((c) => c.includes('per_gb')));
  });

  it('prorates: a day at a month\'s pace pays its share of the month, free tier included', () => {
    const prices = VENDOR_PRESETS.grafana_cloud.prices;
    const perDay = 10 * GB;
    const month = monthlyCost(prices, { bytes: perDay * DAYS_PER_MONTH, records: 0 }, 30)!.total;
    close(periodCost(prices, { bytes: perDay, records: 0 }, DAY, 30), month / DAYS_PER_MONTH, 'a day');
    const saved = savings(prices, { bytes: perDay, records: 0 }, { bytes: perDay / 10, records: 0 }, DAY, 30);
    close(saved.saved, saved.without! - saved.with!, 'saved is the difference');
    // Kept volume under the free tier: only the platform fee is left, and it is not counted as saved.
    close(saved.with, 19 / DAYS_PER_MONTH, 'what is kept fits the free tier');
  });

  it('names a source and the date read for every preset', () => {
    for (const name of VENDORS) {
      const preset = VENDOR_PRESETS[name];
      assert.equal(preset.name, name);
      assert.ok(preset.source.length > 10 && /^\d{4}(-\d{2}){0,2}$/.test(preset.read), `${name}: ${preset.source} / ${preset.read}`);
    }
  });
});
