// Real rates are overdispersed (variance many times the mean), seasonal, and shift level after deploys; a
// Poisson test calls every burst an anomaly. Fed two weeks of such a series at 5-minute windows with no
// anomaly, the detector is silent; the same series with a spike, a drop and a level shift finds each once.
// Traffic coming back at its usual level after a lull opens nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anomalyProcessorFactory, detectorOptions } from '../../../processors/anomaly/factory.js';
import { Detector } from '../../../processors/anomaly/detector.js';
import { scanSeries, type SeriesPoint } from '../../../processors/anomaly/series_scan.js';
import { RateTable } from '../../../processors/ratestats/rate_table.js';
import { random, samplers } from '../../../bench/draws.js';

const STEP = 5 * 60_000;
const DAY = 24 * 3_600_000;
const options = detectorOptions(anomalyProcessorFactory.defaultConfig());

/** Seeded gamma–Poisson (negative binomial) counts: mean μ, variance μ·φ (φ ≤ 1: Poisson-like, φ = 1.0001). */
function negativeBinomial(seed: number) {
  const { negativeBinomial: draw } = samplers(random(seed));
  return (mean: number, phi: number) => draw(mean, Math.max(phi, 1.0001));
}

/** Two weeks of 5-minute counts: a day curve (night at a fifth of the afternoon), quieter weekends, φ = 12. */
function bursty(seed: number, shape: (i: number, base: number) => number = (_, b) => b): SeriesPoint[] {
  const draw = negativeBinomial(seed);
  const start = Date.UTC(2026, 10, 2); // a Monday
  return Array.from({ length: 14 * 288 }, (_, i) => {
    const time = start + i * STEP;
    const hour = (time % DAY) / 3_600_000;
    const weekend = [0, 6].includes(new Date(time).getUTCDay()) ? 0.6 : 1;
    const base = 200 * weekend * (0.6 - 0.4 * Math.cos((2 * Math.PI * (hour - 3)) / 24));
    return { time, value: draw(shape(i, base), 12) };
  });
}

