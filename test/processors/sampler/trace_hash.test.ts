// Sampling by trace id must not keep or drop sequential ids in runs: ids from a counter (as some SDKs make
// them) must be kept at the asked rate in every stretch, not in bursts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceUniform } from '../../../processors/sampler/trace_hash.js';

function sequentialId(n: number): Uint8Array {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setBigUint64(8, BigInt(n));
  return id;
}

describe('trace hash', () => {
  it('keeps sequential ids at the asked rate in every block of 1000, without long runs', () => {
    let longestRun = 0;
    let run = 0;
    for (let block = 0; block < 20; block++) {
      let kept = 0;
      for (let i = 0; i < 1000; i++) {
        const keep = traceUniform(sequentialId(block * 1000 + i)) < 0.1;
        if (keep) kept++;
        run = keep ? run + 1 : 0;
        longestRun = Math.max(longestRun, run);
      }
      assert.ok(kept > 60 && kept < 140, `block ${block}: ${kept} of 1000 kept at 10%`);
    }
    assert.ok(longestRun < 6, `longest run of kept ids: ${longestRun}`);
  });

  it('is the same for the same id, and uniform over [0, 1)', () => {
    assert.equal(traceUniform(sequentialId(42)), traceUniform(sequentialId(42)));
    const values = Array.from({ length: 10_000 }, (_, i) => traceUniform(sequentialId(i * 7919)));
    assert.ok(values.every((v) => v >= 0 && v < 1));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });
});
