// Daily volume ahead, from the days behind: a weekly pattern (weekends are often half a weekday) once two
// weeks show it, then Holt's level and trend on the logarithm of what is left — volumes grow and shrink by
// factors (a deploy multiplies a template's rate), so a level is followed in proportion, and the trend is
// damped (a deploy's step is not a slope). No pattern within a day is needed: only daily totals are billed.
// Every projection is backtested the same way — each of the last days predicted from the days before it —
// and its interval is what that backtest's errors say, so the width is measured, not assumed.

const WEEK = 7;
// Weekday factors need at least this many days of history, so each weekday is seen twice.
const SEASONAL_AFTER = 2 * WEEK;
// Smoothing over the last three weeks: the level follows a new day by ALPHA, the trend by BETA, and the
// trend is damped by DAMPING a day ahead. Chosen on bench/volume_series.ts (the workload's rate model, its
// own seeds): a level that follows quickly matters most there, since deploys move volume for good.
const HISTORY = 3 * WEEK;
const ALPHA = 0.8;
const BETA = 0.2;
const DAMPING = 0.5;

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
  const deseason = (d: number) => Math.log(Math.max(1, history[d]! / (factors?.[weekdayOf(d)] || 1)));
  const from = Math.max(0, n - HISTORY);
  let level = deseason(from);
  let trend = 0;
  for (let d = from + 1; d < n; d++) {
    const previous = level;
    level = ALPHA * deseason(d) + (1 - ALPHA) * (level + trend);
    trend = BETA * (level - previous) + (1 - BETA) * trend;
  }
  // A damped trend: h days ahead it adds DAMPING + DAMPING² + … + DAMPING^h of a day's trend, which stays
  // bounded (here by one day's) however far the projection looks.
  const ahead = Math.max(1, target - n + 1);
  const reach = (DAMPING * (1 - DAMPING ** ahead)) / (1 - DAMPING);
  const value = Math.exp(level + reach * trend) * (factors?.[weekdayOf(target)] ?? 1);
  return { value: n === 1 && history[0] === 0 ? 0 : value, weekly: factors !== undefined };
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
