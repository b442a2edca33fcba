// Every detector kind fires on its case and stays quiet on steady, bursty-but-normal and diurnal traffic;
// the look at the window in progress finds spikes and bursts early and nothing the window's end would not;
// open anomalies are deduplicated and close with hysteresis; Poisson tails are right.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anomalyProcessorFactory, detectorOptions } from '../../../processors/anomaly/factory.js';
import { Detector, type Finding } from '../../../processors/anomaly/detector.js';
import { poissonLowerTail, poissonUpperTail } from '../../../processors/anomaly/poisson.js';
import { AnomalyTracker, type Anomaly } from '../../../processors/anomaly/tracker.js';
import { RateTable } from '../../../processors/ratestats/rate_table.js';
import type { SeverityClass } from '../../../policy/severity.js';

const W = 60_000;
const options = detectorOptions(anomalyProcessorFactory.defaultConfig());

/** A seeded Poisson sampler (Knuth for small λ, normal approximation above 60). */
function poissonSampler(seed: number) {
  let s = seed;
  const uniform = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) + 1) / 2147483649;
  return (lambda: number): number => {
    if (lambda > 60) {
      const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    for (let p = uniform(); p > limit; p *= uniform()) k++;
    return k;
  };
}

type Traffic = (window: number) => Array<{ pattern: string; severity?: SeverityClass; count: number; service?: string }>;

/** Runs `windows` windows of traffic; returns the findings per window. */
function run(windows: number, traffic: Traffic): Finding[][] {
  const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 10, maxSeries: 10_000 });
  const detector = new Detector(options, W);
  const out: Finding[][] = [];
  for (let w = 0; w < windows; w++) {
    for (const { pattern, severity = 'INFO', count, service = 'api' } of traffic(w)) {
      for (let i = 0; i < count; i++) table.record(service, pattern, severity, 10, w * W + (i % W));
    }
    table.advance((w + 1) * W);
    out.push(detector.judge(table.series(), w * W, w >= options.warmupWindows));
  }
  return out;
}

/**
 * Like `run`, but each window arrives in six slices and the window in progress is looked at after each, on
 * the series the slice touched. Returns, per window, the early findings (with the slice that found them) and
 * the window-end findings.
 */
function runEarly(windows: number, traffic: Traffic, arrival: { elapsed: boolean; clumped?: (pattern: string) => boolean } = { elapsed: false }): Array<{ early: Array<Finding & { slice: number }>; end: Finding[] }> {
  const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 10, maxSeries: 10_000 });
  const detector = new Detector(options, W);
  table.takeTouched();
  const out: Array<{ early: Array<Finding & { slice: number }>; end: Finding[] }> = [];
  for (let w = 0; w < windows; w++) {
    const early: Array<Finding & { slice: number }> = [];
    const counts = traffic(w);
    for (let slice = 0; slice < 6; slice++) {
      for (const { pattern, severity = 'INFO', count, service = 'api' } of counts) {
        // Spread over the window, or (clumped) all of it in the window's first slice.
        const share = arrival.clumped?.(pattern) ? (slice === 0 ? count : 0) : Math.floor((count * (slice + 1)) / 6) - Math.floor((count * slice) / 6);
        for (let i = 0; i < share; i++) table.record(service, pattern, severity, 10, w * W + slice * 10_000);
      }
      const elapsed = arrival.elapsed ? (slice + 1) / 6 : 1;
      for (const f of detector.judgeEarly(table.takeTouched(), w * W, w >= options.warmupWindows, elapsed)) early.push({ ...f, slice });
    }
    table.advance((w + 1) * W);
    out.push({ early, end: detector.judge(table.series(), w * W, w >= options.warmupWindows) });
  }
  return out;
}

const kinds = (findings: Finding[][]) => findings.flatMap((f, w) => f.map((x) => `${w}:${x.kind}:${x.pattern}`));

