// Rolling windows per (service, pattern, severity): counts and bytes, EWMA baselines, empty windows on
// silence, bounded series; the processor counts by arrival time (fake clock) or by record time (replay), and
// provides its table to the processors after it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import { LogBatch } from '../../../pipeline/batch.js';
import { PipelineShared } from '../../../pipeline/pipeline_shared.js';
import { RATE_STATS, rateStatsProcessorFactory } from '../../../processors/ratestats/factory.js';
import { RateTable } from '../../../processors/ratestats/rate_table.js';
import { severityClass } from '../../../policy/severity.js';
import { fakeClock } from '../../support/fake_clock.js';
import { batchOf, type RecordSpec } from '../../support/records.js';
import { configFor, testProcessorSettings } from '../../support/settings.js';

const batch = (records: RecordSpec[], service = 'api') => batchOf(records, service);

describe('rate table', () => {
  it('completes windows into an EWMA baseline and a history, counting bytes too', () => {
    const table = new RateTable({ windowMs: 1000, ewmaAlpha: 0.5, history: 5, maxSeries: 100 });
    for (let i = 0; i < 4; i++) table.record('api', 'p1', 'INFO', 10, 100 + i);
    const first = table.get('api', 'p1', 'INFO')!;
    assert.deepEqual(first.current, { count: 4, bytes: 40 });
    assert.equal(first.baseline, undefined, 'no completed window yet');

    table.record('api', 'p1', 'INFO', 10, 1500);
    assert.deepEqual(table.get('api', 'p1', 'INFO')!.baseline, { count: 4, bytes: 40 });
    table.record('api', 'p1', 'INFO', 10, 3500); // completes [1000,2000) with 1, then the empty [2000,3000)
    const s = table.get('api', 'p1', 'INFO')!;
    assert.deepEqual(s.history, [4, 1, 0]);
    assert.deepEqual(s.baseline, { count: (4 + 0.5 * (1 - 4)) * 0.5, bytes: (40 + 0.5 * (10 - 40)) * 0.5 });
    assert.equal(s.windowStart, 3000);
    assert.equal(s.windowsSeen, 3);
    assert.deepEqual(s.current, { count: 1, bytes: 10 });
  });

  it('advance() brings silent series forward: their windows show as empty, the baseline decays', () => {
    const table = new RateTable({ windowMs: 1000, ewmaAlpha: 0.5, history: 4, maxSeries: 100 });
    for (let i = 0; i < 10; i++) table.record('api', 'busy', 'INFO', 1, i * 100);
    table.advance(10_500);
    const s = table.get('api', 'busy', 'INFO')!;
    assert.deepEqual(s.history, [0, 0, 0, 0], 'only the last four windows are kept');
    assert.equal(s.baseline!.count, 10 * 0.5 ** 9, 'the one full window, then halved by each of nine empty ones');
    assert.equal(s.windowsSeen, 10);
  });

  it('keeps at most maxSeries series, dropping the least recently seen', () => {
    const table = new RateTable({ windowMs: 1000, ewmaAlpha: 0.5, history: 4, maxSeries: 100 });
    for (let i = 0; i < 1000; i++) table.record('api', `p${i}`, 'INFO', 1, i);
    assert.ok(table.size <= 100);
    assert.ok(table.get('api', 'p999', 'INFO'), 'the newest survive');
    assert.equal(table.get('api', 'p0', 'INFO'), undefined);
  });

  it('classes severities by number, by text when the number is unset', () => {
    assert.equal(severityClass(9, ''), 'INFO');
    assert.equal(severityClass(17, 'whatever'), 'ERROR');
    assert.equal(severityClass(24, ''), 'FATAL');
    assert.equal(severityClass(0, 'Warning'), 'WARN');
    assert.equal(severityClass(0, ''), 'UNSPECIFIED');
  });
});

describe('ratestats processor', () => {
  it('arrival mode: counts by the daemon clock, per service, pattern and severity; records pass unchanged', () => {
    const { fake, clock } = fakeClock();
    const shared = new PipelineShared();
    const processor = rateStatsProcessorFactory.create(testProcessorSettings('ratestats', { clock, shared }), configFor(rateStatsProcessorFactory, { window: '10s' }));
    const input = new Subject<LogBatch>();
    const out: LogBatch[] = [];
    input.pipe(processor.operator).subscribe((b) => out.push(b));
    const stats = shared.lookup(RATE_STATS)!;

    input.next(batch([{ body: 'a' }, { body: 'bb' }, { body: 'boom', severity: 17 }, { body: 'x', pattern: 'p2' }]));
    fake.tick(10_000);
    input.next(batch([{ body: 'a' }]));
    assert.equal(out.length, 2);
    assert.equal(out[0]!.recordCount, 4);
    const info = stats.get('api', 'p1', 'INFO')!;
    assert.deepEqual(info.history, [2]);
    assert.deepEqual(info.baseline, { count: 2, bytes: 3 });
    assert.deepEqual(info.current, { count: 1, bytes: 1 });
    assert.equal(stats.get('api', 'p1', 'ERROR')!.current.count, 1);
    assert.equal(stats.get('api', 'p2', 'INFO')!.current.count, 1);
  });

  it('record mode: a day of timestamps replays without waiting, each record in the window of its own time', () => {
    const shared = new PipelineShared();
    const processor = rateStatsProcessorFactory.create(testProcessorSettings('ratestats', { shared }), configFor(rateStatsProcessorFactory, { window: '1m', time: 'record' }));
    const input = new Subject<LogBatch>();
    input.pipe(processor.operator).subscribe();
    const day = 24 * 60;
    const start = Date.UTC(2026, 10, 26);
    for (let minute = 0; minute < day; minute++) {
      input.next(batch(Array.from({ length: 1 + (minute % 3) }, (_, i) => ({ body: 'tick', timeMs: start + minute * 60_000 + i }))));
    }
    const s = shared.lookup(RATE_STATS)!.get('api', 'p1', 'INFO')!;
    assert.equal(s.windowsSeen, day - 1, 'every minute but the current one completed');
    assert.deepEqual(s.history.slice(-3), [0, 1, 2].map((n) => ((day - 4 + n) % 3) + 1), 'the last three completed minutes');
    assert.ok(Math.abs(s.baseline!.count - 2) < 0.7, `baseline ${s.baseline!.count} near the mean of 1, 2, 3`);
  });
});
