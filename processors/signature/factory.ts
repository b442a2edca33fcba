// The `signature` processor: gives every record a pattern — `logsift.pattern.id` and
// `logsift.pattern.template` (names configurable) — from the online miner, per service. The catalog is
// saved to the store on an interval and at shutdown, and reloaded at start.
import { map } from 'rxjs';
import { duration, type Duration } from '../../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import { PresetAttribute, type LogBatch } from '../../pipeline/batch.js';
import type { Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import { loadCatalog, saveCatalog } from './catalog.js';
import { ALL_MASKS, type MaskName } from './masking.js';
import { signatureText } from './structured_body.js';
import { DEFAULT_MINER_OPTIONS, TemplateMiner, type Pattern } from './template_miner.js';
import { signatureMetrics } from './metrics.js';

export interface SignatureProcessorConfig {
  attributes: { pattern_id: string; template: string };
  similarity: number;
  variable_after: number;
  max_patterns_per_service: number;
  masks: MaskName[];
  catalog: { enabled: boolean; flush_interval: Duration };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    attributes: {
      type: 'object',
      additionalProperties: false,
      // An empty template name leaves the template off records: the id is enough to group by, the catalog
      // keeps the template, and on short lines the template can double a kept record's bytes.
      properties: { pattern_id: { type: 'string', minLength: 1 }, template: { type: 'string' } },
    },
    similarity: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    variable_after: { type: 'integer', minimum: 2 },
    max_patterns_per_service: { type: 'integer', minimum: 10 },
    masks: { type: 'array', uniqueItems: true, items: { enum: [...ALL_MASKS] } },
    catalog: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, flush_interval: DURATION_SCHEMA },
    },
  },
};

export function minerFromConfig(config: SignatureProcessorConfig, onEvicted?: () => void): TemplateMiner {
  return new TemplateMiner(
    { similarity: config.similarity, variableAfter: config.variable_after, maxPatternsPerService: config.max_patterns_per_service, masks: config.masks },
    onEvicted ? { evicted: onEvicted } : {},
  );
}

class SignatureProcessor implements Processor {
  readonly operator;
  readonly #miner: TemplateMiner;
  readonly #flushMs: number;
  #timer: unknown;
  #running = false;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly config: SignatureProcessorConfig,
  ) {
    const evicted = signatureMetrics(settings.telemetry).evicted.labels(settings.id);
    this.#miner = minerFromConfig(config, () => evicted.inc());
    this.#flushMs = config.catalog.flush_interval.ms;
    this.operator = countedOperator(settings, map((batch: LogBatch) => this.#sign(batch)));
  }

  #sign(batch: LogBatch): LogBatch {
    const now = this.settings.clock.now();
    for (const group of batch.groups()) {
      const service = group.resource.serviceName ?? 'unknown_service';
      for (const record of group.records) {
        const tags = this.#tags(this.#miner.add(service, signatureText(record), now));
        record.attributes.setPreset(tags.id);
        if (tags.template) record.attributes.setPreset(tags.template);
      }
    }
    return batch;
  }

  // Each pattern's two attributes, made once and shared by its records; made again when the pattern's
  // template is generalised (its id and template change). Weakly held: an evicted pattern takes them along.
  readonly #tagsOf = new WeakMap<Pattern, { id: PresetAttribute; template: PresetAttribute | undefined; text: string }>();

  #tags(pattern: Pattern): { id: PresetAttribute; template: PresetAttribute | undefined } {
    let tags = this.#tagsOf.get(pattern);
    if (!tags || tags.id.value !== pattern.id || tags.text !== pattern.template) {
      const { pattern_id: idKey, template: templateKey } = this.config.attributes;
      tags = { id: new PresetAttribute(idKey, pattern.id), template: templateKey === '' ? undefined : new PresetAttribute(templateKey, pattern.template), text: pattern.template };
      this.#tagsOf.set(pattern, tags);
    }
    return tags;
  }

  #flush(): void {
    if (!this.config.catalog.enabled) return;
    try {
      saveCatalog(this.#miner, this.settings.store.get());
    } catch (error) {
      this.settings.logger.error({ err: error }, 'could not save the pattern catalog; will try again');
    }
  }

  async start(): Promise<void> {
    if (this.config.catalog.enabled) {
      const restored = loadCatalog(this.#miner, this.settings.store.get());
      if (restored > 0) this.settings.logger.info({ patterns: restored }, 'pattern catalog loaded');
      this.#running = true;
      const tick = () => {
        if (!this.#running) return;
        this.#flush();
        this.#timer = this.settings.clock.setTimeout(tick, this.#flushMs);
      };
      this.#timer = this.settings.clock.setTimeout(tick, this.#flushMs);
    }
  }

  async shutdown(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.settings.clock.clearTimeout(this.#timer);
    this.#flush();
  }
}

export function defaultSignatureConfig(): SignatureProcessorConfig {
  return {
    attributes: { pattern_id: 'logsift.pattern.id', template: 'logsift.pattern.template' },
    similarity: DEFAULT_MINER_OPTIONS.similarity,
    variable_after: DEFAULT_MINER_OPTIONS.variableAfter,
    max_patterns_per_service: DEFAULT_MINER_OPTIONS.maxPatternsPerService,
    masks: [...ALL_MASKS],
    catalog: { enabled: true, flush_interval: duration('10s') },
  };
}

export const signatureProcessorFactory: ProcessorFactory<SignatureProcessorConfig> = {
  kind: 'processor',
  type: 'signature',
  placement: { provides: ['patterns'], uses: ['redaction'] },
  defaultConfig: defaultSignatureConfig,
  validate: compileConfigSchema(schema),
  create: (settings, config) => new SignatureProcessor(settings, config),
};
