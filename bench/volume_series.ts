// A service's volume over weeks, minute by minute, summed per day: the rate model of bench/workload.ts
// without the records (weeks of records would be tens of millions) — the daily and weekly cycle
// (`seasonal`), a wandering busy factor (log-normal AR(1), ρ 0.8 a minute), overdispersed counts (gamma–
// Poisson, variance φ × mean, per template) and deploys twice a working day that move
// every template's level for good, as there). What projections are backtested on (cost/projection.ts).
import { random as uniformSource, samplers } from './draws.js';
import { MINUTE, START, seasonal } from './workload.js';

const DAY = 24 * 60 * MINUTE;

export interface VolumeOptions {
  days: number;
  /** Records a minute at the afternoon peak of a weekday, before any deploy. */
  peakPerMinute: number;
  seed: number;
  /** Without deploys, the level stays where it started (a service nobody releases). Default: with. */
  deploys?: boolean;
  /** The first day's first millisecond (UTC); defaults to the workload's start day. */
  start?: number;
}

export interface DailyVolumes {
  start: number;
  /** Records per day, day 0 first. */
  days: number[];
  /**
   * What each day would carry at the rate the templates had when it began, with no noise: the forecast of
   * one who knows the levels exactly as the day starts but not the day's own deploys — no forecast from the
   * days before can do better, so its error is the floor for any (bench/projection.ts).
   */
  expectedAtDayStart: number[];
}

/** Records per day, day 0 first, with the first day's first millisecond. */
export function dailyVolumes(options: VolumeOptions): DailyVolumes {
  const uniform = uniformSource(options.seed);
  const { normal, negativeBinomial } = samplers(uniform);
  const start = options.start ?? Math.floor(START / DAY) * DAY;
  // As bench/workload.ts: 36 templates, the r-th carrying 1/r^1.1, louder ones burstier; each deploy moves
  // every template's level by a log-normal factor (spread 0.35) and brings a new line (weight 0.03).
  const templates = Array.from({ length: 36 }, (_, r) => ({ weight: 1 / (r + 1) ** 1.1, phi: 3 + 17 / (r + 1) ** 1.1, level: 1 }));
  const days: number[] = [];
  const expectedAtDayStart: number[] = [];
  let wander = 0;
  for (let d = 0; d < options.days; d++) {
    const dayStart = start + d * DAY;
    const weekday = new Date(dayStart).getUTCDay();
    // Two deploys on a working day, one between 09:00 and 13:00, one between 13:00 and 17:00.
    const deploys = options.deploys === false || weekday === 0 || weekday === 6 ? [] : [0, 1].map((slot) => (9 + slot * 4) * 60 + Math.floor(uniform() * 240));
    const rateAtStart = templates.reduce((sum, t) => sum + t.weight * t.level, 0);
    let expected = 0;
    let total = 0;
    for (let m = 0; m < 24 * 60; m++) {
      // The busy factor's mean is 1 (exp(0.3 W − 0.045) with W's stationary variance 1).
      expected += options.peakPerMinute * seasonal(dayStart + m * MINUTE) * rateAtStart;
      if (deploys.includes(m)) {
        for (const t of templates) t.level *= Math.exp(0.35 * normal());
        templates.push({ weight: 0.03, phi: 3, level: 1 });
      }
      wander = 0.8 * wander + 0.6 * normal();
      const busy = options.peakPerMinute * seasonal(dayStart + m * MINUTE) * Math.exp(0.3 * wander - 0.045);
      for (const t of templates) total += negativeBinomial(busy * t.weight * t.level, t.phi);
    }
    days.push(total);
    expectedAtDayStart.push(expected);
  }
  return { start, days, expectedAtDayStart };
}
