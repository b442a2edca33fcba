// Rolling windows of counts and bytes per (service, pattern, severity), with an EWMA baseline of the completed
// windows and a short history of them. Time is whatever the caller says: arrival time in live mode, record
// timestamps in replay, so a day of traffic replays in seconds. Memory is bounded: past `maxSeries`, the
// series seen least recently are dropped.
import type { SeverityClass } from '../../policy/severity.js';

export interface RateTableOptions {
  windowMs: number;
  /** Weight of the newest completed window in the baseline. */
  ewmaAlpha: number;
  /** Completed windows kept per series (for detectors). */
  history: number;
  maxSeries: number;
}

export interface WindowCounts {
  count: number;
  bytes: number;
}

export interface SeriesSnapshot {
  service: string;
  pattern: string;
  severity: SeverityClass;
  /** Start (ms) of the window in progress. */
  windowStart: number;
  current: WindowCounts;
  /** EWMA of completed windows, per window; undefined until one window completed. */
  baseline: WindowCounts | undefined;
  /** Completed windows' counts, oldest first, up to `history`. */
  history: readonly number[];
  /** Windows completed since the series was first seen. */
  windowsSeen: number;
  /** The newest completed window, with the baseline as it stood before it (what it is judged against). */
  lastCompleted: { start: number; count: number; bytes: number; expected: WindowCounts | undefined } | undefined;
  firstSeen: number;
}

/** What the sampler, the detector, the tuner and the API read. */
export interface RateStatsView {
  readonly windowMs: number;
  /** Completes every series' windows up to `time`'s (silent series get their empty windows). */
  advance(time: number): void;
  series(): IterableIterator<SeriesSnapshot>;
  get(service: string, pattern: string, severity: SeverityClass): SeriesSnapshot | undefined;
  /**
   * The series with every severity of each (service, pattern) that counted a record since the last call
   * (the first call starts the tracking): what changed, for a reader that cannot afford a pass over all.
   */
  takeTouched(): SeriesSnapshot[];
}

interface Series extends SeriesSnapshot {
  current: WindowCounts;
  history: number[];
  lastTouched: number;
  /** Listed in `#touched` since the last `takeTouched()`. */
  touched: boolean;
}

export class RateTable implements RateStatsView {
  readonly #series = new Map<string, Series>();
  // service → pattern → severity → series: the per-record lookup builds no key string.
  readonly #index = new Map<string, Map<string, Map<SeverityClass, Series>>>();
  #tick = 0;
  /** Series counted into since the last `takeTouched()`; undefined until someone asks. */
  #touched: Series[] | undefined;

  constructor(private readonly options: RateTableOptions) {}

  get windowMs(): number {
    return this.options.windowMs;
  }

  #windowStart(time: number): number {
    return Math.floor(time / this.options.windowMs) * this.options.windowMs;
  }

  /** Completes the window in progress and the empty ones up to `time`'s window. */
  #roll(series: Series, time: number): void {
    const target = this.#windowStart(time);
    const { windowMs, ewmaAlpha, history } = this.options;
    const elapsed = Math.round((target - series.windowStart) / windowMs);
    if (elapsed <= 0) return;
    const done = series.current;
    series.lastCompleted = { start: series.windowStart, count: done.count, bytes: done.bytes, expected: series.baseline && { ...series.baseline } };
    series.baseline = series.baseline
      ? { count: series.baseline.count + ewmaAlpha * (done.count - series.baseline.count), bytes: series.baseline.bytes + ewmaAlpha * (done.bytes - series.baseline.bytes) }
      : { ...done };
    series.history.push(done.count);
    // The empty windows after it: the baseline decays once per window (done in one step), the history gets zeros.
    const empty = elapsed - 1;
    if (empty > 0) {
      const decay = (1 - ewmaAlpha) ** empty;
      series.lastCompleted = { start: target - windowMs, count: 0, bytes: 0, expected: { count: series.baseline.count * decay / (1 - ewmaAlpha), bytes: series.baseline.bytes * decay / (1 - ewmaAlpha) } };
      series.baseline = { count: series.baseline.count * decay, bytes: series.baseline.bytes * decay };
      for (let i = 0; i < Math.min(empty, history); i++) series.history.push(0);
    }
    if (series.history.length > history) series.history.splice(0, series.history.length - history);
    series.windowsSeen += elapsed;
    series.current = { count: 0, bytes: 0 };
    series.windowStart = target;
  }

  /**
   * Counts `count` records (one by default) of `bytes` in all; returns the series after counting. A record
   * older than its series' window counts in it.
   */
  record(service: string, pattern: string, severity: SeverityClass, bytes: number, time: number, count = 1): SeriesSnapshot {
    let series = this.#index.get(service)?.get(pattern)?.get(severity);
    if (!series) {
      const key = `${service}\u0000${pattern}\u0000${severity}`;
      series = {
        service,
        pattern,
        severity,
        windowStart: this.#windowStart(time),
        current: { count: 0, bytes: 0 },
        baseline: undefined,
        history: [],
        windowsSeen: 0,
        lastCompleted: undefined,
        firstSeen: time,
        lastTouched: 0,
        touched: false,
      };
      this.#series.set(key, series);
      this.#indexSet(series);
      if (this.#series.size > this.options.maxSeries) this.#evict();
    } else if (time >= series.windowStart + this.options.windowMs) {
      this.#roll(series, time);
    }
    series.current.count += count;
    series.current.bytes += bytes;
    series.lastTouched = ++this.#tick;
    if (this.#touched && !series.touched) {
      series.touched = true;
      this.#touched.push(series);
    }
    return series;
  }

  /** Brings every series forward to `time` (so silent ones show their empty windows). */
  advance(time: number): void {
    for (const series of this.#series.values()) if (time >= series.windowStart + this.options.windowMs) this.#roll(series, time);
  }

  #evict(): void {
    const victims = [...this.#series.entries()].sort((a, b) => a[1].lastTouched - b[1].lastTouched).slice(0, Math.ceil(this.options.maxSeries * 0.1));
    for (const [key, series] of victims) {
      this.#series.delete(key);
      this.#index.get(series.service)?.get(series.pattern)?.delete(series.severity);
    }
  }

  #indexSet(series: Series): void {
    let byPattern = this.#index.get(series.service);
    if (!byPattern) this.#index.set(series.service, (byPattern = new Map()));
    let bySeverity = byPattern.get(series.pattern);
    if (!bySeverity) byPattern.set(series.pattern, (bySeverity = new Map()));
    bySeverity.set(series.severity, series);
  }

  *series(): IterableIterator<SeriesSnapshot> {
    yield* this.#series.values();
  }

  get(service: string, pattern: string, severity: SeverityClass): SeriesSnapshot | undefined {
    return this.#index.get(service)?.get(pattern)?.get(severity);
  }

  takeTouched(): SeriesSnapshot[] {
    const touched = this.#touched ?? [];
    this.#touched = [];
    const out: SeriesSnapshot[] = [];
    const patterns = new Set<Map<SeverityClass, Series>>();
    for (const series of touched) {
      series.touched = false;
      const bySeverity = this.#index.get(series.service)?.get(series.pattern);
      if (!bySeverity || patterns.has(bySeverity)) continue;
      patterns.add(bySeverity);
      out.push(...bySeverity.values());
    }
    return out;
  }

  get size(): number {
    return this.#series.size;
  }
}
