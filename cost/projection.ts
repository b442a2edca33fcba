// Daily volume ahead, from the days behind: a weekly pattern (weekends are often half a weekday) once two
// weeks show it, a level from the last week with the weekly pattern taken out, and a trend over the last two
// weeks, damped (a deploy's step is not a slope). No pattern within a day is needed: only daily totals are
// billed. Every projection is backtested the same way — each of the last days predicted from the days before
// it — and its interval is what that backtest's errors say, so the width is measured, not assumed.

const WEEK = 7;
// Weekday factors need at least this many days of history, so each weekday is seen twice.
const SEASONAL_AFTER = 2 * WEEK;
// A trend is read over at most this many deseasonalised days, and counts for half.
const TREND_SPAN = 2 * WEEK;
const TREND_DAMPING = 0.5;

export interface Forecast {
  value: number;
  /** Whether a weekly pattern was learned and applied. */
  weekly: boolean;
}

/** Day-of-week factors (mean 1) from the history: each day against the mean of the week around it. */
function weekdayFactors(history: readonly number[], weekdayOf: (day: number) => number): number[] | undefined {
  if (history.length < SEASONAL_AFTER) return undefined;
  const sums = new Array<number>(WEEK).fill(0);
  const counts = new Array<number>(WEEK).fill(0);
  for (let d = 0; d + WEEK <= history.length; d++) {
    let week = 0;
    for (let k = d; k < d + WEEK; k++) week += history[k]!;
    if (week <= 0) continue;
    // The day in the middle of this seven-day stretch, against the stretch's mean.
    const mid = d + 3;
    sums[weekdayOf(mid)]! += history[mid]! / (week / WEEK);
    counts[weekdayOf(mid)]! += 1;
  }
  const raw = sums.map((s, w) => (counts[w]! > 0 ? s / counts[w]! : 1));
  const mean = raw.reduce((a, b) => a + b, 0) / WEEK;
  return raw.map((f) => (mean > 0 ? f / mean : 1));
}

/** The total of day `target` (an index, possibly beyond the history's end) from `history` (day 0 first). */
export function forecastDay(history: readonly number[], target: number, weekdayOf: (day: number) => number): Forecast {
  const n = history.length;
  if (n === 0) return { value: 0, weekly: false };
  const factors = weekdayFactors(history, weekdayOf);
  const deseason = (d: number) => history[d]! / (factors?.[weekdayOf(d)] || 1);
  const levelFrom = Math.max(0, n - WEEK);
  let level = 0;
  for (let d = levelFrom; d < n; d++) level += deseason(d);
  level /= n - levelFrom;
  // Least squares over the last TREND_SPAN days; the level stands at the middle of its week.
  const from = Math.max(0, n - TREND_SPAN);
  const span = n - from;
  let slope = 0;
  if (span >= 3) {
    const meanX = (from + n - 1) / 2;
    let meanY = 0;
    for (let d = from; d < n; d++) meanY += deseason(d);
    meanY /= span;
    let sxy = 0;
    let sxx = 0;
    for (let d = from; d < n; d++) {
      sxy += (d - meanX) * (deseason(d) - meanY);
      sxx += (d - meanX) ** 2;
    }
    slope = sxx > 0 ? (sxy / sxx) * TREND_DAMPING : 0;
  }
  const levelAt = (levelFrom + n - 1) / 2;
  const value = Math.max(0, level + slope * (target - levelAt)) * (factors?.[weekdayOf(target)] ?? 1);
  return { value, weekly: factors !== undefined };
}

export interface Backtest {
  /** Days predicted (each from the days before it). */
  days: number;
  /** Absolute relative errors' median and 90th percentile. */
  p50_error: number;
  p90_error: number;
  /** Signed relative errors, day by day (forecast / actual − 1). */
  errors: number[];
}

/** Each of the last `days` days of `series` predicted from the days before it (at least `minHistory` of them). */
export function backtest(series: readonly number[], days: number, weekdayOf: (day: number) => number, minHistory = 3): Backtest | undefined {
  const errors: number[] = [];
  for (let t = Math.max(minHistory, series.length - days); t < series.length; t++) {
    const actual = series[t]!;
    if (actual <= 0) continue;
    errors.push(forecastDay(series.slice(0, t), t, weekdayOf).value / actual - 1);
  }
  if (errors.length === 0) return undefined;
  const sorted = errors.map(Math.abs).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { days: errors.length, p50_error: at(0.5), p90_error: at(0.9), errors };
}

export interface Projection {
  /** The next `days` days' total. */
  total: number;
  /** The total widened by the backtest's 90th-percentile error (undefined without a backtest). */
  low: number | undefined;
  high: number | undefined;
  weekly: boolean;
}

/**
 * The next `days` days after the series, summed, with the backtest's p90 day error as the interval's relative
 * width: wide where day errors would cancel over a month, fair where a level error persists (the usual case
 * after a deploy).
 */
export function project(series: readonly number[], days: number, weekdayOf: (day: number) => number, check: Backtest | undefined): Projection {
  let total = 0;
  let weekly = false;
  for (let k = 0; k < days; k++) {
    const f = forecastDay(series, series.length + k, weekdayOf);
    total += f.value;
    weekly = f.weekly;
  }
  const width = check?.p90_error;
  return { total, low: width === undefined ? undefined : total * Math.max(0, 1 - width), high: width === undefined ? undefined : total * (1 + width), weekly };
}
