// Scoring as the Numenta Anomaly Benchmark's standard profile does: each labelled anomaly has a window
// (10% of the series' length shared among its anomalies, centred on it); the earliest detection inside a
// window earns A_TP·σ(y), σ(y) = 2/(1+e^{5y}) − 1, y the detection's place from −1 (window start) to 0
// (end); later detections in the window count for nothing; every detection outside all windows costs
// A_FP = 0.11; a window without a detection costs A_FN = 1. Normalised per run to 0 (no detector) … 100
// (each window found at its first point).
import type { LabelledSeries } from './series.js';

const A_TP = 1;
const A_FP = 0.11;
const A_FN = 1;
const sigma = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;

export interface Tally {
  raw: number;
  nullScore: number;
  perfect: number;
  falsePositives: number;
  missed: number;
  windows: number;
}

export function emptyTally(): Tally {
  return { raw: 0, nullScore: 0, perfect: 0, falsePositives: 0, missed: 0, windows: 0 };
}

export function windowsOf(series: LabelledSeries): Array<[number, number]> {
  if (series.anomalies.length === 0) return [];
  const width = Math.max(2, Math.floor((0.1 * series.points.length) / series.anomalies.length));
  return series.anomalies.map((a) => [Math.max(0, a - Math.floor(width / 2)), Math.min(series.points.length, a + Math.ceil(width / 2))]);
}

export function scoreDetections(series: LabelledSeries, detections: readonly number[], tally: Tally): void {
  const windows = windowsOf(series);
  const found = new Set<number>();
  for (const d of [...detections].sort((a, b) => a - b)) {
    const w = windows.findIndex(([s, e]) => d >= s && d < e);
    if (w < 0) {
      tally.raw -= A_FP;
      tally.falsePositives += 1;
      continue;
    }
    if (found.has(w)) continue;
    found.add(w);
    const [s, e] = windows[w]!;
    tally.raw += A_TP * sigma(-(e - 1 - d) / (e - s));
  }
  for (let w = 0; w < windows.length; w++) {
    tally.windows += 1;
    tally.nullScore -= A_FN;
    tally.perfect += A_TP * sigma(-1 + 1 / (windows[w]![1] - windows[w]![0]));
    if (!found.has(w)) {
      tally.raw -= A_FN;
      tally.missed += 1;
    }
  }
}

export const normalised = (t: Tally) => (100 * (t.raw - t.nullScore)) / (t.perfect - t.nullScore);