describe('the detector on bursty, seasonal series', () => {
  it('is silent on an overdispersed seasonal series with no anomaly', () => {
    for (const seed of [3, 8, 21]) {
      const findings = scanSeries(bursty(seed), options);
      assert.deepEqual(findings, [], `seed ${seed}`);
    }
  });

  it('finds a spike, a drop and a level shift in the same series, each once', () => {
    // Afternoons of days 6, 9 and 11 (288 windows a day).
    const SPIKE = 6 * 288 + 168;
    const DROP = 9 * 288 + 180;
    const SHIFT = 11 * 288 + 144;
    const series = bursty(5, (i, base) => (i >= SPIKE && i < SPIKE + 3 ? base * 6 : i >= DROP && i < DROP + 3 ? base * 0.1 : i >= SHIFT ? base * 2.2 : base));
    const findings = scanSeries(series, options);
    const at = (kind: string, from: number, to: number) => findings.filter((f) => f.kind === kind && f.index >= from && f.index < to);
    assert.equal(at('spike', SPIKE, SPIKE + 3).length, 1, JSON.stringify(findings));
    assert.equal(at('drop', DROP, DROP + 3).length, 1, JSON.stringify(findings));
    assert.equal(at('level_shift', SHIFT, SHIFT + 40).length, 1, JSON.stringify(findings));
    assert.equal(findings.length, 3, `nothing else: ${JSON.stringify(findings)}`);
  });

  it('judges values that are not counts on their own scale', () => {
    let s = 9;
    const noise = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 12;
    // A latency in ms, a minute apart: a day's swell, noise, and one stall.
    const latency = Array.from({ length: 3000 }, (_, i) => ({ time: i * 60_000, value: 120.5 + 10 * Math.sin((2 * Math.PI * i) / 1440) + noise() + (i === 2500 ? 90 : 0) }));
    const findings = scanSeries(latency, options);
    assert.deepEqual(findings.map((f) => [f.kind, f.index]), [['spike', 2500]]);
  });

  it('traffic resuming at its usual level after a lull opens no anomaly', () => {
    const W = 60_000;
    const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 10, maxSeries: 1000 });
    const detector = new Detector(options, W);
    const draw = negativeBinomial(4);
    const kinds: string[] = [];
    const expectedInLull: number[] = [];
    // Half an hour with nothing (a sender down, a batch host between runs): long enough for a model that
    // learned from it to call the traffic's return a spike.
    for (let w = 0; w < 90; w++) {
      const lull = w >= 40 && w < 70;
      if (!lull) for (const pattern of ['a', 'b', 'c', 'd', 'e']) table.record('api', pattern, 'INFO', 10, w * W, draw(2400, 3));
      table.advance((w + 1) * W);
      for (const f of detector.judge(table.series(), w * W, w > 5)) {
        kinds.push(`${w}:${f.kind}:${f.pattern}`);
        if (lull) expectedInLull.push(f.expected);
      }
    }
    assert.ok(kinds.every((k) => /^[4-6]\d:(drop|silence):/.test(k)), `only the lull itself may be noted: ${kinds.join(' ')}`);
    assert.ok(!kinds.some((k) => k.includes('spike')), kinds.join(' '));
    // The lull is noted (the service went silent) but teaches nothing: to the end of it, each pattern is
    // still expected at its usual 2400 a minute.
    assert.ok(expectedInLull.length > 0 && expectedInLull.every((e) => e > 2000), `expected during the lull: ${expectedInLull.map(Math.round).join(' ')}`);
  });

  it("a service's errors are as bursty as the rest: at a steady share no surge, a real one found", () => {
    const W = 60_000;
    const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 10, maxSeries: 1000 });
    const detector = new Detector(options, W);
    const draw = negativeBinomial(11);
    const SURGE = 400;
    const surges: number[] = [];
    const others: string[] = [];
    for (let w = 0; w < 460; w++) {
      for (const pattern of ['a', 'b', 'c']) table.record('api', pattern, 'INFO', 10, w * W, draw(300, 6));
      // Errors come in bursts (φ 8: a window of 60 against a mean of 20 is ordinary); the surge is ×10.
      table.record('api', 'err', 'ERROR', 10, w * W, draw(w >= SURGE && w < SURGE + 3 ? 200 : 20, 8));
      table.advance((w + 1) * W);
      for (const f of detector.judge(table.series(), w * W, w > 5)) {
        if (f.kind === 'error_ratio') surges.push(w);
        else others.push(`${w}:${f.kind}:${f.pattern}`);
      }
    }
    assert.deepEqual(surges.filter((w) => w < SURGE), [], 'no surge called on bursty errors at their usual share');
    assert.ok(surges.includes(SURGE), `the surge is found in its first window: ${surges.join(' ')}`);
    assert.ok(surges.every((w) => w < SURGE + 3), `and nowhere after it: ${surges.join(' ')}`);
  });

  it('a pattern that comes in bursts is not called silent between them, once its bursts are known', () => {
    const W = 60_000;
    const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 10, maxSeries: 1000 });
    const detector = new Detector(options, W);
    const draw = negativeBinomial(12);
    const findings: string[] = [];
    for (let w = 0; w < 600; w++) {
      table.record('api', 'steady', 'INFO', 10, w * W, draw(400, 4));
      // A batch job's line: 150 a minute on average, in bursts a few minutes long with quiet ones between.
      const burst = Math.floor(w / 4) % 3 === 0;
      const count = burst ? draw(450, 5) : 0;
      if (count > 0) table.record('api', 'batch', 'INFO', 10, w * W, count);
      table.advance((w + 1) * W);
      for (const f of detector.judge(table.series(), w * W, w > 5)) if (f.pattern === 'batch' && f.kind === 'silence') findings.push(`${w}`);
    }
    // Its first pauses are news (four minutes of 450 and then nothing); after a few cycles they are not:
    // a silence is called only when it is as improbable as any other finding.
    assert.deepEqual(findings.filter((w) => Number(w) >= 60), [], `silences called: ${findings.join(' ')}`);
  });

  it('a new pattern that came in a burst and went is not called silent or dropped when it stops', () => {
    const W = 10_000;
    const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 10, maxSeries: 1000 });
    const detector = new Detector(options, W);
    const draw = negativeBinomial(13);
    const findings: string[] = [];
    for (let w = 0; w < 60; w++) {
      table.record('api', 'steady', 'INFO', 10, w * W, draw(500, 3));
      // A new error for twenty seconds (two windows), then never again.
      if (w === 30 || w === 31) table.record('api', 'timeout', 'ERROR', 10, w * W, 120);
      table.advance((w + 1) * W);
      for (const f of detector.judge(table.series(), w * W, w > 5)) if (f.pattern === 'timeout') findings.push(`${w}:${f.kind}`);
    }
    assert.deepEqual(findings, ['30:new_pattern']);
  });

  it('an overdispersed pattern that stops is found silent: its empty windows do not teach the level to expect them', () => {
    const W = 60_000;
    const table = new RateTable({ windowMs: W, ewmaAlpha: 0.2, history: 60, maxSeries: 1000 });
    const detector = new Detector(options, W);
    const draw = negativeBinomial(21);
    const found: string[] = [];
    for (let w = 0; w < 330; w++) {
      table.record('api', 'steady', 'INFO', 10, w * W, draw(400, 4));
      // 20 a minute, as bursty as a busy line is (φ 8: a few empty minutes a day), then gone from minute 300.
      const count = w < 300 ? draw(20, 8) : 0;
      if (count > 0) table.record('api', 'orders', 'INFO', 10, w * W, count);
      table.advance((w + 1) * W);
      for (const f of detector.judge(table.series(), w * W, w > 5)) if (f.pattern === 'orders' && f.kind === 'silence') found.push(`${w}`);
    }
    assert.ok(found.length > 0 && Number(found[0]) < 310 && found.every((w) => Number(w) >= 300), `silence found at ${found.join(' ') || 'no window'}`);
  });
});
