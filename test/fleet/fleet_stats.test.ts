// What a gateway keeps of its fleet's reports: windows summed over the instances, a batch sent twice counted
// once, everything bounded (retention, rows, silent instances), each replica's share of a budget from what it
// sees, and reports that do not add up refused with the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FleetStats, type FleetStatsOptions } from '../../fleet/stats/fleet_stats.js';
import { statsReportProblems, type PatternWindow, type StatsReport } from '../../fleet/stats/stats_report.js';

const W = 60_000;
const T0 = 100 * W;

const options = (over: Partial<FleetStatsOptions> = {}): FleetStatsOptions => ({ windowMs: W, retentionMs: 15 * W, instanceTtlMs: 2 * W, maxRows: 1000, maxTemplates: 100, split: 'share', ...over });

function row(pattern: string, windowStart: number, seen: number, over: Partial<PatternWindow> = {}): PatternWindow {
  return { service: 'api', pattern_id: pattern, window_start: windowStart, seen, kept: Math.ceil(seen / 10), boosted: 0, bytes_seen: seen * 40, bytes_kept: Math.ceil(seen / 10) * 40, seen_by_severity: { INFO: seen }, ...over };
}

let batches = 0;
const report = (instance: string, rows: PatternWindow[], templates: StatsReport['templates'] = []): StatsReport => ({ instance, batch_id: `b${++batches}`, window_seconds: 60, rows, templates });

