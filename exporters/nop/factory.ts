// The `nop` exporter accepts and discards, like the Collector's: for benchmarks and for pipelines whose only
// purpose is their side effects (statistics, pattern mining).
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { ExporterFactory } from '../../pipeline/component.js';
import { HelperExporter } from '../helper/exporter_helper.js';
import { directHelperSettings } from '../helper/config.js';

export const nopExporterFactory: ExporterFactory<Record<string, never>> = {
  kind: 'exporter',
  type: 'nop',
  defaultConfig: () => ({}),
  validate: compileConfigSchema({ type: 'object', additionalProperties: false, properties: {} }),
  create: (settings) => new HelperExporter(settings, directHelperSettings(), { send: async () => ({ kind: 'success' }) }),
};
