// What one series is expected to do next, learned online from its own windows: a level, the series' own
// overdispersion, and — once its history covers a cycle — hour-of-day and day-of-week factors. Real counts
// are overdispersed (per-minute variance often 5–50× the mean), seasonal and shift level after deploys; a
// Poisson test calls every burst an anomaly. So counts are judged negative binomial (variance φ·μ, φ learned
// per series), the learning is robust to the anomalies themselves (a window's pull on the level is clipped
// at CLIP standard deviations, on the spread at SPREAD_CLIP), and a sustained move is a level shift, found by a
// two-sided CUSUM on the standardised residuals and reported once, after which the level starts again from
// where the series went. Non-count values (latencies, gauges) are judged Gaussian on the same machinery.
//
// The score of a finding is −log10 of its probability under the model: the upper tail for a spike, the
// lower tail for a drop, and for a level shift the normal tail of the run's mean residual over its length.
// Memory is constant per series (31 factors and a few numbers), whatever its history.
import { negativeBinomialLowerTail, negativeBinomialUpperTail } from './negative_binomial.js';
import { poissonLowerTail, poissonUpperTail } from './poisson.js';

export type SeriesScale = 'count' | 'value';

export interface SeriesModelOptions {
  /** Weight of the newest window in the level (and in the spread, at half). */
  alpha: number;
  /** Length of one window in ms (seasonal factors apply to windows of an hour or less). */
  windowMs: number;
  /** CUSUM: slack per window and decision threshold, in standard deviations. */
  cusumSlack: number;
  cusumThreshold: number;
}

// CUSUM slack 1σ and threshold 6σ: in control a false alarm in hundreds of thousands of windows (Siegmund's
// approximation) — the slack also has to absorb the seasonal curve's misfit, which leaves residuals of
// about one σ on a morning ramp for an hour — and a shift of 3σ found within three windows, of 2σ in six.
export const DEFAULT_SERIES_MODEL: Omit<SeriesModelOptions, 'windowMs'> = { alpha: 0.1, cusumSlack: 1, cusumThreshold: 6 };

// A window pulls the level and the spread by at most this many standard deviations.
const CLIP = 3;
// The spread learns from residuals clipped at this many standard deviations (wider than the level's: a
// skewed count's real tail reaches further), slowly — else the first windows of a level shift teach it
// that the series is wild, and the shift is absorbed before the CUSUM is sure of it.
const SPREAD_CLIP = 4;
const SPREAD_RATE = 0.1;
// Windows a level shift's new level is measured over.
const RECENT = 4;
// One residual adds at most this much to a CUSUM sum: a lone spike is a spike, not a level shift.
const CUSUM_STEP_CAP = 3;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// How fast an hour-of-day (day-of-week) factor moves toward each of its windows.
const HOUR_RATE = 0.05;
const DAY_RATE = 0.01;

const normalUpperTail = (z: number) => 0.5 * erfc(z / Math.SQRT2);

/** Complementary error function (Numerical Recipes' erfcc, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** The hours whose middles a time lies between, and how far toward the later one. */
function hourPlace(start: number): { below: number; above: number; weight: number } {
  const hours = (start % DAY) / HOUR - 0.5;
  const below = Math.floor(hours);
  return { below: (below + 24) % 24, above: (below + 25) % 24, weight: hours - below };
}

function meanOf(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length || 1;
}

export const scoreOf = (p: number) => Number((-Math.log10(Math.max(p, 1e-300))).toFixed(3));

export interface Expectation {
  /** Expected value of the window (seasonal when the history covers the cycle). */
  mean: number;
  /** Its variance under the model: φ·mean for counts, σ² for values. */
  variance: number;
}

export interface LevelShift {
  direction: 'up' | 'down';
  /** Level before and after. */
  from: number;
  to: number;
  /** Windows the move took to be sure of. */
  windows: number;
  score: number;
}

