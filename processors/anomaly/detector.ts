// The rules that turn a completed window into anomalies. Each pattern's window count is judged against its
// own series model (series_model.ts: robust level, learned overdispersion, seasonal factors once history
// covers a cycle): a spike or a drop is a count that improbable under it, a level shift is a sustained move
// (CUSUM), a steady high-volume pattern falling silent is a silence. Besides: a new pattern arriving in a
// burst (sooner at ERROR) and a service's error ratio surging (its errors judged on a model of their own,
// against the window's traffic).
//
// A service whose every pattern went quiet at once (a lull, a restart of the sender) is judged for silence
// but teaches its models nothing: the traffic coming back at its usual level is then no spike.
import { LRUCache } from 'lru-cache';
import type { SeriesSnapshot } from '../ratestats/rate_table.js';
import { ArrivalProfile } from './arrival_profile.js';
import { severityRank } from '../../policy/severity.js';
import { poissonUpperTail } from './poisson.js';
import { DEFAULT_SERIES_MODEL, SeriesModel, scoreOf } from './series_model.js';

export type AnomalyKind = 'spike' | 'drop' | 'level_shift' | 'new_pattern' | 'error_ratio' | 'silence';

export interface DetectorOptions {
  /** A window is anomalous when its count is this improbable under the model. */
  pValue: number;
  /** Completed windows a model needs before its pattern is judged. */
  warmupWindows: number;
  /** A spike needs at least this many records and this many times the expected count. */
  spikeMinCount: number;
  spikeMinRatio: number;
  /** Drops and silences are judged only for patterns expected at least this often per window. */
  dropMinExpected: number;
  silenceWindows: number;
  /** Level shifts are judged only for patterns expected at least this often per window. */
  shiftMinExpected: number;
  /** Records of a brand-new pattern in its first window that make a burst (at ERROR and above). */
  newPatternBurst: number;
  newErrorPatternBurst: number;
  /** An error-ratio surge needs this many errors and this many times the expected ratio. */
  errorMinCount: number;
  errorMinRatio: number;
  /** Series models kept (least recently judged dropped past it). */
  maxSeries: number;
}

export interface Finding {
  kind: AnomalyKind;
  service: string;
  /** '' for service-wide findings (error ratio). */
  pattern: string;
  windowStart: number;
  observed: number;
  expected: number;
  /** −log10 of the finding's probability under the model (higher is stranger). */
  score: number;
  /** The pattern's records are ERROR or above (an error-ratio surge: always). */
  error: boolean;
}

// A silence this unlikely is not learnt from, and judged, for up to this many windows: a pattern gone for
// good (a line a release removed) is then learnt as gone, and its silence closes.
const UNUSUAL_SILENCE = 0.01;
const SILENCE_MEMORY_WINDOWS = 60;

// The least share of a window's expectation a count in progress is held against (see judgeEarly).
const EARLY_FLOOR = 0.2;

const isError = (s: SeriesSnapshot) => severityRank(s.severity) >= severityRank('ERROR');

interface PatternWindow {
  service: string;
  pattern: string;
  observed: number;
  silentFor: number;
  /** Windows of history kept: a run of empty ones this long may be longer still. */
  history: number;
  isNew: boolean;
  error: boolean;
}

interface ServiceWindow {
  errors: number;
  total: number;
  expectedErrors: number;
  expectedTotal: number;
}

export class Detector {
  readonly #models: LRUCache<string, SeriesModel>;
  readonly #profiles: LRUCache<string, ArrivalProfile>;

  constructor(
    private readonly options: DetectorOptions,
    private readonly windowMs: number,
  ) {
    this.#models = new LRUCache({ max: options.maxSeries });
    this.#profiles = new LRUCache({ max: options.maxSeries });
  }

