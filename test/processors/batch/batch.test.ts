// The batch processor on fake timers: merges by size and by timeout, respects the max size, flushes on
// shutdown, counts records in and out, and holds every merged batch's ack until the merged one settles.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import FakeTimers from '@sinonjs/fake-timers';
import { Subject } from 'rxjs';
import { Delivery } from '../../../pipeline/ack.js';
import { LogBatch } from '../../../pipeline/batch.js';
import { Telemetry } from '../../../pipeline/telemetry.js';
import { batchProcessorFactory } from '../../../processors/batch/factory.js';
import { sampleRequest } from '../../support/payloads.js';
import { testProcessorSettings } from '../../support/settings.js';
import { duration } from '../../../config/duration.js';

function batchOf(records: number): { batch: LogBatch; delivery: Delivery; settled: () => boolean } {
  const delivery = new Delivery();
  let settled = false;
  delivery.done.then(() => (settled = true), () => (settled = true));
  return { batch: LogBatch.fromRequest(sampleRequest(records), delivery), delivery, settled: () => settled };
}

describe('batch processor', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  let telemetry: Telemetry;
  let input: Subject<LogBatch>;
  let out: LogBatch[];
  let completed: boolean;

  function start(config: Record<string, unknown>) {
    const merged = { ...batchProcessorFactory.defaultConfig(), ...config };
    assert.deepEqual(batchProcessorFactory.validate(merged), []);
    const processor = batchProcessorFactory.create(testProcessorSettings('batch', { telemetry }), merged);
    input.pipe(processor.operator).subscribe({ next: (b) => out.push(b), complete: () => (completed = true) });
  }

  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    telemetry = new Telemetry();
    input = new Subject();
    out = [];
    completed = false;
  });
  afterEach(() => clock.uninstall());

  it('sends what it holds once the timeout passes since the first record', async () => {
    start({ send_batch_size: 100, timeout: '200ms' });
    const parts = [batchOf(10), batchOf(10), batchOf(10)];
    input.next(parts[0]!.batch);
    clock.tick(150);
    input.next(parts[1]!.batch);
    input.next(parts[2]!.batch);
    clock.tick(49);
    assert.equal(out.length, 0);
    clock.tick(1);
    assert.deepEqual(out.map((b) => b.recordCount), [30]);

    await Promise.resolve();
    assert.ok(parts.every((p) => !p.settled()), 'no client is answered before the merged batch is exported');
    out[0]!.ack.settle();
    await Promise.all(parts.map((p) => p.delivery.done));
  });

  it('sends as soon as send_batch_size records are buffered, and never above send_batch_max_size', () => {
    start({ send_batch_size: 25, send_batch_max_size: 25, timeout: '1s' });
    for (let i = 0; i < 5; i++) input.next(batchOf(10).batch);
    assert.deepEqual(out.map((b) => b.recordCount), [20, 20]);
    input.next(batchOf(40).batch);
    assert.deepEqual(out.map((b) => b.recordCount), [20, 20, 10, 40], 'a batch over the max goes alone, unsplit');
    clock.tick(1000);
    assert.equal(out.length, 4, 'nothing left to send');
  });

  it('a failed export fails every merged client; shutdown flushes what is buffered', async () => {
    start({ send_batch_size: 1000, timeout: '10s' });
    const parts = [batchOf(3), batchOf(4)];
    parts.forEach((p) => input.next(p.batch));
    input.complete();
    assert.deepEqual(out.map((b) => b.recordCount), [7]);
    assert.equal(completed, true);
    out[0]!.ack.settle(new Error('backend down'));
    for (const p of parts) await assert.rejects(p.delivery.done, /backend down/);
  });

  it('counts records in and out per processor and pipeline', async () => {
    start({ send_batch_size: 5, timeout: '1s' });
    input.next(batchOf(3).batch);
    input.next(batchOf(3).batch);
    input.next(batchOf(1).batch);
    clock.tick(1000);
    const incoming = await telemetry.processorIncoming.get();
    const outgoing = await telemetry.processorOutgoing.get();
    assert.deepEqual(incoming.values.map((v) => [v.labels, v.value]), [[{ processor: 'batch', pipeline: 'logs' }, 7]]);
    assert.deepEqual(outgoing.values.map((v) => [v.labels, v.value]), [[{ processor: 'batch', pipeline: 'logs' }, 7]]);
  });

  it('rejects a max size below the send size', () => {
    const problems = batchProcessorFactory.validate({ send_batch_size: 100, send_batch_max_size: 10, timeout: duration('1s') });
    assert.deepEqual(problems, [{ path: 'send_batch_max_size', message: 'must be 0 or at least send_batch_size' }]);
  });
});
