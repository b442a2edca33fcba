// The alert engine's decisions on times it is given: a deploy's findings are one alert, told once after
// group_wait; a change is told again after group_interval, an unchanged alert after repeat_interval; it
// resolves when its findings close (told once) and the next finding opens a new one; silences, snoozes and
// confirmation keep noise out; a service-wide alert inhibits its pattern alerts when grouped by pattern.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEngine, type EngineOptions, type Finding, type Notification } from '../../alerts/alert_engine.js';
import { Silences } from '../../alerts/silences.js';

const S = 1000;
const M = 60 * S;
const T0 = Date.UTC(2026, 11, 3, 12);

const options = (over: Partial<EngineOptions> = {}): EngineOptions => ({ groupBy: 'service', groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * 60 * M, sendResolved: true, confirmForMs: {}, keepResolved: 10, newPatterns: 'errors', ...over });

let ids = 0;
const finding = (kind: Finding['kind'], at: number, over: Partial<Finding> = {}): Finding => ({ id: `a${++ids}`, kind, service: 'checkout', pattern: `p${ids}`, start: at, end: null, observed: 100, expected: 10, score: 20, error: kind !== 'spike' && kind !== 'drop', ...over });

/** Ticks every second from `from` to `to`, collecting what is due. */
function run(engine: AlertEngine, from: number, to: number): Notification[] {
  const out: Notification[] = [];
  for (let t = from; t <= to; t += S) out.push(...engine.tick(t));
  return out;
}

