// The memory limiter on a fake clock with a scripted memory reading: refuses above the soft limit with a
// retry hint, accepts again once usage falls, and resolves limits from MiB or a percentage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import { Delivery } from '../../../pipeline/ack.js';
import { LogBatch } from '../../../pipeline/batch.js';
import { BackpressureError } from '../../../pipeline/errors.js';
import { resolveLimits } from '../../../processors/memorylimiter/memory_budget.js';
import { MemoryLimiter, memoryLimiterFactory } from '../../../processors/memorylimiter/factory.js';
import { fakeClock } from '../../support/fake_clock.js';
import { sampleRequest } from '../../support/payloads.js';
import { testProcessorSettings } from '../../support/settings.js';

const MIB = 1024 * 1024;

describe('memory_limiter processor', () => {
  it('refuses batches while memory is above the soft limit, checked every check_interval', async () => {
    const { fake, clock } = fakeClock();
    let usage = 100 * MIB;
    const settings = testProcessorSettings('memory_limiter', { clock });
    const limiter = new MemoryLimiter(settings, resolveLimits({ limit_mib: 200, spike_limit_mib: 50, limit_percentage: 0, spike_limit_percentage: 0 }, 0), 1000, () => usage);
    const input = new Subject<LogBatch>();
    const passed: LogBatch[] = [];
    input.pipe(limiter.operator).subscribe((b) => passed.push(b));
    await limiter.start();

    input.next(LogBatch.fromRequest(sampleRequest(2), new Delivery()));
    assert.equal(passed.length, 1);

    usage = 160 * MIB; // over the soft limit (200 - 50), under the hard one
    fake.tick(999);
    assert.equal(limiter.refusing, false, 'not checked before the interval');
    fake.tick(1);
    assert.equal(limiter.refusing, true);
    const refused = new Delivery();
    input.next(LogBatch.fromRequest(sampleRequest(3), refused));
    assert.equal(passed.length, 1);
    await assert.rejects(refused.done, (error: unknown) => error instanceof BackpressureError && /above the soft limit of 150 MiB/.test(error.message));

    usage = 120 * MIB;
    fake.tick(1000);
    assert.equal(limiter.refusing, false);
    input.next(LogBatch.fromRequest(sampleRequest(1), new Delivery()));
    assert.equal(passed.length, 2);

    const refusedMetric = await settings.telemetry.processorRefused.get();
    assert.equal(refusedMetric.values[0]?.value, 3);
    await limiter.shutdown();
    assert.equal(fake.countTimers(), 0, 'shutdown stops the checks');
  });

  it('resolves limits from MiB (spike 20% by default) or from a percentage of the available memory', () => {
    assert.deepEqual(resolveLimits({ limit_mib: 500, spike_limit_mib: 0, limit_percentage: 0, spike_limit_percentage: 0 }, 0), { hardBytes: 500 * MIB, softBytes: 400 * MIB });
    assert.deepEqual(resolveLimits({ limit_mib: 0, spike_limit_mib: 0, limit_percentage: 80, spike_limit_percentage: 20 }, 1000 * MIB), { hardBytes: 800 * MIB, softBytes: 600 * MIB });
  });

  it('validates: one kind of limit, spike below the limit', () => {
    const base = memoryLimiterFactory.defaultConfig();
    assert.deepEqual(memoryLimiterFactory.validate(base), [{ path: 'limit_mib', message: 'set limit_mib or limit_percentage' }]);
    assert.deepEqual(memoryLimiterFactory.validate({ ...base, limit_mib: 100, limit_percentage: 50 }), [{ path: 'limit_percentage', message: 'set limit_mib or limit_percentage, not both' }]);
    assert.deepEqual(memoryLimiterFactory.validate({ ...base, limit_mib: 100, spike_limit_mib: 100 }), [{ path: 'spike_limit_mib', message: 'must be below limit_mib' }]);
    assert.deepEqual(memoryLimiterFactory.validate({ ...base, limit_mib: 100 }), []);
  });
});
