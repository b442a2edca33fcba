// A gateway's traffic view with its fleet: services the sidecars report are read from their windows — a tape
// made from them (records per class, kept as the sidecars kept them), statistics per window — and the rest
// from the gateway's own sampler; a tape scaled down to its cap replays policies with their rate budgets
// scaled alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration } from '../../config/duration.js';
import { FleetStats } from '../../fleet/stats/fleet_stats.js';
import { fleetTraffic } from '../../fleet/stats/fleet_traffic.js';
import type { PatternWindow } from '../../fleet/stats/stats_report.js';
import { defaultPolicy, type Policy } from '../../policy/policy.js';
import type { ReplayReport } from '../../policy/replay_report.js';
import { TrafficTape, type SamplerTraffic, type TapeEntry } from '../../policy/traffic_tape.js';

const W = 60_000;
const T0 = 100 * W;
const NOW = T0 + 3 * W;
const NOTHING: ReplayReport = { records: 0, kept: 0, keep_fraction: 0, policy_keep_fraction: 0, bytes: 0, bytes_kept: 0, bytes_keep_fraction: 0, error_records: 0, error_retention: 1, pattern_windows: 0, coverage: 1, incident_records: 0, incident_retention: 1, duration_ms: 0 };

function localTraffic(replays: Array<{ policy: Policy; entries: readonly TapeEntry[] }>): SamplerTraffic {
  const tape = new TrafficTape(10 * W, 1000);
  tape.add(NOW - 1000, 'web', 'w', 'INFO', 9, 10, new Uint8Array(0), true, false);
  tape.add(NOW - 900, 'api', 'local-only', 'INFO', 9, 10, new Uint8Array(0), true, false);
  return {
    tape,
    windowMs: W,
    settings: { window: duration('1m'), keep_at_or_above: 'ERROR', min_keep: 0.001, pattern_attribute: 'logsift.pattern.id' },
    rates: () => ({ series: () => [
      { service: 'web', pattern: 'w', severity: 'INFO' as const, current: { count: 1, bytes: 10 }, baseline: undefined },
      { service: 'api', pattern: 'local-only', severity: 'INFO' as const, current: { count: 1, bytes: 10 }, baseline: undefined },
    ] }),
    anomalies: () => undefined,
    replay: async (policy, entries) => {
      replays.push({ policy, entries });
      return NOTHING;
    },
    policyFor: (service) => defaultPolicy(service),
    configuredPolicy: (service) => defaultPolicy(service),
    services: () => ['web', 'api'],
    onLedger: () => () => undefined,
  };
}

const row = (window: number, seen: number, over: Partial<PatternWindow> = {}): PatternWindow => ({
  service: 'api', pattern_id: 'p', window_start: window, seen, kept: 0, boosted: 0, bytes_seen: seen * 50, bytes_kept: 0, seen_by_severity: { INFO: seen }, ...over,
});

function fleetWith(rows: PatternWindow[][]): FleetStats {
  const fleet = new FleetStats({ windowMs: W, retentionMs: 15 * W, instanceTtlMs: 10 * W, maxRows: 1000, maxTemplates: 10, split: 'share' });
  rows.forEach((r, i) => fleet.record({ instance: `sidecar-${i}`, batch_id: `b${i}`, window_seconds: 60, rows: r, templates: [{ service: 'api', pattern_id: 'p', template: 'job <*> done' }] }, NOW));
  return fleet;
}

describe('the fleet in a gateway\'s traffic view', () => {
  it('makes a reported service\'s tape from its windows: per class, kept and boosted as reported, spread over each window', () => {
    const fleet = fleetWith([[row(T0, 90, { kept: 12, boosted: 2, seen_by_severity: { INFO: 80, ERROR: 10 } })], [row(T0, 10, { kept: 1 }), row(T0 + W, 20, { kept: 2 })]]);
    const view = fleetTraffic(localTraffic([]), fleet, () => NOW);
    const entries = view.tape.entries(NOW, 'api');
    const first = entries.filter((e) => e.time < T0 + W);
    assert.equal(first.length, 100, 'both sidecars\' records of the first window');
    assert.equal(first.filter((e) => e.cls === 'ERROR').length, 10);
    assert.equal(first.filter((e) => e.kept).length, 13);
    assert.ok(first.filter((e) => e.cls === 'ERROR').every((e) => e.kept), 'the kept records go to the errors first');
    assert.equal(first.filter((e) => e.boosted).length, 2);
    assert.ok(first.every((e) => e.time >= T0 && e.bytes === 50), 'within the window, at the reported mean size');
    assert.equal(entries.filter((e) => e.time >= T0 + W).length, 20);
    assert.ok(!entries.some((e) => e.pattern === 'local-only'), 'the gateway\'s own sliver of a reported service is not mixed in');
    assert.deepEqual(view.tape.entries(NOW, 'web').map((e) => e.pattern), ['w'], 'a service nobody reports is the gateway\'s own');
    assert.deepEqual(view.services(), ['api', 'web']);
    assert.deepEqual([...view.templates!('api')], [['p', 'job <*> done']]);
  });

  it('gives the tuner each reported pattern\'s newest window and its mean over the windows kept', () => {
    const fleet = fleetWith([[row(T0, 30), row(T0 + W, 90)]]);
    const series = [...fleetTraffic(localTraffic([]), fleet, () => NOW).rates()!.series()];
    assert.deepEqual(series.map((s) => s.service).sort(), ['api', 'web']);
    const p = series.find((s) => s.pattern === 'p')!;
    assert.deepEqual([p.current.count, p.baseline!.count], [90, 60]);
  });

  it('scales a tape past its cap and the rate budgets replayed over it by the same factor', async () => {
    const fleet = fleetWith([[row(T0, 4000), row(T0 + W, 4000)]]);
    const replays: Array<{ policy: Policy; entries: readonly TapeEntry[] }> = [];
    const view = fleetTraffic(localTraffic(replays), fleet, () => NOW, 800);
    const entries = view.tape.entries(NOW, 'api');
    assert.equal(entries.length, 800);
    const policy = { ...defaultPolicy('api'), budget: { records_per_second: 50, bytes_per_second: 2000, keep_fraction: 0.05, scope: 'service' as const } };
    await view.replay(policy, entries, []);
    assert.deepEqual(replays[0]!.policy.budget, { records_per_second: 5, bytes_per_second: 200, keep_fraction: 0.05, scope: 'service' });
    await view.replay(policy, view.tape.entries(NOW, 'web'), []);
    assert.equal(replays[1]!.policy.budget.records_per_second, 50, 'the gateway\'s own services replay unscaled');
  });
});