describe('alert engine', () => {
  it('makes one alert of a deploy\'s findings and tells it once, group_wait after it opened', () => {
    const engine = new AlertEngine(options(), new Silences(10));
    engine.opened(finding('spike', T0), T0);
    engine.opened(finding('new_pattern', T0 + 10 * S), T0 + 10 * S);
    assert.deepEqual(run(engine, T0, T0 + 29 * S), [], 'nothing before group_wait');
    engine.opened(finding('error_ratio', T0 + 29 * S), T0 + 29 * S);
    const told = run(engine, T0 + 30 * S, T0 + 4 * M);
    assert.equal(told.length, 1);
    assert.equal(told[0]!.reason, 'new');
    assert.deepEqual(told[0]!.alert.findings.map((f) => f.kind), ['spike', 'new_pattern', 'error_ratio'], 'three findings, one alert');
    assert.equal(told[0]!.alert.severity, 'critical');
    assert.equal(engine.list().open.length, 1);
  });

  it('tells a change again after group_interval, and an unchanged alert after repeat_interval', () => {
    const engine = new AlertEngine(options(), new Silences(10));
    engine.opened(finding('spike', T0), T0);
    assert.equal(run(engine, T0, T0 + M).length, 1);
    engine.opened(finding('spike', T0 + 2 * M), T0 + 2 * M);
    const changed = run(engine, T0 + M + S, T0 + 6 * M);
    assert.deepEqual(changed.map((n) => [n.reason, n.at - T0]), [['changed', 5 * M + 30 * S]], 'group_interval after the last notification');
    const repeated = run(engine, T0 + 6 * M + S, T0 + 4 * 60 * M + 6 * M);
    assert.deepEqual(repeated.map((n) => [n.reason, n.at - T0]), [['repeat', 4 * 60 * M + 5 * M + 30 * S]]);
  });

  it('resolves when every finding has closed, tells it once, and opens a new alert for the next finding', () => {
    const engine = new AlertEngine(options(), new Silences(10));
    const a = finding('spike', T0);
    const b = finding('drop', T0 + S);
    engine.opened(a, T0);
    engine.opened(b, T0 + S);
    const first = run(engine, T0, T0 + M)[0]!;
    engine.closed({ ...a, end: T0 + 2 * M });
    assert.deepEqual(run(engine, T0 + M + S, T0 + 3 * M), [], 'one finding still open');
    engine.closed({ ...b, end: T0 + 3 * M });
    const resolved = run(engine, T0 + 3 * M + S, T0 + 10 * M);
    assert.deepEqual(resolved.map((n) => [n.reason, n.alert.id, n.alert.status]), [['resolved', first.alert.id, 'resolved']]);
    engine.opened(finding('spike', T0 + 20 * M), T0 + 20 * M);
    const next = run(engine, T0 + 20 * M, T0 + 21 * M);
    assert.equal(next[0]!.reason, 'new');
    assert.notEqual(next[0]!.alert.id, first.alert.id, 'a new incident');
    assert.equal(engine.list().resolved[0]!.id, first.alert.id);
  });

  it('keeps silenced findings out, and tells the alert once the silence ends', () => {
    const silences = new Silences(10);
    const engine = new AlertEngine(options(), silences);
    silences.add({ matchers: { service: 'checkout', kind: 'spike' }, starts_at: T0, ends_at: T0 + 10 * M, created_by: 'sre', comment: 'deploy window' });
    engine.opened(finding('spike', T0), T0);
    assert.deepEqual(run(engine, T0, T0 + 10 * M - S), [], 'silenced');
    const after = run(engine, T0 + 10 * M, T0 + 11 * M);
    assert.deepEqual(after.map((n) => n.reason), ['new']);
  });

  it('lets a noisy kind count only once it has stayed open long enough, and closes it quietly if it did not', () => {
    const engine = new AlertEngine(options({ confirmForMs: { level_shift: 2 * M } }), new Silences(10));
    const brief = finding('level_shift', T0);
    engine.opened(brief, T0);
    assert.deepEqual(run(engine, T0, T0 + 90 * S), []);
    engine.closed({ ...brief, end: T0 + 90 * S });
    assert.deepEqual(run(engine, T0 + 91 * S, T0 + 10 * M), [], 'never told, not even resolved');
    engine.opened(finding('level_shift', T0 + 20 * M), T0 + 20 * M);
    const told = run(engine, T0 + 20 * M, T0 + 25 * M);
    assert.deepEqual(told.map((n) => [n.reason, n.at - (T0 + 20 * M)]), [['new', 2 * M + 30 * S]], 'confirmed after 2m, then group_wait');
  });

  it('pages on a new error pattern, and not on a release\'s new INFO line', () => {
    const engine = new AlertEngine(options(), new Silences(10));
    engine.opened(finding('new_pattern', T0, { error: false, service: 'search' }), T0);
    engine.opened(finding('new_pattern', T0, { error: true }), T0);
    const told = run(engine, T0, T0 + 2 * M);
    assert.deepEqual(told.map((n) => n.alert.service), ['checkout']);
    // The new error pattern stops ten minutes later: that ends its incident, it is not another one.
    const burst = told[0]!.alert.findings[0]!;
    engine.closed({ ...burst, end: T0 + M });
    run(engine, T0 + 2 * M + S, T0 + 3 * M);
    engine.opened(finding('silence', T0 + 10 * M, { pattern: burst.pattern }), T0 + 10 * M);
    assert.deepEqual(run(engine, T0 + 10 * M, T0 + 15 * M), [], 'no page for a new pattern going away');
    engine.opened(finding('silence', T0 + 10 * M, { pattern: 'p-old' }), T0 + 10 * M);
    assert.equal(run(engine, T0 + 15 * M + S, T0 + 20 * M).length, 1, 'a pattern that was not new falling silent pages');
    // Still silent past the hour a pattern counts as new: still its incident ending, never a page.
    const gone = new AlertEngine(options(), new Silences(10));
    gone.opened(finding('new_pattern', T0, { error: true }), T0);
    const first = run(gone, T0, T0 + 2 * M)[0]!.alert.findings[0]!;
    gone.closed({ ...first, end: T0 + M });
    run(gone, T0 + 2 * M + S, T0 + 3 * M);
    gone.opened(finding('silence', T0 + 10 * M, { pattern: first.pattern }), T0 + 10 * M);
    // (another service's finding an hour later, as the engine then forgets what was new)
    gone.opened(finding('spike', T0 + 75 * M, { service: 'search' }), T0 + 75 * M);
    assert.deepEqual(run(gone, T0 + 10 * M, T0 + 90 * M).filter((n) => n.alert.service === 'checkout'), [], 'no page when the new-pattern hour is over either');
    const all = new AlertEngine(options({ newPatterns: 'all' }), new Silences(10));
    all.opened(finding('new_pattern', T0, { error: false, service: 'search' }), T0);
    assert.equal(run(all, T0, T0 + M).length, 1, 'unless every new pattern is asked for');
  });

  it('grouped by pattern, a service-wide alert inhibits its service\'s pattern alerts', () => {
    const engine = new AlertEngine(options({ groupBy: 'service_pattern' }), new Silences(10));
    engine.opened(finding('drop', T0, { pattern: 'p-orders' }), T0);
    engine.opened(finding('silence', T0, { pattern: '' }), T0);
    engine.opened(finding('spike', T0, { service: 'search', pattern: 'p-query' }), T0);
    const told = run(engine, T0, T0 + 2 * M);
    assert.deepEqual(told.map((n) => [n.alert.service, n.alert.pattern]).sort(), [['checkout', ''], ['search', 'p-query']]);
  });
});
