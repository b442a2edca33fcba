// The sampler on a fake clock: each always-keep rule, static rates whose re-weighted counts come back to the
// truth, decisions consistent by trace id, the exact ledger (and its row in the store), dynamic budget
// convergence with rare patterns kept whole, dry run, and policy validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import { mergeDefaults } from '../../../config/merge.js';
import type { LogBatch } from '../../../pipeline/batch.js';
import { dynamicKeep } from '../../../processors/sampler/dynamic_rates.js';
import { samplerProcessorFactory, type SamplerConfig } from '../../../processors/sampler/factory.js';
import { fakeClock } from '../../support/fake_clock.js';
import { batchOf, traceIdFor, type RecordSpec } from '../../support/records.js';
import { testProcessorSettings } from '../../support/settings.js';

async function sampler(overrides: Record<string, unknown> = {}) {
  const { fake, clock } = fakeClock();
  const config = mergeDefaults(samplerProcessorFactory.defaultConfig(), overrides) as SamplerConfig;
  assert.deepEqual(samplerProcessorFactory.validate(config), []);
  const settings = testProcessorSettings('sampler', { clock });
  const processor = samplerProcessorFactory.create(settings, config);
  await processor.start();
  const input = new Subject<LogBatch>();
  const kept: Array<{ body: string; rate: number; reason: string; pattern: string }> = [];
  input.pipe(processor.operator).subscribe((batch) => {
    for (const group of batch.groups()) {
      for (const r of group.records) {
        kept.push({ body: r.bodyText, rate: Number(r.attributes.get('logsift.sample_rate')), reason: String(r.attributes.get('logsift.sample_reason')), pattern: String(r.attributes.get('logsift.pattern.id')) });
      }
    }
  });
  return { fake, settings, processor, kept, send: (records: RecordSpec[], service?: string) => input.next(batchOf(records, service)) };
}