export class SeriesModel {
  #level = 0;
  /** Spread: for counts the dispersion φ (variance / mean, at least 1); for values the variance. */
  #spread = 0;
  #windows = 0;
  #firstStart: number | undefined;
  readonly #hourly = new Float64Array(24).fill(1);
  readonly #daily = new Float64Array(7).fill(1);
  /**
   * Slow means the factors are measured against: about a day's memory for the hours, a week's for the days.
   * The level itself follows within hours, so measured against it every hour would look ordinary.
   */
  #dayMean = 0;
  #weekMean = 0;
  /** Two-sided CUSUM sums of the standardised residuals. */
  #up = 0;
  #down = 0;
  /** Windows of nothing in a row now, and the longest such run learned (a pattern that pauses, pauses). */
  #quietRun = 0;
  #longestQuietRun = 0;
  /** Windows learned from that had anything in them. */
  #busyWindows = 0;
  /** The last few windows' residuals and deseasonalised values, for where a level shift went. */
  #recent: Array<{ z: number; level: number }> = [];

  constructor(
    readonly scale: SeriesScale,
    private readonly options: SeriesModelOptions,
  ) {}

  /** Windows learned from. */
  get windows(): number {
    return this.#windows;
  }

  /** Windows learned from that had anything in them: a series seen in a few only has no usual to fall from. */
  get busyWindows(): number {
    return this.#busyWindows;
  }

  /** The longest run of empty windows this series has had and come back from. */
  get longestQuietRun(): number {
    return this.#longestQuietRun;
  }

  #season(start: number): number {
    if (this.#firstStart === undefined || this.options.windowMs > HOUR) return 1;
    const span = start - this.#firstStart;
    let factor = 1;
    if (span >= DAY) factor *= this.#hourOfDay(start) / meanOf(this.#hourly);
    if (span >= WEEK) factor *= this.#daily[(Math.floor(start / DAY) + 4) % 7]! / meanOf(this.#daily);
    return factor;
  }