  #profile(key: string): ArrivalProfile {
    let profile = this.#profiles.get(key);
    if (!profile) this.#profiles.set(key, (profile = new ArrivalProfile()));
    return profile;
  }

  #model(key: string): SeriesModel {
    let model = this.#models.get(key);
    if (!model) this.#models.set(key, (model = new SeriesModel('count', { ...DEFAULT_SERIES_MODEL, windowMs: this.windowMs })));
    return model;
  }

  /**
   * Findings for the window starting at `windowStart`, over series already advanced past it; the models
   * learn from it. `newPatterns` is false while the detector itself is warming up: right after a start every
   * pattern is new to it.
   */
  judge(series: Iterable<SeriesSnapshot>, windowStart: number, newPatterns = true): Finding[] {
    const o = this.options;
    const perPattern = new Map<string, PatternWindow>();
    const perService = new Map<string, ServiceWindow>();
    for (const s of series) {
      const last = s.lastCompleted;
      if (!last || last.start !== windowStart) continue;
      const key = `${s.service}\u0000${s.pattern}`;
      const p = perPattern.get(key) ?? { service: s.service, pattern: s.pattern, observed: 0, silentFor: Number.POSITIVE_INFINITY, history: s.history.length, isNew: false, error: false };
      p.observed += last.count;
      // Windows in a row with nothing, newest last (a pattern is silent only if all its severities are).
      let silent = 0;
      for (let i = s.history.length - 1; i >= 0 && s.history[i] === 0; i--) silent++;
      p.silentFor = Math.min(p.silentFor, silent);
      if (s.windowsSeen === 1 && s.firstSeen >= windowStart && last.count > 0) p.isNew = true;
      if (isError(s) && last.count > 0) p.error = true;
      perPattern.set(key, p);
      const svc = perService.get(s.service) ?? { errors: 0, total: 0, expectedErrors: 0, expectedTotal: 0 };
      svc.total += last.count;
      svc.expectedTotal += last.expected?.count ?? 0;
      if (isError(s)) {
        svc.errors += last.count;
        svc.expectedErrors += last.expected?.count ?? 0;
      }
      perService.set(s.service, svc);
    }

    const findings: Finding[] = [];
    for (const [key, p] of perPattern) {
      const base = { service: p.service, pattern: p.pattern, windowStart, observed: p.observed, error: p.error };
      if (p.isNew) {
        if (newPatterns && p.observed >= (p.error ? o.newErrorPatternBurst : o.newPatternBurst)) findings.push({ ...base, expected: 0, kind: 'new_pattern', score: scoreOf(poissonUpperTail(p.observed, 0.1)) });
        this.#model(key).learn(p.observed, windowStart);
        continue;
      }
      this.#profiles.peek(key)?.learn(windowStart, p.observed);
      const model = this.#model(key);
      const warm = model.windows > o.warmupWindows;
      const e = model.expect(windowStart);
      const expected = Number(e.mean.toFixed(3));
      const lull = (perService.get(p.service)?.total ?? 0) === 0;
      // A silence is judged, and not learnt from, only this long: past it the pattern is gone (or the run
      // fills the history kept, and how long it really is cannot be told).
      const silenceMemory = Math.min(SILENCE_MEMORY_WINDOWS, p.history - 1);
      if (warm) {
        if (p.observed >= o.spikeMinCount && p.observed >= o.spikeMinRatio * e.mean) {
          const prob = model.upperTail(p.observed, e);
          if (prob < o.pValue) findings.push({ ...base, expected, kind: 'spike', score: scoreOf(prob) });
        }
        // A drop or a silence needs a usual to fall from: a pattern seen in a burst or two (a new error that
        // came and went) is not silent when it stops. A drop must miss `dropMinExpected` records in its window;
        // a silence (critical, where a drop is not) twice as many over its run, so a quieter pattern (at night,
        // say) that stays silent long enough counts too.
        if (model.busyWindows > o.warmupWindows) {
          if (p.silentFor >= o.silenceWindows && p.silentFor <= silenceMemory && e.mean * p.silentFor >= 2 * o.dropMinExpected) {
            // As improbable as any other finding, each empty window adding to it — and longer than any pause
            // the pattern has come back from: a pattern that comes in bursts has empty windows in runs, and
            // runs no window-by-window probability describes.
            const prob = model.lowerTail(0, e) ** p.silentFor;
            if (prob < o.pValue && p.silentFor > model.longestQuietRun) findings.push({ ...base, expected, kind: 'silence', score: scoreOf(prob) });
          } else if (p.silentFor < o.silenceWindows && e.mean >= o.dropMinExpected && p.observed * 3 <= e.mean) {
            const prob = model.lowerTail(p.observed, e);
            if (prob < o.pValue) findings.push({ ...base, expected, kind: 'drop', score: scoreOf(prob) });
          }
        }
      }
      // A lull teaches nothing: the level stays where the traffic usually is.
      if (lull) continue;
      // Nor does a silence already unusual — longer than any pause the pattern came back from, and unlikely
      // (for the first hour of it): learnt, its empty windows would lower the expectation until the silence
      // no longer looked improbable, and it would never be found. Its length is still counted.
      if (p.silentFor > model.longestQuietRun && p.silentFor <= silenceMemory && model.lowerTail(0, e) ** p.silentFor < UNUSUAL_SILENCE) {
        model.skipQuiet();
        continue;
      }
      const shift = model.learn(p.observed, windowStart);
      // The CUSUM's threshold is the test (about one false alarm in ten thousand windows); the score says how sure.
      if (shift && warm && Math.max(shift.from, shift.to) >= o.shiftMinExpected) {
        findings.push({ ...base, observed: shift.to, expected: shift.from, kind: 'level_shift', score: shift.score });
      }
    }

    for (const [service, s] of perService) {
      if (s.total === 0) continue;
      // The service's errors and its total each have a model of their own: errors are as bursty as any
      // count, so a surge is judged on their learned dispersion, and against the traffic of the window (twice
      // the records, twice the errors is no surge).
      const errors = this.#model(`${service}\u0000\u0001errors`);
      const total = this.#model(`${service}\u0000\u0001total`);
      const finding = this.#errorSurge(service, s, errors, total, windowStart);
      if (finding) findings.push(finding);
      errors.learn(s.errors, windowStart);
      total.learn(s.total, windowStart);
    }
    return findings;
  }

  #errorSurge(service: string, s: ServiceWindow, errors: SeriesModel, total: SeriesModel, windowStart: number): Finding | undefined {
    const o = this.options;
    if (s.errors < o.errorMinCount) return undefined;
    let expectedErrors: number;
    let prob: number;
    if (errors.windows > o.warmupWindows && total.windows > o.warmupWindows) {
      const usualTotal = total.expect(windowStart).mean;
      const traffic = usualTotal > 0 ? Math.min(10, Math.max(0.1, s.total / usualTotal)) : 1;
      const e = errors.expect(windowStart);
      expectedErrors = e.mean * traffic;
      prob = errors.upperTail(s.errors, { mean: expectedErrors, variance: e.variance * traffic });
    } else {
      // Warming up: the rate table's expectations, Poisson (a service's first window has none: nothing to
      // surge against).
      if (s.expectedTotal === 0) return undefined;
      expectedErrors = (s.expectedErrors / s.expectedTotal) * s.total;
      prob = poissonUpperTail(s.errors, Math.max(expectedErrors, 0.01));
    }
    // (A service that had no errors at all still has a small expectation, so its first burst can be scored.)
    if (s.errors < o.errorMinRatio * expectedErrors || prob >= o.pValue) return undefined;
    return { kind: 'error_ratio', service, pattern: '', windowStart, observed: s.errors, expected: Number(expectedErrors.toFixed(3)), score: scoreOf(prob), error: true };
  }

  /**
   * Findings from the window in progress, for the kinds whose verdict can only firm up as the window fills (a
   * spike's count and a new pattern's burst only grow): what the window's end would find anyway, found as soon
   * as the count so far is enough — so the sampler's boost starts within the window, not after it. The count
   * so far (`elapsed` of the way through the window) is held against the share of the window's count the
   * series usually has by then (arrival_profile.ts), never less than EARLY_FLOOR of it: against the whole
   * window's expectation a ×8 spike took a third of a 10 s window to show, and every record it sent
   * meanwhile was sampled as usual traffic.
   */
  judgeEarly(series: Iterable<SeriesSnapshot>, windowStart: number, newPatterns = true, elapsed = 1): Finding[] {
    const o = this.options;
    const perPattern = new Map<string, { service: string; pattern: string; observed: number; isNew: boolean; error: boolean }>();
    for (const s of series) {
      if (s.windowStart !== windowStart || s.current.count === 0) continue;
      const key = `${s.service}\u0000${s.pattern}`;
      const p = perPattern.get(key) ?? { service: s.service, pattern: s.pattern, observed: 0, isNew: false, error: false };
      p.observed += s.current.count;
      if (s.windowsSeen === 0 && s.firstSeen >= windowStart) p.isNew = true;
      if (isError(s)) p.error = true;
      perPattern.set(key, p);
    }
    const findings: Finding[] = [];
    for (const [key, p] of perPattern) {
      const base = { service: p.service, pattern: p.pattern, windowStart, observed: p.observed, error: p.error };
      if (p.isNew) {
        if (newPatterns && p.observed >= (p.error ? o.newErrorPatternBurst : o.newPatternBurst)) findings.push({ ...base, expected: 0, kind: 'new_pattern', score: scoreOf(poissonUpperTail(p.observed, 0.1)) });
        continue;
      }
      const model = this.#models.peek(key);
      if (!model) continue;
      const profile = this.#profile(key);
      profile.note(windowStart, elapsed, p.observed);
      if (model.windows <= o.warmupWindows) continue;
      const share = Math.min(1, Math.max(EARLY_FLOOR, profile.shareBy(elapsed)));
      const whole = model.expect(windowStart);
      // Counts are quasi-Poisson (variance φ·mean): the part of a window has the same φ.
      const e = { mean: whole.mean * share, variance: whole.variance * share };
      if (p.observed < o.spikeMinCount || p.observed < o.spikeMinRatio * e.mean) continue;
      const prob = model.upperTail(p.observed, e);
      // The finding states the whole window's usual count: the boost measures the excess against it.
      if (prob < o.pValue) findings.push({ ...base, expected: Number(whole.mean.toFixed(3)), kind: 'spike', score: scoreOf(prob) });
    }
    return findings;
  }
}