describe('anomaly detector', () => {
  it('Poisson tails', () => {
    assert.ok(Math.abs(poissonUpperTail(3, 0.2) - (1 - Math.exp(-0.2) * (1 + 0.2 + 0.02))) < 1e-12);
    assert.ok(Math.abs(poissonLowerTail(5, 5) - 0.615960654833) < 1e-9);
    assert.ok(poissonUpperTail(30, 25) > 0.15, '30 where 25 were expected is not surprising');
    assert.ok(poissonUpperTail(3, 0.01) < 1e-6, '3 where 0.01 were expected is');
    assert.ok(poissonUpperTail(200, 100) < 1e-15);
  });

  it('stays quiet on steady, bursty-but-normal and diurnal traffic', () => {
    const draw = poissonSampler(7);
    const steady = run(300, () => [{ pattern: 'steady', count: draw(50) }, { pattern: 'rare', count: draw(0.3) }, { pattern: 'err', severity: 'ERROR', count: draw(2) }]);
    assert.deepEqual(kinds(steady), []);
    const bursty = run(300, () => [{ pattern: 'bursty', count: draw(50 * (0.6 + 0.8 * ((draw(10) % 10) / 10))) }]);
    assert.deepEqual(kinds(bursty), []);
    const diurnal = run(600, (w) => [{ pattern: 'diurnal', count: draw(60 + 45 * Math.sin((2 * Math.PI * w) / 288)) }]);
    assert.deepEqual(kinds(diurnal), []);
  });

  it('the window in progress: spikes and new bursts found early, nothing the window\'s end would not find, quiet on normal traffic', () => {
    const draw = poissonSampler(17);
    const quiet = runEarly(300, (w) => [
      { pattern: 'steady', count: draw(50) },
      { pattern: 'bursty', count: draw(50 * (0.6 + 0.8 * ((draw(10) % 10) / 10))) },
      { pattern: 'diurnal', count: draw(60 + 45 * Math.sin((2 * Math.PI * w) / 288)) },
    ]);
    assert.deepEqual(quiet.flatMap((w) => w.early), []);
    const spiky = runEarly(40, (w) => [
      { pattern: 'p', count: w === 30 ? 600 : draw(40) },
      { pattern: w === 35 ? 'brand new failure' : 'steady', severity: w === 35 ? 'ERROR' : 'INFO', count: w === 35 ? 30 : draw(20) },
    ]);
    const early = spiky.flatMap((w, i) => w.early.map((f) => `${i}/${f.slice}:${f.kind}:${f.pattern}`));
    // 100 of the spike's 600 are 2.5× a whole window's expectation: not yet; 200 are.
    assert.deepEqual(early, ['30/1:spike:p', '30/2:spike:p', '30/3:spike:p', '30/4:spike:p', '30/5:spike:p', '35/0:new_pattern:brand new failure', '35/1:new_pattern:brand new failure', '35/2:new_pattern:brand new failure', '35/3:new_pattern:brand new failure', '35/4:new_pattern:brand new failure', '35/5:new_pattern:brand new failure']);
    for (const [i, w] of spiky.entries()) {
      for (const f of w.early) assert.ok(w.end.some((e) => e.kind === f.kind && e.pattern === f.pattern), `window ${i}: ${f.kind} found early but not at the end`);
    }
  });

  it('the window in progress against how the series usually arrives: a spike in its first slice, no clump read as one', () => {
    const draw = poissonSampler(23);
    const clumped = (pattern: string) => pattern.startsWith('clump');
    const arrival = { elapsed: true, clumped };
    // Normal traffic, spread or arriving in one clump at each window's start: nothing early.
    const quiet = runEarly(
      300,
      (w) => [
        { pattern: 'steady', count: draw(50) },
        { pattern: 'diurnal', count: draw(60 + 45 * Math.sin((2 * Math.PI * w) / 288)) },
        { pattern: 'clump job', count: draw(50) },
      ],
      arrival,
    );
    assert.deepEqual(quiet.flatMap((w) => w.early.map((f) => `${f.kind}:${f.pattern}`)), []);
    // A ×15 spike: spread, it shows in the first sixth of its window (100 against the third of 40 the
    // series has by then); clumped, in the clump (600 against the whole 40).
    const spiky = runEarly(40, (w) => [{ pattern: 'p', count: w === 30 ? 600 : draw(40) }, { pattern: 'clump q', count: w === 30 ? 600 : draw(40) }], arrival);
    const first = (pattern: string) => spiky.flatMap((w, i) => w.early.filter((f) => f.pattern === pattern).map((f) => `${i}/${f.slice}:${f.kind}`))[0];
    assert.equal(first('p'), '30/0:spike');
    assert.equal(first('clump q'), '30/0:spike');
    // Against the whole window's expectation (no elapsed share), the spread spike waits for its second slice.
    const whole = runEarly(40, (w) => [{ pattern: 'p', count: w === 30 ? 600 : draw(40) }]);
    assert.equal(whole.flatMap((w, i) => w.early.map((f) => `${i}/${f.slice}`))[0], '30/1');
  });

  it('a spike fires in its window', () => {
    const draw = poissonSampler(11);
    const findings = run(40, (w) => [{ pattern: 'p', count: w === 30 ? 400 : draw(40) }]);
    assert.deepEqual(kinds(findings), ['30:spike:p']);
    const spike = findings[30]![0]!;
    assert.equal(spike.observed, 400);
    assert.ok(spike.expected > 30 && spike.expected < 50);
    assert.ok(spike.score > 50);
  });

  it('a drop, and a steady high-volume pattern falling silent', () => {
    const draw = poissonSampler(13);
    const drop = run(40, (w) => [{ pattern: 'p', count: w === 30 ? 3 : draw(60) }]);
    assert.deepEqual(kinds(drop), ['30:drop:p']);
    const silence = run(40, (w) => (w < 30 ? [{ pattern: 'p', count: draw(60) }] : []));
    const after = kinds(silence);
    assert.ok(after.includes('32:silence:p'), `silence after three empty windows: ${after}`);
    assert.ok(after.every((k) => /^3\d:(drop|silence):p$/.test(k)), after.join(' '));
  });

  it('a new pattern arriving in a burst, sooner at ERROR; a lone new line is no anomaly', () => {
    const draw = poissonSampler(17);
    const findings = run(20, (w) => [
      { pattern: 'base', count: draw(30) },
      ...(w === 10 ? [{ pattern: 'new-info', count: 6 }, { pattern: 'new-error', severity: 'ERROR' as const, count: 2 }, { pattern: 'lone', count: 1 }] : []),
    ]);
    assert.deepEqual(kinds(findings).filter((k) => k.includes('new')).sort(), ['10:new_pattern:new-error', '10:new_pattern:new-info']);
    assert.ok(!kinds(findings).some((k) => k.includes('lone')));
  });

  it('a service\'s error ratio surging', () => {
    const draw = poissonSampler(19);
    const findings = run(40, (w) => [
      { pattern: 'ok', count: draw(1000) },
      { pattern: 'err', severity: 'ERROR', count: w === 30 ? 80 : draw(3) },
    ]);
    const at30 = kinds([findings[30]!]).map((k) => k.replace(/^0:/, ''));
    assert.ok(at30.includes('error_ratio:'), at30.join(' '));
    assert.deepEqual(kinds(findings).filter((k) => k.includes('error_ratio')).length, 1);
  });

  it('tracks anomalies: one per kind, service and pattern while open; closed after two quiet windows', () => {
    const events: string[] = [];
    const tracker = new AnomalyTracker(W, 2, {
      opened: (a: Anomaly) => events.push(`open ${a.kind} ${a.start}`),
      closed: (a: Anomaly) => events.push(`close ${a.kind} ${a.start}-${a.end}`),
    });
    const f = (w: number, score = 10): Finding => ({ kind: 'spike', service: 'api', pattern: 'p', windowStart: w * W, observed: 100, expected: 10, score, error: false });
    tracker.apply(0, [f(0)]);
    tracker.apply(W, [f(1, 20)]);
    tracker.apply(2 * W, []);
    assert.equal(tracker.open().length, 1, 'one quiet window does not close it');
    assert.equal(tracker.open()[0]!.score, 20);
    assert.ok(tracker.isOpenFor('api', 'p'));
    tracker.apply(3 * W, []);
    assert.deepEqual(events, ['open spike 0', `close spike 0-${2 * W}`]);
    assert.equal(tracker.open().length, 0);
  });

  it('a finding from the window in progress boosts at once and is announced only when the window\'s end bears it out', () => {
    const events: string[] = [];
    const tracker = new AnomalyTracker(W, 2, {
      opened: (a: Anomaly) => events.push(`open ${a.kind} ${a.pattern} found ${a.detected}`),
      closed: (a: Anomaly) => events.push(`close ${a.kind} ${a.pattern}`),
    });
    const f = (pattern: string): Finding => ({ kind: 'spike', service: 'api', pattern, windowStart: 0, observed: 100, expected: 10, score: 10, error: false });
    tracker.applyEarly(0, [f('real'), f('clump')], W / 4);
    assert.ok(tracker.boostFor('api', 'real') && tracker.boostFor('api', 'clump'), 'both boosted from the early finding');
    assert.deepEqual(events, [], 'nothing announced before the window ends');
    assert.deepEqual(tracker.announced(), []);
    // The window's end finds the real spike only: the clump's early finding is withdrawn without a word.
    tracker.apply(0, [f('real')], W + 5);
    assert.deepEqual(events, [`open spike real found ${W + 5}`]);
    assert.equal(tracker.boostFor('api', 'clump'), undefined);
    assert.deepEqual(tracker.open().map((a) => a.pattern), ['real']);
    // One found early in a later window waits for that window's end, not an earlier one's.
    tracker.applyEarly(2 * W, [f('next')], 2 * W + W / 2);
    tracker.apply(W, [f('real')], 2 * W);
    assert.ok(tracker.boostFor('api', 'next'));
    tracker.apply(2 * W, [f('next')], 3 * W);
    tracker.apply(3 * W, [], 4 * W);
    tracker.apply(4 * W, [], 5 * W);
    assert.deepEqual(events, [`open spike real found ${W + 5}`, `open spike next found ${3 * W}`, 'close spike real', 'close spike next']);
  });

  it('boosts what an anomaly is about: the excess of a spike, a new pattern whole, nothing for a service-wide surge', () => {
    const tracker = new AnomalyTracker(W, 2);
    const finding = (kind: Finding['kind'], pattern: string): Finding => ({ kind, service: 'api', pattern, windowStart: 0, observed: 100, expected: 10, score: 10, error: kind === 'error_ratio' });
    tracker.apply(0, [finding('spike', 'p'), finding('new_pattern', 'n'), finding('error_ratio', '')]);
    assert.deepEqual(tracker.boostFor('api', 'p'), { kind: 'excess', usualPerSecond: (10 * 1000) / W });
    assert.deepEqual(tracker.boostFor('api', 'n'), { kind: 'whole' });
    // Its errors are kept by severity and the retro flush brings back its context; boosting every line of
    // the service while errors surge would spend the savings on its INFO lines.
    assert.equal(tracker.boostFor('api', 'other'), undefined);
    assert.ok(tracker.isOpenFor('api', 'other'), 'still open for the service (the retro flush)');
  });
});