describe('sampler', () => {
  it('always keeps ERROR and above, whatever the policy says, and records matching a keep rule', async () => {
    const s = await sampler({
      policy: { severity_keep: { INFO: 0, ERROR: 0, FATAL: 0 }, first_k_per_window: 0, keep_rules: [{ attribute: 'http.status_code', op: '>=', value: 500 }] },
      min_keep: 0,
    });
    s.send([
      { body: 'boom', severity: 17 },
      { body: 'dead', severity: 21 },
      { body: 'ok', severity: 9, attributes: { 'http.status_code': 200 } },
      { body: 'bad gateway', severity: 9, attributes: { 'http.status_code': 502 } },
      { body: 'quiet', severity: 9 },
    ]);
    assert.deepEqual(s.kept.map((k) => [k.body, k.reason, k.rate]), [
      ['boom', 'severity', 1],
      ['dead', 'severity', 1],
      ['bad gateway', 'rule', 1],
    ]);
  });

  it('keeps the first K records of every pattern in every window', async () => {
    const s = await sampler({ policy: { severity_keep: { INFO: 0 }, first_k_per_window: 3 }, min_keep: 0 });
    s.send(Array.from({ length: 10 }, (_, i) => ({ body: `a${i}`, pattern: 'A' })));
    s.send(Array.from({ length: 2 }, (_, i) => ({ body: `b${i}`, pattern: 'B' })));
    assert.deepEqual(s.kept.map((k) => k.body), ['a0', 'a1', 'a2', 'b0', 'b1']);
    s.fake.tick(10_000); // the next window: first K again
    s.send(Array.from({ length: 5 }, (_, i) => ({ body: `a${i + 10}`, pattern: 'A' })));
    assert.deepEqual(s.kept.slice(5).map((k) => [k.body, k.reason]), [['a10', 'first'], ['a11', 'first'], ['a12', 'first']]);
  });

  it('static rates: kept records carry 1/p, and re-weighted counts come back to the truth', async () => {
    const s = await sampler({ policy: { severity_keep: { INFO: 0.1, DEBUG: 0.02 }, first_k_per_window: 0 } });
    const records: RecordSpec[] = [];
    for (let i = 0; i < 20_000; i++) records.push({ body: `info ${i}`, severity: 9, pattern: 'I', traceId: traceIdFor(i) });
    for (let i = 0; i < 50_000; i++) records.push({ body: `debug ${i}`, severity: 5, pattern: 'D', traceId: traceIdFor(100_000 + i) });
    s.send(records);
    const estimate = (pattern: string) => s.kept.filter((k) => k.pattern === pattern).reduce((n, k) => n + k.rate, 0);
    assert.ok(s.kept.filter((k) => k.pattern === 'I').every((k) => Math.abs(k.rate - 10) < 1e-9));
    assert.ok(Math.abs(estimate('I') - 20_000) / 20_000 < 0.05, `INFO estimate ${estimate('I')}`);
    assert.ok(Math.abs(estimate('D') - 50_000) / 50_000 < 0.08, `DEBUG estimate ${estimate('D')}`);
    assert.ok(s.kept.length < 0.15 * records.length, `kept ${s.kept.length} of ${records.length}`);
  });

  it('decisions are consistent by trace id: a request kept at the lower rate is kept at the higher one too', async () => {
    const s = await sampler({ policy: { pattern_keep: { low: 0.2, high: 0.5 }, first_k_per_window: 0 } });
    const records: RecordSpec[] = [];
    for (let i = 0; i < 2000; i++) {
      records.push({ body: `low ${i}`, pattern: 'low', traceId: traceIdFor(i) });
      records.push({ body: `high ${i}`, pattern: 'high', traceId: traceIdFor(i) });
    }
    s.send(records);
    const kept = new Set(s.kept.map((k) => k.body));
    let lowKept = 0;
    for (let i = 0; i < 2000; i++) {
      if (!kept.has(`low ${i}`)) continue;
      lowKept += 1;
      assert.ok(kept.has(`high ${i}`), `trace ${i}: kept at 0.2 but not at 0.5`);
    }
    assert.ok(lowKept > 300 && lowKept < 500, `${lowKept} of 2000 at 0.2`);
  });

  it('keeps an exact ledger per window and pattern, saved to the store', async () => {
    const s = await sampler({ policy: { severity_keep: { INFO: 0.25 }, first_k_per_window: 2 } });
    s.send(Array.from({ length: 400 }, (_, i) => ({ body: `x${i}`, pattern: 'X', traceId: traceIdFor(i) })));
    s.send([{ body: 'err', severity: 17, pattern: 'E' }]);
    s.fake.tick(10_000);
    s.send(Array.from({ length: 100 }, (_, i) => ({ body: `y${i}`, pattern: 'X', traceId: traceIdFor(1000 + i) })));
    await s.processor.shutdown();
    const rows = s.settings.store.get().ledger('api');
    const keptX = s.kept.filter((k) => k.pattern === 'X');
    const xRows = rows.filter((r) => r.pattern === 'X');
    assert.equal(xRows.length, 2, 'one row per window');
    assert.deepEqual(xRows.map((r) => r.seen), [400, 100]);
    assert.equal(xRows.reduce((n, r) => n + r.kept, 0), keptX.length, 'kept in the ledger = records that left');
    for (const r of rows) assert.equal(r.seen, r.kept + r.dropped);
    assert.equal(xRows[0]!.bytes_seen, Array.from({ length: 400 }, (_, i) => `x${i}`.length).reduce((a, b) => a + b, 0));
    assert.deepEqual(rows.find((r) => r.pattern === 'E'), { window_start: xRows[0]!.window_start, service: 'api', pattern: 'E', seen: 1, kept: 1, dropped: 0, bytes_seen: 3, bytes_kept: 3 });
  });

  it('dynamic mode converges on the budget, rare patterns kept whole, the loudest giving up most', async () => {
    const s = await sampler({ window: '1s', policy: { mode: 'dynamic', budget: { records_per_second: 200 }, first_k_per_window: 0 } });
    const volumes: Record<string, number> = { loud: 5000, medium: 500, quiet: 50, rare: 1 };
    const keptPerWindow: number[] = [];
    let trace = 0;
    for (let w = 0; w < 8; w++) {
      const before = s.kept.length;
      const records: RecordSpec[] = [];
      for (const [pattern, n] of Object.entries(volumes)) for (let i = 0; i < n; i++) records.push({ body: `${pattern} ${i}`, pattern, traceId: traceIdFor(trace++) });
      s.send(records);
      keptPerWindow.push(s.kept.length - before);
      s.fake.tick(1000);
    }
    const settled = keptPerWindow.slice(3);
    for (const n of settled) assert.ok(n > 160 && n < 240, `kept ${n} a window against a budget of 200 (${keptPerWindow})`);
    const lastWindow = s.kept.slice(-settled[settled.length - 1]!);
    assert.ok(lastWindow.some((k) => k.pattern === 'rare' && k.rate === 1), 'the rare pattern is kept whole');
    const rateOf = (p: string) => lastWindow.find((k) => k.pattern === p)!.rate;
    assert.ok(rateOf('loud') > rateOf('medium') && rateOf('medium') > rateOf('quiet'));
  });

  it('dry run keeps everything and marks what would have been dropped', async () => {
    const s = await sampler({ dry_run: true, policy: { severity_keep: { INFO: 0 }, first_k_per_window: 1 }, min_keep: 0 });
    s.send([{ body: 'first' }, { body: 'second' }, { body: 'third' }]);
    assert.deepEqual(s.kept.map((k) => [k.body, k.reason, k.rate]), [
      ['first', 'first', 1],
      ['second', 'dry_run_drop', 1],
      ['third', 'dry_run_drop', 1],
    ]);
  });

  it('validates policies: the ERROR invariant cannot be raised, dynamic mode needs a budget', () => {
    const base = samplerProcessorFactory.defaultConfig();
    assert.ok(samplerProcessorFactory.validate({ ...base, keep_at_or_above: 'FATAL' as never }).some((p) => p.path === 'keep_at_or_above'));
    const noBudget = mergeDefaults(base, { policy: { mode: 'dynamic' } }) as SamplerConfig;
    assert.deepEqual(samplerProcessorFactory.validate(noBudget), [{ path: 'policy.budget', message: 'dynamic mode needs records_per_second or bytes_per_second' }]);
    const badRule = mergeDefaults(base, { services: { api: { keep_rules: [{ attribute: 'x', op: '>=' }] } } }) as SamplerConfig;
    assert.deepEqual(samplerProcessorFactory.validate(badRule), [{ path: 'services.api.keep_rules[0].value', message: 'is required for >=' }]);
  });

  it('shares a budget with log weighting (unit)', () => {
    const keep = dynamicKeep(new Map([['a', 10_000], ['b', 100], ['c', 1]]), 1000, 0.001);
    assert.equal(keep.get('c'), 1);
    const kept = 10_000 * keep.get('a')! + 100 * keep.get('b')! + 1;
    assert.ok(Math.abs(kept - 1000) < 1, `expected keeps ${kept}`);
    assert.equal(keep.get('b'), 1, 'b fits its share whole');
    assert.deepEqual([...dynamicKeep(new Map([['a', 10]]), 100, 0.001)], [['a', 1]], 'under budget: everything kept');
  });
});
