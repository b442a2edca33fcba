// The anomaly benchmark: logsift's series detector (the one `logsift anomaly scan` runs, default settings)
// and, in the same run, a windowed-Gaussian baseline (mean and deviation of the previous day of points, a
// point flagged when its two-sided tail is below a threshold — given its best threshold of five, which
// flatters it), over generated series with real-world properties (bench/anomaly/series.ts), scored as the
// Numenta Anomaly Benchmark's standard profile (bench/anomaly/nab_score.ts). Both detectors report an
// excursion once (its first point). False positives per 1,000 points are measured on anomaly-free series.
// Last line: JSON.
import os from 'node:os';
import { anomalyProcessorFactory, detectorOptions } from '../processors/anomaly/factory.js';
import { erfc } from '../processors/anomaly/series_model.js';
import { scanSeries } from '../processors/anomaly/series_scan.js';
import { emptyTally, normalised, scoreDetections, type Tally } from './anomaly/nab_score.js';
import { generateSeries, type LabelledSeries } from './anomaly/series.js';

const { labelled, clean } = generateSeries();
const options = detectorOptions(anomalyProcessorFactory.defaultConfig());

function ours(series: LabelledSeries): number[] {
  return scanSeries(series.points, options).map((f) => f.index);
}

function windowedGaussian(series: LabelledSeries, threshold: number, window = 288): number[] {
  const out: number[] = [];
  let inRun = false;
  const values = series.points.map((p) => p.value);
  let sum = 0;
  let sumSq = 0;
  values.forEach((x, i) => {
    if (i >= window) {
      const mean = sum / window;
      const sd = Math.sqrt(Math.max(1e-12, sumSq / window - mean * mean));
      const z = Math.abs(x - mean) / sd;
      const tail = erfc(z / Math.SQRT2);
      const flagged = tail < threshold;
      if (flagged && !inRun) out.push(i);
      inRun = flagged;
      sum -= values[i - window]!;
      sumSq -= values[i - window]! ** 2;
    }
    sum += x;
    sumSq += x * x;
  });
  return out;
}

function evaluate(detect: (s: LabelledSeries) => number[]): { score: number; tally: Tally; fpPer1000Clean: number; seconds: number } {
  const started = performance.now();
  const tally = emptyTally();
  for (const s of labelled) scoreDetections(s, detect(s), tally);
  let cleanFalse = 0;
  let cleanPoints = 0;
  for (const s of clean) {
    cleanFalse += detect(s).length;
    cleanPoints += s.points.length;
  }
  return { score: normalised(tally), tally, fpPer1000Clean: (1000 * cleanFalse) / cleanPoints, seconds: (performance.now() - started) / 1000 };
}

const mine = evaluate(ours);
const baselines = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6].map((threshold) => ({ threshold, ...evaluate((s) => windowedGaussian(s, threshold)) }));
const baseline = baselines.reduce((a, b) => (b.score > a.score ? b : a));
const round = (x: number) => Number(x.toFixed(3));
for (const s of labelled) process.stdout.write(`${s.name.padEnd(22)} labelled at ${s.anomalies.join(',').padEnd(18)} logsift ${ours(s).join(',')}\n`);
process.stdout.write(`logsift: score ${round(mine.score)}, missed ${mine.tally.missed}/${mine.tally.windows}, false positives ${mine.tally.falsePositives}, per 1000 clean points ${round(mine.fpPer1000Clean)}\n`);
process.stdout.write(`windowed Gaussian (best threshold ${baseline.threshold}): score ${round(baseline.score)}, missed ${baseline.tally.missed}/${baseline.tally.windows}, false positives ${baseline.tally.falsePositives}, per 1000 clean points ${round(baseline.fpPer1000Clean)}\n`);
const summary = {
  bench: 'anomaly',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  series: labelled.length,
  clean_series: clean.length,
  points_per_series: labelled[0]!.points.length,
  labelled_windows: mine.tally.windows,
  score: round(mine.score),
  missed: mine.tally.missed,
  false_positives: mine.tally.falsePositives,
  fp_per_1000_clean_points: round(mine.fpPer1000Clean),
  baseline_windowed_gaussian_score: round(baseline.score),
  baseline_threshold: baseline.threshold,
  baseline_fp_per_1000_clean_points: round(baseline.fpPer1000Clean),
  ratio_vs_baseline: round(mine.score / baseline.score),
  seconds: round(mine.seconds),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
