// The `memory_limiter` processor (the Collector's keys): every check_interval it reads the process's memory
// (RSS); above the soft limit (limit minus spike) it refuses new batches with a retry hint — receivers answer
// 429 / RESOURCE_EXHAUSTED — until usage falls back under it. Above the hard limit it also asks V8 to
// collect garbage when the daemon runs with --expose-gc.
import { filter, type OperatorFunction } from 'rxjs';
import { duration, type Duration } from '../../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import type { LogBatch } from '../../pipeline/batch.js';
import type { ConfigProblem, Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { BackpressureError } from '../../pipeline/errors.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import { availableMemoryBytes, resolveLimits, type MemoryLimits } from './memory_budget.js';

export interface MemoryLimiterConfig {
  check_interval: Duration;
  limit_mib: number;
  spike_limit_mib: number;
  limit_percentage: number;
  spike_limit_percentage: number;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    check_interval: DURATION_SCHEMA,
    limit_mib: { type: 'integer', minimum: 0 },
    spike_limit_mib: { type: 'integer', minimum: 0 },
    limit_percentage: { type: 'number', minimum: 0, maximum: 100 },
    spike_limit_percentage: { type: 'number', minimum: 0, maximum: 100 },
  },
};
const checkSchema = compileConfigSchema(schema);

function validate(config: MemoryLimiterConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  if (config.limit_mib === 0 && config.limit_percentage === 0) problems.push({ path: 'limit_mib', message: 'set limit_mib or limit_percentage' });
  if (config.limit_mib > 0 && config.limit_percentage > 0) problems.push({ path: 'limit_percentage', message: 'set limit_mib or limit_percentage, not both' });
  if (config.limit_mib > 0 && config.spike_limit_mib >= config.limit_mib) problems.push({ path: 'spike_limit_mib', message: 'must be below limit_mib' });
  if (config.limit_percentage > 0 && config.spike_limit_percentage >= config.limit_percentage) {
    problems.push({ path: 'spike_limit_percentage', message: 'must be below limit_percentage' });
  }
  if (config.check_interval.ms === 0) problems.push({ path: 'check_interval', message: 'must be > 0' });
  return problems;
}

export class MemoryLimiter implements Processor {
  readonly operator: OperatorFunction<LogBatch, LogBatch>;
  #refusing = false;
  #timer: unknown;
  #running = false;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly limits: MemoryLimits,
    private readonly intervalMs: number,
    private readonly readUsage: () => number = () => process.memoryUsage.rss(),
  ) {
    const refused = settings.telemetry.processorRefused.labels(settings.id, settings.pipelineId);
    this.operator = countedOperator(
      settings,
      filter((batch: LogBatch) => {
        if (!this.#refusing) return true;
        refused.inc(batch.recordCount);
        const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
        batch.ack.settle(new BackpressureError(`memory usage is above the soft limit of ${mib(this.limits.softBytes)} MiB; retry later`, settings.retryAfterSeconds));
        return false;
      }),
    );
  }

  get refusing(): boolean {
    return this.#refusing;
  }

  check(): void {
    const usage = this.readUsage();
    const wasRefusing = this.#refusing;
    this.#refusing = usage > this.limits.softBytes;
    if (usage > this.limits.hardBytes) (globalThis as { gc?: () => void }).gc?.();
    if (this.#refusing !== wasRefusing) {
      const fields = { usage_mib: Math.round(usage / 1048576), soft_limit_mib: Math.round(this.limits.softBytes / 1048576) };
      if (this.#refusing) this.settings.logger.warn(fields, 'memory above the soft limit: refusing data');
      else this.settings.logger.info(fields, 'memory back under the soft limit: accepting data');
    }
  }

  async start(): Promise<void> {
    this.#running = true;
    this.check();
    const tick = () => {
      if (!this.#running) return;
      this.check();
      this.#timer = this.settings.clock.setTimeout(tick, this.intervalMs);
    };
    this.#timer = this.settings.clock.setTimeout(tick, this.intervalMs);
  }

  async shutdown(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.settings.clock.clearTimeout(this.#timer);
  }
}

export const memoryLimiterFactory: ProcessorFactory<MemoryLimiterConfig> = {
  kind: 'processor',
  type: 'memory_limiter',
  placement: { first: true, deliveryOnly: true },
  defaultConfig: () => ({ check_interval: duration('1s'), limit_mib: 0, spike_limit_mib: 0, limit_percentage: 0, spike_limit_percentage: 0 }),
  validate,
  create: (settings, config) => new MemoryLimiter(settings, resolveLimits(config, availableMemoryBytes()), config.check_interval.ms),
};
