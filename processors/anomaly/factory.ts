// The `anomaly` processor: after each window completes, judges every pattern's and service's counts (read
// from the `ratestats` processor before it) and keeps anomalies open, deduplicated and closed with hysteresis.
// Spikes and new-pattern bursts are also looked for in the window in progress, among the patterns each batch
// touched: their verdict only firms up as counts grow, so they open as soon as the count so far is enough.
// Anomalies are logged, counted and saved to the store, and shared with later processors (the sampler's
// boost). Records pass through unchanged.
import { map } from 'rxjs';
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { LogBatch } from '../../pipeline/batch.js';
import type { Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { SharedKey } from '../../pipeline/pipeline_shared.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import { RATE_STATS } from '../ratestats/factory.js';
import type { RateStatsView } from '../ratestats/rate_table.js';
import { Detector, type DetectorOptions } from './detector.js';
import { AnomalyTracker, type Anomaly, type BoostScope } from './tracker.js';
import { anomalyMetrics } from './metrics.js';

/** What the sampler asks: is something anomalous about this pattern (or its service) now? */
export interface AnomalyView {
  isOpenFor(service: string, pattern: string): boolean;
  /** How an open anomaly wants the pattern boosted (see AnomalyTracker.boostFor); undefined when none. */
  boostFor(service: string, pattern: string): BoostScope | undefined;
  open(): Anomaly[];
}

export const ANOMALIES = new SharedKey<AnomalyView>('anomalies');

export interface AnomalyConfig {
  p_value: number;
  warmup_windows: number;
  spike: { min_count: number; min_ratio: number };
  drop: { min_expected: number; silence_windows: number };
  level_shift: { min_expected: number };
  /** Series models kept; the least recently judged go past it. */
  max_series: number;
  new_pattern: { burst: number; error_burst: number };
  error_ratio: { min_errors: number; min_ratio: number };
  close_after_windows: number;
  /** `arrival` or `record`: must match the ratestats processor's. */
  time: 'arrival' | 'record';
}

const count = { type: 'integer', minimum: 1 };
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    p_value: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
    warmup_windows: { type: 'integer', minimum: 1 },
    spike: { type: 'object', additionalProperties: false, properties: { min_count: count, min_ratio: { type: 'number', minimum: 1 } } },
    drop: { type: 'object', additionalProperties: false, properties: { min_expected: { type: 'number', exclusiveMinimum: 0 }, silence_windows: count } },
    level_shift: { type: 'object', additionalProperties: false, properties: { min_expected: { type: 'number', exclusiveMinimum: 0 } } },
    max_series: { type: 'integer', minimum: 10 },
    new_pattern: { type: 'object', additionalProperties: false, properties: { burst: count, error_burst: count } },
    error_ratio: { type: 'object', additionalProperties: false, properties: { min_errors: count, min_ratio: { type: 'number', minimum: 1 } } },
    close_after_windows: count,
    time: { enum: ['arrival', 'record'] },
  },
};

export function detectorOptions(config: AnomalyConfig): DetectorOptions {
  return {
    pValue: config.p_value,
    warmupWindows: config.warmup_windows,
    spikeMinCount: config.spike.min_count,
    spikeMinRatio: config.spike.min_ratio,
    dropMinExpected: config.drop.min_expected,
    silenceWindows: config.drop.silence_windows,
    shiftMinExpected: config.level_shift.min_expected,
    maxSeries: config.max_series,
    newPatternBurst: config.new_pattern.burst,
    newErrorPatternBurst: config.new_pattern.error_burst,
    errorMinCount: config.error_ratio.min_errors,
    errorMinRatio: config.error_ratio.min_ratio,
  };
}

const NANOS_PER_MS = 1_000_000n;