  expect(start: number): Expectation {
    const season = this.#season(start);
    const mean = Math.max(0, this.#level * season);
    if (this.scale === 'count') return { mean, variance: Math.max(1, this.#spread) * Math.max(mean, 0.05) };
    return { mean: this.#level * season, variance: Math.max(this.#spread, 1e-12) };
  }

  /** P(X ≥ x) under the model. */
  upperTail(x: number, e: Expectation): number {
    if (this.scale === 'value') return normalUpperTail((x - e.mean) / Math.sqrt(e.variance));
    const mean = Math.max(e.mean, 0.05);
    const phi = e.variance / mean;
    return phi > 1.01 ? negativeBinomialUpperTail(x, mean, phi) : poissonUpperTail(x, mean);
  }

  /** P(X ≤ x) under the model. */
  lowerTail(x: number, e: Expectation): number {
    if (this.scale === 'value') return normalUpperTail((e.mean - x) / Math.sqrt(e.variance));
    const mean = Math.max(e.mean, 0.05);
    const phi = e.variance / mean;
    return phi > 1.01 ? negativeBinomialLowerTail(x, mean, phi) : poissonLowerTail(x, mean);
  }

  /**
   * An empty window that teaches the level nothing (a silence under judgement): only the run of empty
   * windows is counted, so a pattern whose pauses are its habit still learns how long they last.
   */
  skipQuiet(): void {
    this.#countRun(0);
  }

  #countRun(x: number): void {
    if (x === 0) this.#quietRun += 1;
    else {
      this.#longestQuietRun = Math.max(this.#longestQuietRun, this.#quietRun);
      this.#quietRun = 0;
      this.#busyWindows += 1;
    }
  }

  /**
   * Learns from a completed window; returns a level shift when this window made the CUSUM sure of one (the
   * level then restarts at the run's mean, so the shift is reported once).
   */
  learn(x: number, start: number): LevelShift | undefined {
    if (this.#firstStart === undefined) this.#firstStart = start;
    this.#countRun(x);
    if (this.#windows === 0) {
      this.#level = x;
      this.#spread = this.scale === 'count' ? 1 : Math.max(1e-6, (0.1 * Math.abs(x)) ** 2);
      this.#windows = 1;
      return undefined;
    }
    const e = this.expect(start);
    const sd = Math.sqrt(e.variance);
    const residual = x - e.mean;
    const z = residual / sd;
    const shift = this.#cusum(z, x, start);
    if (shift) return shift;
    const season = this.#season(start) || 1;
    const clipped = e.mean + Math.max(-CLIP * sd, Math.min(CLIP * sd, residual));
    // A running mean over the first windows, an EWMA after: the model is usable after a few windows.
    const alpha = Math.max(this.options.alpha, 1 / (this.#windows + 1));
    this.#level += alpha * (clipped / season - this.#level);
    const r2 = this.#windows < 3 ? z * z : Math.min(z * z, SPREAD_CLIP * SPREAD_CLIP);
    // The spread in the model's units: φ for counts (residual² / mean), σ² for values.
    const observedSpread = this.scale === 'count' ? (r2 * e.variance) / Math.max(e.mean, 0.05) : r2 * e.variance;
    this.#spread += Math.max(this.options.alpha * SPREAD_RATE, 1 / (this.#windows + 1)) * (observedSpread - this.#spread);
    if (this.scale === 'count') this.#spread = Math.max(1, this.#spread);
    this.#learnSeason(x, start);
    this.#windows += 1;
    return undefined;
  }

  /** The hour-of-day factor at a time, between the middles of the two nearest hours (a day is a curve). */
  #hourOfDay(start: number): number {
    const { below, above, weight } = hourPlace(start);
    return this.#hourly[below]! * (1 - weight) + this.#hourly[above]! * weight;
  }

  #learnSeason(x: number, start: number): void {
    const { windowMs } = this.options;
    if (windowMs > HOUR) return;
    const first = this.#windows <= 1;
    this.#dayMean = first ? x : this.#dayMean + Math.min(1, (3 * windowMs) / DAY) * (x - this.#dayMean);
    this.#weekMean = first ? x : this.#weekMean + Math.min(1, (3 * windowMs) / WEEK) * (x - this.#weekMean);
    if (this.#dayMean <= 0 || this.#weekMean <= 0) return;
    const day = (Math.floor(start / DAY) + 4) % 7;
    const clip = (r: number) => Math.max(0.05, Math.min(20, r));
    // Each of the two hours around the window learns in proportion to how near its middle the window is.
    const { below, above, weight } = hourPlace(start);
    const hourFactor = this.#hourOfDay(start);
    const error = clip((x + 0.5) / (this.#dayMean + 0.5)) - hourFactor;
    this.#hourly[below]! += HOUR_RATE * (1 - weight) * error;
    this.#hourly[above]! += HOUR_RATE * weight * error;
    this.#daily[day]! += DAY_RATE * (clip((x + 0.5) / (this.#weekMean * (hourFactor / meanOf(this.#hourly)) + 0.5)) - this.#daily[day]!);
  }

  #cusum(z: number, x: number, start: number): LevelShift | undefined {
    const { cusumSlack: k, cusumThreshold: h } = this.options;
    const step = Math.max(-CUSUM_STEP_CAP, Math.min(CUSUM_STEP_CAP, z));
    this.#up = Math.max(0, this.#up + step - k);
    this.#down = Math.max(0, this.#down - step - k);
    const season = this.#season(start) || 1;
    this.#recent.push({ z, level: x / season });
    if (this.#recent.length > RECENT) this.#recent.shift();
    // Before a day of history a drift may be the day's own curve, not a shift.
    const knowsItsDay = this.#firstStart !== undefined && (this.options.windowMs > HOUR || start - this.#firstStart >= DAY);
    const direction = this.#up > h ? 'up' : this.#down > h ? 'down' : undefined;
    if (!direction || !knowsItsDay) {
      if (direction) this.#up = this.#down = 0;
      return undefined;
    }
    // Where the series went: the last few windows (the CUSUM's run began while the move was still small).
    const recent = this.#recent.filter((r) => (direction === 'up' ? r.z > 0 : r.z < 0));
    const to = recent.reduce((n, r) => n + r.level, 0) / recent.length;
    const meanZ = Math.abs(recent.reduce((n, r) => n + r.z, 0) / recent.length);
    const shift: LevelShift = { direction, from: Number(this.#level.toFixed(3)), to: Number(to.toFixed(3)), windows: recent.length, score: scoreOf(normalUpperTail(meanZ * Math.sqrt(recent.length))) };
    this.#level = to;
    this.#up = this.#down = 0;
    this.#recent = [];
    this.#windows += 1;
    return shift;
  }

}
