// One series judged on its own, point by point: what `logsift anomaly scan` prints and what bench:anomaly
// scores. Counts are judged as counts (quasi-Poisson); any other numbers (a latency, a gauge, a negative
// value) on their own scale (Gaussian) — see series_model.ts. An excursion (points in a row that are all
// anomalous the same way) is one finding, at its first point.
import type { DetectorOptions } from './detector.js';
import { DEFAULT_SERIES_MODEL, SeriesModel, scoreOf, type SeriesScale } from './series_model.js';

export interface SeriesPoint {
  /** ms since the epoch (or any increasing ms clock). */
  time: number;
  value: number;
}

export interface SeriesFinding {
  index: number;
  kind: 'spike' | 'drop' | 'silence' | 'level_shift';
  observed: number;
  expected: number;
  score: number;
}

/** Counts when every value is a whole number ≥ 0; anything else is a value. */
export function scaleOf(points: readonly SeriesPoint[]): SeriesScale {
  return points.every((p) => Number.isInteger(p.value) && p.value >= 0) ? 'count' : 'value';
}

/** The series' step: the median gap between points (a minute when there is one point). */
export function stepOf(points: readonly SeriesPoint[]): number {
  const gaps = points.slice(1).map((p, i) => p.time - points[i]!.time).filter((g) => g > 0).sort((a, b) => a - b);
  return gaps.length === 0 ? 60_000 : gaps[gaps.length >> 1]!;
}

export function scanSeries(points: readonly SeriesPoint[], o: DetectorOptions, scale: SeriesScale = scaleOf(points)): SeriesFinding[] {
  const model = new SeriesModel(scale, { ...DEFAULT_SERIES_MODEL, windowMs: stepOf(points) });
  const findings: SeriesFinding[] = [];
  let previous: SeriesFinding['kind'] | undefined;
  let zeros = 0;
  points.forEach((point, index) => {
    const x = point.value;
    const e = model.expect(point.time);
    let found: SeriesFinding | undefined;
    if (model.windows > o.warmupWindows) {
      const expected = Number(e.mean.toFixed(3));
      zeros = scale === 'count' && x === 0 ? zeros + 1 : 0;
      const bigEnough = scale === 'value' || (x >= o.spikeMinCount && x >= o.spikeMinRatio * e.mean);
      const lowEnough = scale === 'value' || (e.mean >= o.dropMinExpected && x * 3 <= e.mean);
      if (scale === 'count' && zeros >= o.silenceWindows && e.mean >= o.dropMinExpected) {
        found = { index, kind: 'silence', observed: x, expected, score: scoreOf(model.lowerTail(0, e) ** o.silenceWindows) };
      } else if (bigEnough && model.upperTail(x, e) < o.pValue) {
        found = { index, kind: 'spike', observed: x, expected, score: scoreOf(model.upperTail(x, e)) };
      } else if (lowEnough && model.lowerTail(x, e) < o.pValue) {
        found = { index, kind: 'drop', observed: x, expected, score: scoreOf(model.lowerTail(x, e)) };
      }
    }
    const shift = model.learn(x, point.time);
    if (!found && shift && model.windows > o.warmupWindows && (scale === 'value' || Math.max(shift.from, shift.to) >= o.shiftMinExpected)) {
      found = { index, kind: 'level_shift', observed: shift.to, expected: shift.from, score: shift.score };
    }
    // Silence is reported once its run is long enough, then the run is one excursion.
    if (found && found.kind !== previous) findings.push(found);
    previous = found?.kind;
  });
  return findings;
}
