// Anomaly boost and retroactive flush, in a pipeline of ratestats → anomaly → sampler on a fake clock: when
// a pattern spikes (found within the window, once the count so far is enough), its recently dropped lines
// come back (marked retro, standing for no one), the pattern's excess over its usual rate is kept while it
// runs above it — and no longer, though the anomaly stays open and its cooldown lasts — out of a budget a
// long boost cannot exceed, then sampling resumes. The buffer of dropped records is bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import type { LogBatch } from '../../../pipeline/batch.js';
import { PipelineShared } from '../../../pipeline/pipeline_shared.js';
import { anomalyProcessorFactory } from '../../../processors/anomaly/factory.js';
import { rateStatsProcessorFactory } from '../../../processors/ratestats/factory.js';
import { samplerProcessorFactory } from '../../../processors/sampler/factory.js';
import { BoostBudget } from '../../../processors/sampler/boost_budget.js';
import { RetroBuffer } from '../../../processors/sampler/retro_buffer.js';
import { fakeClock } from '../../support/fake_clock.js';
import { batchOf, traceIdFor } from '../../support/records.js';
import { configFor, testProcessorSettings } from '../../support/settings.js';
import { SAMPLE_RATE_ATTRIBUTE, SAMPLE_REASON_ATTRIBUTE } from '../../../processors/sampler/sample_attributes.js';

const STATIC_POLICY = { mode: 'static', severity_keep: { INFO: 0.05 }, first_k_per_window: 0, anomaly_boost: { keep: 1, cooldown_seconds: 120 } };

// No onset by default: most of these cases are about the excess; the onset has its own.
async function chain(retro: Record<string, unknown>, boost: Record<string, unknown> = { budget_share: 50, burst_windows: 15, onset: '0s' }, policy: Record<string, unknown> = STATIC_POLICY) {
  const { fake, clock } = fakeClock();
  const shared = new PipelineShared();
  const stats = rateStatsProcessorFactory.create(testProcessorSettings('ratestats', { clock, shared }), configFor(rateStatsProcessorFactory, { window: '1m' }));
  const detector = anomalyProcessorFactory.create(testProcessorSettings('anomaly', { clock, shared }), anomalyProcessorFactory.defaultConfig());
  const config = configFor(samplerProcessorFactory, {
    window: '1m',
    policy,
    retro,
    boost,
  });
  const samplerSettings = testProcessorSettings('sampler', { clock, shared });
  const sampler = samplerProcessorFactory.create(samplerSettings, config);
  for (const p of [stats, detector, sampler]) await p.start();
  const input = new Subject<LogBatch>();
  const out: Array<{ body: string; reason: string; rate: number }> = [];
  input.pipe(stats.operator, detector.operator, sampler.operator).subscribe((b) => {
    for (const g of b.groups()) for (const r of g.records) out.push({ body: r.bodyText, reason: String(r.attributes.get(SAMPLE_REASON_ATTRIBUTE)), rate: Number(r.attributes.get(SAMPLE_RATE_ATTRIBUTE)) });
  });
  let trace = 0;
  const send = (count: number, tag: string, pattern = 'get') => input.next(batchOf(Array.from({ length: count }, (_, i) => ({ body: `${tag} ${i}`, pattern, traceId: traceIdFor(trace++) }))));
  return { fake, out, send, sampler, store: samplerSettings.store };
}

