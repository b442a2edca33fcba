// The anomaly processor behind ratestats in one pipeline (fake clock): a spike opens an anomaly that is
// logged, counted, saved to the store and visible to later processors; it closes when traffic calms down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import type { LogBatch } from '../../../pipeline/batch.js';
import type { Clock } from '../../../pipeline/clock.js';
import { PipelineShared } from '../../../pipeline/pipeline_shared.js';
import { ANOMALIES, anomalyProcessorFactory } from '../../../processors/anomaly/factory.js';
import { rateStatsProcessorFactory } from '../../../processors/ratestats/factory.js';
import { fakeClock } from '../../support/fake_clock.js';
import { batchOf } from '../../support/records.js';
import { configFor, testProcessorSettings } from '../../support/settings.js';
import { anomalyMetrics } from '../../../processors/anomaly/metrics.js';

/** ratestats (1-minute windows) then the anomaly processor, on `clock`, fed through `input`. */
async function ratestatsThenAnomaly(clock: Clock) {
  const shared = new PipelineShared();
  const stats = rateStatsProcessorFactory.create(testProcessorSettings('ratestats', { clock, shared }), configFor(rateStatsProcessorFactory, { window: '1m' }));
  const settings = testProcessorSettings('anomaly', { clock, shared });
  const detector = anomalyProcessorFactory.create(settings, anomalyProcessorFactory.defaultConfig());
  await stats.start();
  await detector.start();
  const input = new Subject<LogBatch>();
  input.pipe(stats.operator, detector.operator).subscribe();
  return { settings, detector, input, view: shared.lookup(ANOMALIES)! };
}

describe('anomaly processor', () => {
  it('needs ratestats before it', async () => {
    const processor = anomalyProcessorFactory.create(testProcessorSettings('anomaly'), anomalyProcessorFactory.defaultConfig());
    await assert.rejects(processor.start(), /needs a ratestats processor before it/);
  });

  it('opens, saves and shares an anomaly on a spike, and closes it when the rate is back', async () => {
    const { fake, clock } = fakeClock();
    const { settings, detector, input, view } = await ratestatsThenAnomaly(clock);

    const minute = (count: number) => {
      input.next(batchOf(Array.from({ length: count }, (_, i) => ({ body: `GET /x ${i}`, pattern: 'get' }))));
      fake.tick(60_000);
    };
    for (let m = 0; m < 10; m++) minute(30);
    minute(400);
    minute(30); // this window's first batch judges the spike window
    assert.ok(view.isOpenFor('api', 'get'));
    const [open] = view.open();
    assert.equal(open!.kind, 'spike');
    assert.equal(open!.observed, 400);
    for (let m = 0; m < 3; m++) minute(30);
    assert.equal(view.open().length, 0, 'closed after two calm windows');
    await detector.shutdown();

    const rows = settings.store.get().anomalies();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.kind, 'spike');
    assert.equal(rows[0]!.end! - rows[0]!.start, 60_000, 'one anomalous window');
    const opened = await anomalyMetrics(settings.telemetry).opened.get();
    assert.deepEqual(opened.values.map((v) => [v.labels.kind, v.value]), [['spike', 1]]);
  });

  it('judges each window as it ends on arrival time, traffic or not: a pattern that stops is found without another record', async () => {
    const { fake, clock } = fakeClock();
    fake.setSystemTime(Math.ceil(fake.now / 60_000) * 60_000);
    const { settings, detector, input, view } = await ratestatsThenAnomaly(clock);
    for (let m = 0; m < 12; m++) {
      input.next(batchOf(Array.from({ length: 200 }, (_, i) => ({ body: `GET /x ${i}`, pattern: 'get' }))));
      fake.tick(60_000);
    }
    // Nothing more arrives: the next window's end alone finds it.
    fake.tick(60_000);
    assert.deepEqual(view.open().map((a) => [a.kind, a.detected]), [['drop', fake.now]]);
    await detector.shutdown();
    assert.deepEqual(settings.store.get().anomalies().map((a) => a.kind), ['drop']);
  });
});
