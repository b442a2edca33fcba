// The watch on its own, over a tape filled by hand: what an anomaly's boost kept is not the policy's spending,
// and a change is judged against what its replay promised when that is above the target.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicy } from '../../policy/policy.js';
import { TrafficTape, type SamplerTraffic } from '../../policy/traffic_tape.js';
import { defaultTunerConfig } from '../../tuner/config.js';
import { judgeChange } from '../../tuner/watch.js';
import { duration } from '../../config/duration.js';

const AT = 1_000_000;
const NO_TRACE = new Uint8Array(0);

function trafficWith(records: Array<{ kept: boolean; boosted: boolean }>): SamplerTraffic {
  const tape = new TrafficTape(600_000, 10_000);
  records.forEach((r, i) => tape.add(AT + i, 'api', 'p', 'INFO', 9, 20, NO_TRACE, r.kept, r.boosted));
  return {
    tape,
    windowMs: 60_000,
    settings: { window: duration('1m'), keep_at_or_above: 'ERROR', min_keep: 0.001, pattern_attribute: 'logsift.pattern.id' },
    rates: () => undefined,
    anomalies: () => undefined,
    policyFor: () => defaultPolicy('api'),
    configuredPolicy: () => defaultPolicy('api'),
    services: () => ['api'],
    replay: () => Promise.reject(new Error('a watch does not replay')),
    onLedger: () => () => undefined,
  };
}

/** `n` records of which `kept` were kept, the first `boosted` of those under a boost. */
function records(n: number, kept: number, boosted: number) {
  return Array.from({ length: n }, (_, i) => ({ kept: i < kept, boosted: i < boosted }));
}

describe('watch', () => {
  const config = defaultTunerConfig(); // target 0.05, tolerance 1.5, at least 1000 records
  const change = { service: 'api', version: 3, previous: 2, at: AT, predicted: 0.05 };

  it('rolls back when the policy keeps more than tolerance × target', () => {
    const verdict = judgeChange(change, trafficWith(records(2000, 200, 0)), config, 600_000, AT + 5000);
    assert.equal(verdict.kind, 'rollback');
    assert.match((verdict as { reason: string }).reason, /budget breach: kept 0\.1000/);
  });

  it('does not count what an anomaly\'s boost kept', () => {
    // 200 kept, 180 of them under a boost: the policy kept 20 of 1820.
    const verdict = judgeChange(change, trafficWith(records(2000, 200, 180)), config, 600_000, AT + 5000);
    assert.equal(verdict.kind, 'ok');
  });

  it('allows what the replay promised when that is above the target', () => {
    const verdict = judgeChange({ ...change, predicted: 0.09 }, trafficWith(records(2000, 200, 0)), config, 600_000, AT + 5000);
    assert.equal(verdict.kind, 'ok');
    assert.equal(judgeChange({ ...change, predicted: 0.09 }, trafficWith(records(2000, 200, 0)), config, 600_000, AT + 600_000).kind, 'expired');
  });
});