describe('anomaly boost and retro flush', () => {
  it('brings back the spike\'s dropped lines, keeps its excess while it lasts, then samples again', async () => {
    const { fake, out, send, sampler, store } = await chain({ window: '60s', max_per_pattern: 1000 });
    for (let m = 0; m < 8; m++) {
      send(40, `calm${m}`);
      fake.tick(60_000);
    }
    // The spike: 40 records every 6 s (ten times the usual minute). The detector looks at the window in
    // progress with every batch; at 120 records (three times the baseline) the spike is certain.
    const spikeOut = (part: number) => out.filter((o) => o.body.startsWith(`spike${part} `));
    send(40, 'spike0');
    fake.tick(6000);
    send(40, 'spike1');
    const keptEarly = spikeOut(0).length + spikeOut(1).length;
    assert.ok(keptEarly < 20, `${keptEarly} of 80 kept before anyone knew`);
    fake.tick(6000);
    const before = out.length;
    send(40, 'spike2'); // the anomaly opens: the dropped lines come back, the pattern is kept whole
    const now = out.slice(before);
    // (The batch that opened it is in the ring too: its lines the boost left out come back with the rest.)
    const retro = now.filter((o) => o.reason === 'retro' && /^spike[01] /.test(o.body));
    assert.equal(retro.length + keptEarly, 80, 'every spike line before it is out: kept then, or brought back now');
    assert.ok(now.filter((o) => o.reason === 'retro').every((o) => /^spike[012] /.test(o.body) && o.rate === 0));
    const kept2 = spikeOut(2).filter((o) => o.reason !== 'retro');
    assert.equal(kept2.length, 40, 'boosted: kept whole');
    assert.ok(kept2.every((o) => o.rate === 1));
    for (let part = 3; part < 10; part++) {
      fake.tick(6000);
      send(40, `spike${part}`);
    }
    fake.tick(6000);
    const afterStart = out.length;
    send(40, 'after'); // the next window: still open
    // The rest of the spike: its excess kept, the usual share under it (40 a minute: 32 of these 48 s)
    // sampled as usual — each kept record saying the probability it was kept with.
    const rest = out.filter((o) => /^spike[3-9] /.test(o.body) && o.reason !== 'retro');
    assert.ok(rest.length >= 280 - 28 && rest.length < 280, `${rest.length} of the spike's last 280 kept: its excess, not the whole pattern`);
    assert.ok(rest.filter((o) => o.reason === 'boost').every((o) => o.rate > 1 && o.rate < 1.25), 'boosted with the excess share (1 − usual / recent rate)');
    // The next window follows a window of excess: its excess kept from its start, as a spike going on would be.
    const after = out.slice(afterStart).filter((o) => o.body.startsWith('after'));
    assert.ok(after.length >= 32, `the window after the spike window is still boosted: ${after.length} of 40 kept`);
    // The one after follows a usual window: the anomaly is still open (it closes after two calm windows,
    // then 120 s of cooldown), but the excess is over, and so is the boost (the one spike once kept the
    // pattern whole for five minutes after).
    // (Spread over the minute as an SDK sends them, a batch every few seconds: the rate is judged from the
    // window's count so far.)
    fake.tick(60_000);
    for (let part = 0; part < 10; part++) {
      send(4, `later0-${part}`);
      fake.tick(6000);
    }
    const later = out.filter((o) => o.body.startsWith('later0'));
    assert.ok(later.length < 20 && later.every((o) => o.reason === 'sampled'), `back to sampling while still open: ${later.length} of 40 kept (${later.map((o) => o.reason)})`);
    // The ledger says what the boost cost beside what the policy cost: every record only the boost kept.
    await sampler.shutdown();
    const rows = store.get().ledger('api');
    const boostedOut = out.filter((o) => o.reason === 'boost');
    assert.equal(rows.reduce((n, r) => n + r.boosted, 0), boostedOut.length);
    assert.equal(rows.reduce((n, r) => n + r.bytes_boosted, 0), boostedOut.reduce((n, o) => n + o.body.length, 0));
    assert.ok(boostedOut.length >= 300, `${boostedOut.length} boosted (the rest of the kept-whole lines the policy kept anyway)`);
  });

  it('a pattern dropping more than its ring holds brings back a sample spread over the window, not its last lines', async () => {
    const { fake, out, send } = await chain({ window: '60s', max_per_pattern: 50 });
    // 150 every 6 s: the detector is sure at 1200, three times the baseline of 400 — by then about a
    // thousand records were dropped, twenty times what the ring holds.
    for (let m = 0; m < 8; m++) {
      send(400, `busy${m}`);
      fake.tick(60_000);
    }
    for (let part = 0; part < 10; part++) {
      send(150, `spike${part}`);
      fake.tick(6000);
    }
    const retro = out.filter((o) => o.reason === 'retro');
    assert.ok(retro.length > 0 && retro.length <= 50, `${retro.length} brought back`);
    const parts = new Set(retro.map((o) => o.body.split(' ')[0]));
    assert.ok(!parts.has('spike9'), 'brought back when the spike was found, before its end');
    assert.ok(parts.size >= 3, `from bursts across the window, not only the last: ${[...parts]}`);
  });

  it("a spike's onset is kept whole while its excess lasts, then only its excess", async () => {
    const { fake, out, send } = await chain({ window: '60s', max_per_pattern: 1000 }, { budget_share: 50, burst_windows: 15, onset: '30s' });
    for (let m = 0; m < 8; m++) {
      send(40, `calm${m}`);
      fake.tick(60_000);
    }
    // Ten times the usual minute, a batch every 6 s: found at the third batch (see the first case).
    for (let part = 0; part < 10; part++) {
      send(40, `spike${part}`);
      fake.tick(6000);
    }
    const kept = (part: number) => out.filter((o) => o.body.startsWith(`spike${part} `) && o.reason !== 'retro').length;
    // Opened at spike2: the batches of its first 30 s (spike2 … spike6) whole, the later ones their excess.
    for (let part = 2; part <= 6; part++) assert.equal(kept(part), 40, `spike${part}, within the onset`);
    const late = kept(8) + kept(9);
    assert.ok(late < 80 && late >= 64, `${late} of the last 80: the excess, past the onset`);
  });

  it('what boosts keep is paid back: the next windows of the dynamic budget give way, every pattern still kept', async () => {
    const DYNAMIC = { mode: 'dynamic', budget: { keep_fraction: 0.05 }, first_k_per_window: 1, anomaly_boost: { keep: 1, cooldown_seconds: 60 } };
    const run = async (payback: number) => {
      const { fake, out, send } = await chain({ window: '60s', max_per_pattern: 1000 }, { budget_share: 50, burst_windows: 15, onset: '30s', payback }, DYNAMIC);
      // Two steady patterns, 400 each a minute in ten batches; at minute 8 one of them spikes ×10 for a minute.
      for (let m = 0; m < 16; m++) {
        for (let part = 0; part < 10; part++) {
          send(40, `m${m}-${part}-calm`, 'calm');
          send(m === 8 ? 400 : 40, `m${m}-${part}-get`, 'get');
          fake.tick(6000);
        }
      }
      const calmKept = (from: number, to: number) => out.filter((o) => o.reason !== 'retro' && /-calm /.test(o.body) && Number(/^m(\d+)-/.exec(o.body)![1]) >= from && Number(/^m(\d+)-/.exec(o.body)![1]) < to).length;
      return { before: calmKept(4, 8), after: calmKept(9, 13), boosted: out.filter((o) => o.reason === 'boost').length, perMinute: (m: number) => calmKept(m, m + 1) };
    };
    const repaid = await run(0.5);
    const unpaid = await run(0);
    assert.ok(repaid.boosted > 1000, `${repaid.boosted} boosted: the spike was kept`);
    assert.ok(unpaid.after >= unpaid.before * 0.7, `without payback the calm pattern keeps as before (${unpaid.before} → ${unpaid.after})`);
    assert.ok(repaid.after <= unpaid.after * 0.7, `with payback it gives way after the spike: ${repaid.after} kept against ${unpaid.after}`);
    for (let m = 9; m < 13; m++) assert.ok(repaid.perMinute(m) >= 1, `minute ${m}: the calm pattern is still kept first in its window`);
  });

  it('the buffer of dropped records is bounded per pattern, in total and by age', () => {
    const buffer = new RetroBuffer(3, 5, 1000);
    const held = (n: number) => ({ resource: {}, scope: {}, record: { body: { stringValue: String(n) } } });
    for (let i = 0; i < 10; i++) buffer.add('api', 'a', held(i), i);
    assert.equal(buffer.size, 3, 'per pattern');
    for (let i = 0; i < 10; i++) buffer.add('api', `p${i}`, held(i), 100 + i);
    assert.equal(buffer.size, 5, 'in total: full, not emptied');
    // The newest records stay; the oldest of the largest rings went first.
    assert.deepEqual(buffer.take('api', 'p9', 0).map((h) => h.record.body?.stringValue), ['9']);
    assert.equal(buffer.size, 4);
    for (let i = 10; i < 12; i++) buffer.add('api', `p${i}`, held(i), 200 + i);
    assert.equal(buffer.size, 5);
    // By age: a record 4.8 s later finds everything older than the 1 s window gone.
    buffer.add('api', 'late', held(99), 5000);
    assert.equal(buffer.size, 1, 'by age');
    assert.deepEqual(buffer.take('api', 'late', 0).map((h) => h.record.body?.stringValue), ['99']);
    assert.equal(buffer.size, 0);
  });

  it('holds rings only for patterns with records held, however many it has seen', () => {
    const held = (n: number) => ({ resource: {}, scope: {}, record: { body: { stringValue: String(n) } } });
    const buffer = new RetroBuffer(200, 100, 60_000);
    for (let p = 0; p < 50_000; p++) buffer.add('api', `quiet${p}`, held(p), p / 1000);
    assert.equal(buffer.size, 100);
    assert.ok(buffer.rings <= 100, `${buffer.rings} rings held for 100 records`);
    assert.deepEqual(buffer.take('api', 'quiet49999', 0).map((h) => h.record.body?.stringValue), ['49999']);
  });

  it('over the total, a loud pattern gives way before quiet ones, though its records are the newest', () => {
    const held = (n: number) => ({ resource: {}, scope: {}, record: { body: { stringValue: String(n) } } });
    const buffer = new RetroBuffer(200, 100, 60_000);
    for (let p = 0; p < 99; p++) buffer.add('api', `quiet${p}`, held(p), p);
    for (let i = 0; i < 50; i++) buffer.add('api', 'loud', held(i), 100 + i);
    assert.equal(buffer.size, 100);
    // Oldest-first would have dropped 49 quiet patterns' only records; the largest ring gave way instead.
    for (let p = 0; p < 99; p++) assert.equal(buffer.take('api', `quiet${p}`, 0).length, 1, `quiet${p} kept`);
    assert.deepEqual(buffer.take('api', 'loud', 0).map((h) => h.record.body?.stringValue), ['49']);
  });

  it('a boost that goes on spends at most its share of the policy\'s keeps; a short burst is kept out of the bucket', () => {
    const budget = new BoostBudget({ share: 1, burstWindows: 5, payback: 0 });
    const W = 60_000;
    let boosted = 0;
    // The policy keeps 10 a window; the boost asks for 1000 every window for an hour.
    for (let w = 0; w < 60; w++) {
      for (let i = 0; i < 10; i++) budget.notePolicyKeep('api', w * W);
      for (let i = 0; i < 1000; i++) if (budget.take('api', w * W)) boosted++;
    }
    assert.ok(boosted <= 60 * 10 + 5 * 10, `${boosted} boosted against 600 policy keeps (and one full bucket)`);
    assert.ok(boosted >= 550, `${boosted}: the share is spent`);
    // The bucket holds five windows' worth (full from the first window on): a burst of 50 is kept whole,
    // the 51st is not.
    const calm = new BoostBudget({ share: 1, burstWindows: 5, payback: 0 });
    for (let w = 0; w < 10; w++) for (let i = 0; i < 10; i++) calm.notePolicyKeep('api', w * W);
    let burst = 0;
    for (let i = 0; i < 60; i++) if (calm.take('api', 10 * W)) burst++;
    assert.equal(burst, 50);
  });

  it('a debt is repaid by cutting later windows by at most the payback share, and is capped', () => {
    const W = 60_000;
    const budget = new BoostBudget({ share: 10, burstWindows: 4, payback: 0.5 });
    for (let w = 0; w < 10; w++) for (let i = 0; i < 100; i++) budget.notePolicyKeep('api', w * W);
    assert.equal(budget.paybackFactor('api', 9 * W), 1, 'nothing boosted, nothing cut');
    let taken = 0;
    for (let i = 0; i < 150; i++) if (budget.take('api', 9 * W)) taken++;
    assert.equal(taken, 150);
    // 150 owed, 100 policy keeps a window, at most half of them a window: 50, 50, 50, then nothing.
    const factors: number[] = [];
    for (let w = 10; w < 15; w++) {
      factors.push(Number(budget.paybackFactor('api', w * W).toFixed(3)));
      for (let i = 0; i < 100; i++) budget.notePolicyKeep('api', w * W);
    }
    assert.deepEqual(factors, [0.5, 0.5, 0.5, 1, 1]);
    // A debt beyond four windows of the cut (200) is not carried: a boost that went on does not cut for hours.
    for (let i = 0; i < 100; i++) budget.notePolicyKeep('api', 15 * W);
    for (let i = 0; i < 1000; i++) budget.take('api', 15 * W);
    let cutWindows = 0;
    for (let w = 16; w < 30; w++) {
      if (budget.paybackFactor('api', w * W) < 1) cutWindows++;
      for (let i = 0; i < 100; i++) budget.notePolicyKeep('api', w * W);
    }
    assert.equal(cutWindows, 4);
    const never = new BoostBudget({ share: 10, burstWindows: 4, payback: 0 });
    for (let w = 0; w < 3; w++) for (let i = 0; i < 100; i++) never.notePolicyKeep('api', w * W);
    for (let i = 0; i < 100; i++) never.take('api', 2 * W);
    assert.equal(never.paybackFactor('api', 3 * W), 1, 'payback 0: never cut');
  });

  it("the bucket's size follows the service's usual keeps over hours: a spike at night is kept like one by day", () => {
    const budget = new BoostBudget({ share: 1, burstWindows: 20, payback: 0 });
    const W = 60_000;
    // Eight hours at 100 policy keeps a window, then the night at 5.
    let w = 0;
    for (; w < 480; w++) for (let i = 0; i < 100; i++) budget.notePolicyKeep('api', w * W);
    for (; w < 600; w++) for (let i = 0; i < 5; i++) budget.notePolicyKeep('api', w * W);
    let kept = 0;
    for (let i = 0; i < 3000; i++) if (budget.take('api', w * W)) kept++;
    // The usual keeps have eased to about 80 a window after two hours of 5: 20 windows of it, not of 5.
    assert.ok(kept > 1000, `${kept} of a 3000-record night spike kept`);
    assert.ok(kept <= 2000, `${kept}: never more than the bucket holds`);
  });
});
