// An attempt's signal fires on its timeout, with a collection while it waits, and follows its parent. (The
// failure it replaced — AbortSignal.any over AbortSignal.timeout never firing — did not show in a small
// repro; test/pipeline/overload.test.ts is what catches it, with the daemon's full heap.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { attemptSignal } from '../../../exporters/helper/attempt_signal.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('attempt signal', () => {
  it('aborts on its timeout, with a TimeoutError', async () => {
    const parent = new AbortController();
    const attempt = attemptSignal(30, parent.signal);
    const aborted = once(attempt.signal, 'abort');
    gc();
    await aborted;
    assert.equal((attempt.signal.reason as DOMException).name, 'TimeoutError');
    attempt.done();
  });

  it('aborts with its parent, for the parent\'s reason', () => {
    const parent = new AbortController();
    const attempt = attemptSignal(60_000, parent.signal);
    parent.abort(new Error('shutting down'));
    assert.equal(attempt.signal.aborted, true);
    assert.equal((attempt.signal.reason as Error).message, 'shutting down');
    attempt.done();
    const late = attemptSignal(60_000, parent.signal);
    assert.equal(late.signal.aborted, true, 'an already aborted parent');
    late.done();
  });
});