describe('fleet statistics', () => {
  it('sums a window over the instances that report it', () => {
    const fleet = new FleetStats(options());
    fleet.record(report('a', [row('p', T0, 100), row('q', T0, 5)]), T0 + W);
    fleet.record(report('b', [row('p', T0, 300, { seen_by_severity: { INFO: 290, ERROR: 10 } })]), T0 + W);
    const [window] = fleet.windows('api', T0 + W);
    assert.equal(window!.start, T0);
    const p = window!.patterns.get('p')!;
    assert.deepEqual([p.seen, p.kept, p.bytesSeen], [400, 40, 16_000]);
    assert.deepEqual([p.byClass[3], p.byClass[5]], [390, 10], 'INFO and ERROR per class');
    assert.equal(window!.patterns.get('q')!.seen, 5);
    assert.deepEqual(fleet.services(T0 + W), ['api']);
  });

  it('counts a batch sent again once, and says so', () => {
    const fleet = new FleetStats(options());
    const once = report('a', [row('p', T0, 100)]);
    assert.equal(fleet.record(once, T0 + W).accepted, 1);
    const again = fleet.record(once, T0 + W);
    assert.deepEqual([again.accepted, again.duplicate], [0, true]);
    assert.equal(fleet.windows('api', T0 + W)[0]!.patterns.get('p')!.seen, 100);
  });

  it('forgets windows past the retention, refuses to keep ones already past it, and drops the oldest past max_rows', () => {
    const fleet = new FleetStats(options({ maxRows: 3 }));
    fleet.record(report('a', [row('p', T0, 1), row('q', T0, 1)]), T0 + W);
    fleet.record(report('a', [row('p', T0 + W, 1), row('q', T0 + W, 1)]), T0 + 2 * W);
    assert.deepEqual(fleet.windows('api', T0 + 2 * W).map((w) => w.start), [T0 + W], 'the oldest window went to make room');
    const late = fleet.record(report('a', [row('p', T0 - 20 * W, 1)]), T0 + 2 * W);
    assert.equal(late.accepted, 0, 'a window already past the retention is not kept');
    assert.deepEqual(fleet.windows('api', T0 + 17 * W), [], 'and kept ones age out');
    assert.equal(fleet.has('api', T0 + 17 * W), false);
  });

  it('gives each replica its part of the records as its share, with a floor, and equal parts when asked', () => {
    const fleet = new FleetStats(options());
    fleet.record(report('a', [row('p', T0, 100)]), T0 + W);
    fleet.record(report('b', [row('p', T0, 300)]), T0 + W);
    fleet.record(report('c', [row('p', T0, 0, { kept: 0, bytes_kept: 0, seen_by_severity: {} })]), T0 + W);
    assert.deepEqual(fleet.share('api', 'a', T0 + W), { replicas: 3, share: 0.25 });
    assert.deepEqual(fleet.share('api', 'b', T0 + W), { replicas: 3, share: 0.75 });
    assert.deepEqual(fleet.share('api', 'c', T0 + W), { replicas: 3, share: 0.03333 }, 'a tenth of an equal part: it may see the next burst');
    const equal = new FleetStats(options({ split: 'replicas' }));
    equal.record(report('a', [row('p', T0, 100)]), T0 + W);
    const answer = equal.record(report('b', [row('p', T0, 300)]), T0 + W);
    assert.deepEqual(answer.services, { api: { replicas: 2, share: 0.5 } }, 'the answer carries the share');
  });

  it('shares over the windows every replica has reported, so one that reports later is not short', () => {
    const fleet = new FleetStats(options());
    fleet.record(report('a', [row('p', T0, 100), row('p', T0 + W, 100)]), T0 + 2 * W);
    fleet.record(report('b', [row('p', T0, 100)]), T0 + 2 * W);
    assert.deepEqual(fleet.share('api', 'a', T0 + 2 * W), { replicas: 2, share: 0.5 });
    fleet.record(report('b', [row('p', T0 + W, 300)]), T0 + 2 * W);
    assert.deepEqual(fleet.share('api', 'a', T0 + 2 * W), { replicas: 2, share: 0.3333 });
  });

  it('stops counting a replica that went silent past instance_ttl', () => {
    const fleet = new FleetStats(options());
    fleet.record(report('a', [row('p', T0, 100)]), T0 + W);
    fleet.record(report('b', [row('p', T0, 100)]), T0 + W);
    fleet.record(report('a', [row('p', T0 + 3 * W, 100)]), T0 + 4 * W);
    assert.deepEqual(fleet.share('api', 'a', T0 + 4 * W), { replicas: 1, share: 1 });
    assert.deepEqual(fleet.describe('api', T0 + 4 * W).instances.map((i) => i.instance), ['a']);
  });

  it('asks for the templates it lacks, and keeps those sent', () => {
    const fleet = new FleetStats(options());
    const first = fleet.record(report('a', [row('p', T0, 1), row('q', T0, 1)], [{ service: 'api', pattern_id: 'p', template: 'GET <*> 200' }]), T0 + W);
    assert.deepEqual(first.missing_templates, [{ service: 'api', pattern_id: 'q' }]);
    assert.deepEqual([...fleet.templates('api')], [['p', 'GET <*> 200']]);
  });
});

describe('a stats report', () => {
  const valid = (): StatsReport => report('a', [row('p', T0, 10)]);

  it('is taken when its window is the gateway\'s and its counts add up', () => {
    assert.deepEqual(statsReportProblems(valid(), W), []);
  });

  it('is refused, with the reason, when its windows are of another length or its counts do not add up', () => {
    assert.match(statsReportProblems({ ...valid(), window_seconds: 30 }, W).join('\n'), /window_seconds: 30 differs from the gateway's sampler window \(60s\)/);
    const bad = valid();
    bad.rows[0] = row('p', T0, 10, { kept: 11, seen_by_severity: { INFO: 9 } });
    const problems = statsReportProblems(bad, W).join('\n');
    assert.match(problems, /rows\.0\.kept: 11 is more than seen \(10\)/);
    assert.match(problems, /rows\.0\.seen_by_severity: adds up to 9, seen is 10/);
    assert.match(statsReportProblems({ ...valid(), rows: [{ ...row('p', T0, 1), seen_by_severity: { LOUD: 1 } }] }, W).join('\n'), /LOUD/);
    assert.match(statsReportProblems({ instance: 'a' }, W).join('\n'), /batch_id/);
  });
});
