// Projections backtested on the workload's rate model (bench/volume_series.ts): daily and weekly cycles,
// overdispersed bursty counts, a wandering busy factor, and — unless turned off — deploys twice a working
// day that move every template's level for good. Without deploys a day is predicted within 10% at p90 (the
// weekend learned once two weeks show it); with them nobody can foresee a day's releases, and the backtest
// says so: its errors, and so the interval, are wider.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyVolumes } from '../../bench/volume_series.js';
import { backtest, forecastDay, project } from '../../cost/projection.js';

const DAY = 86_400_000;

describe('volume projections', () => {
  const steady = dailyVolumes({ days: 28, peakPerMinute: 60, seed: 11, deploys: false });
  const weekdayOf = (start: number) => (i: number) => new Date(start + i * DAY).getUTCDay();

  it('predicts each of the last seven days within 10% at p90 when only the cycles and the noise move it', () => {
    const check = backtest(steady.days, 7, weekdayOf(steady.start))!;
    assert.equal(check.days, 7);
    assert.ok(check.p90_error <= 0.1, `p90 error ${check.p90_error.toFixed(3)} (errors ${check.errors.map((e) => e.toFixed(3)).join(' ')})`);
  });

  it('learns the weekend once two weeks show it: a Saturday is not predicted at a weekday\'s volume', () => {
    const wd = weekdayOf(steady.start);
    const saturday = steady.days.findIndex((_, i) => i >= 14 && wd(i) === 6);
    const predicted = forecastDay(steady.days.slice(0, saturday), saturday, wd);
    assert.ok(predicted.weekly);
    assert.ok(Math.abs(predicted.value / steady.days[saturday]! - 1) < 0.15, `${Math.round(predicted.value)} against ${steady.days[saturday]}`);
    const weekday = steady.days[saturday - 1]!;
    assert.ok(predicted.value < 0.75 * weekday, 'half a weekday, not a weekday');
  });

  it('widens its interval where deploys move the volume: the backtest measures what it cannot foresee', () => {
    const released = dailyVolumes({ days: 28, peakPerMinute: 60, seed: 11 });
    const wd = weekdayOf(released.start);
    const withDeploys = backtest(released.days, 7, wd)!;
    const without = backtest(steady.days, 7, weekdayOf(steady.start))!;
    assert.ok(withDeploys.p90_error > without.p90_error, `${withDeploys.p90_error} against ${without.p90_error}`);
    const month = project(released.days, 30, wd, withDeploys);
    assert.ok(month.low! < month.total && month.total < month.high!);
    assert.ok(Math.abs(month.high! / month.total - 1 - withDeploys.p90_error) < 1e-9, 'the interval is the backtest\'s p90 error');
  });

  it('its interval holds the truth on most days, deploys or not: what a user can plan on where a day cannot be foreseen', () => {
    for (const deploys of [true, false]) {
      let inside = 0;
      let total = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const series = dailyVolumes({ days: 35, peakPerMinute: 60, seed, deploys });
        const wd = weekdayOf(series.start);
        for (let t = 21; t < 35; t++) {
          const history = series.days.slice(0, t);
          const width = backtest(history, 7, wd)!.p90_error;
          const predicted = forecastDay(history, t, wd).value;
          total += 1;
          if (Math.abs(series.days[t]! / predicted - 1) <= width) inside += 1;
        }
      }
      // The interval is the last seven days' p90 error: about nine days in ten, less for so few errors.
      assert.ok(inside / total >= 0.8, `${deploys ? 'with' : 'without'} deploys: ${inside} of ${total} days inside`);
    }
  });
});