class AnomalyProcessor implements Processor {
  readonly operator;
  #detector: Detector | undefined;
  #stats: RateStatsView | undefined;
  #tracker: AnomalyTracker | undefined;
  #evaluatedWindow = Number.NEGATIVE_INFINITY;
  #windowsJudged = 0;
  #windowTimer: unknown;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly config: AnomalyConfig,
  ) {
    this.operator = countedOperator(settings, map((batch: LogBatch) => this.#observe(batch)));
    settings.shared.provide(ANOMALIES, {
      isOpenFor: (service, pattern) => this.#tracker?.isOpenFor(service, pattern) ?? false,
      boostFor: (service, pattern) => this.#tracker?.boostFor(service, pattern),
      open: () => this.#tracker?.open() ?? [],
    });
  }

  #now(batch: LogBatch): number {
    if (this.config.time === 'arrival') return this.settings.clock.now();
    let latest = 0n;
    for (const group of batch.groups()) for (const r of group.records) if (r.timeUnixNano > latest) latest = r.timeUnixNano;
    return latest > 0n ? Number(latest / NANOS_PER_MS) : this.settings.clock.now();
  }

  #observe(batch: LogBatch): LogBatch {
    if (!this.#stats || !this.#tracker) return batch;
    const now = this.#now(batch);
    this.evaluateUpTo(now);
    const current = Math.floor(now / this.#stats.windowMs) * this.#stats.windowMs;
    const elapsed = (now - current) / this.#stats.windowMs;
    this.#tracker.applyEarly(current, this.#detector!.judgeEarly(this.#stats.takeTouched(), current, this.#windowsJudged > this.config.warmup_windows, elapsed), now);
    return batch;
  }

  /** Judges every window completed before `time` that was not judged yet. */
  evaluateUpTo(time: number): void {
    const stats = this.#stats!;
    const windowMs = stats.windowMs;
    const current = Math.floor(time / windowMs) * windowMs;
    if (this.#evaluatedWindow === Number.NEGATIVE_INFINITY) this.#evaluatedWindow = current - windowMs;
    if (current - windowMs <= this.#evaluatedWindow) return;
    stats.advance(time);
    const completed = current - windowMs;
    this.#windowsJudged += 1;
    this.#tracker!.apply(completed, this.#detector!.judge(stats.series(), completed, this.#windowsJudged > this.config.warmup_windows), time);
    this.#evaluatedWindow = completed;
  }

  #save(anomaly: Anomaly): void {
    try {
      this.settings.store.get().saveAnomaly({ ...anomaly, end: anomaly.end ?? null, closed: anomaly.closed ?? null, error: anomaly.error ? 1 : 0 });
    } catch (error) {
      this.settings.logger.error({ err: error }, 'could not save an anomaly');
    }
  }

  #publish(name: string, a: Anomaly, timestamp: number): void {
    this.settings.events.publish({
      name,
      timestamp,
      properties: { anomaly_id: a.id, kind: a.kind, service: a.service, pattern_id: a.pattern, start: a.start, detected: a.detected, end: a.end ?? null, closed: a.closed ?? null, observed: a.observed, expected: a.expected, score: a.score, error: a.error },
    });
  }

  async start(): Promise<void> {
    const stats = this.settings.shared.lookup(RATE_STATS);
    if (!stats) throw new Error(`processor ${this.settings.id} needs a ratestats processor before it in pipeline ${this.settings.pipelineId}`);
    this.#stats = stats;
    this.#detector = new Detector(detectorOptions(this.config), stats.windowMs);
    stats.takeTouched(); // starts the tracking
    const { opened } = anomalyMetrics(this.settings.telemetry);
    this.#tracker = new AnomalyTracker(stats.windowMs, this.config.close_after_windows, {
      opened: (a) => {
        opened.inc({ processor: this.settings.id, kind: a.kind });
        this.settings.logger.warn({ anomaly: a }, 'anomaly opened');
        this.#save(a);
        this.#publish('logsift anomaly opened', a, a.start);
      },
      closed: (a) => {
        this.settings.logger.info({ anomaly: a }, 'anomaly closed');
        this.#save(a);
        this.#publish('logsift anomaly closed', a, a.end ?? a.start);
      },
    });
    if (this.config.time === 'arrival') this.#judgeAtWindowEnds();
  }

  /**
   * On arrival time, every window is judged as it ends, traffic or not: a service gone quiet sends nothing
   * that would make it judged, and a finding from a window in progress is announced only once judged whole.
   */
  #judgeAtWindowEnds(): void {
    const { clock } = this.settings;
    const windowMs = this.#stats!.windowMs;
    this.#windowTimer = clock.setTimeout(() => {
      this.evaluateUpTo(clock.now());
      this.#judgeAtWindowEnds();
    }, windowMs - (clock.now() % windowMs));
  }

  async shutdown(): Promise<void> {
    if (this.#windowTimer !== undefined) this.settings.clock.clearTimeout(this.#windowTimer);
    for (const a of this.#tracker?.announced() ?? []) this.#save(a);
  }
}

export const anomalyProcessorFactory: ProcessorFactory<AnomalyConfig> = {
  kind: 'processor',
  type: 'anomaly',
  placement: { requires: ['rate statistics'], provides: ['anomalies'] },
  defaultConfig: () => ({
    p_value: 1e-6,
    warmup_windows: 5,
    spike: { min_count: 10, min_ratio: 3 },
    drop: { min_expected: 20, silence_windows: 3 },
    level_shift: { min_expected: 20 },
    max_series: 100_000,
    new_pattern: { burst: 5, error_burst: 2 },
    error_ratio: { min_errors: 5, min_ratio: 3 },
    close_after_windows: 2,
    time: 'arrival',
  }),
  validate: compileConfigSchema(schema),
  create: (settings, config) => new AnomalyProcessor(settings, config),
};
