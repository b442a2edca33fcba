// Builds the component graph from a validated config and runs its lifecycle: extensions, exporters, pipelines
// (processors), then receivers on start; the reverse on shutdown, so data in flight drains to the exporters.
import type { ComponentEntry, LogsiftConfig } from './load_config.js';
import type { CreateSettings, Exporter, Extension, Receiver } from './component.js';
import { componentSettings, processorSettings, type DaemonParts } from './component_settings.js';
import { InflightLimiter } from './inflight.js';
import { PipelineIntake } from './intake.js';
import { LogsPipeline } from './logs_pipeline.js';
import { PipelineShared } from './pipeline_shared.js';
import type { FactoryRegistry } from './registry.js';

type Component = { start(): Promise<void>; shutdown(deadline?: AbortSignal): Promise<void> };

function entry(map: ReadonlyMap<string, ComponentEntry>, id: string): ComponentEntry {
  const found = map.get(id);
  if (!found) throw new Error(`component ${id} is not configured`);
  return found;
}


export class ComponentGraph {
  readonly #extensions: Extension[] = [];
  readonly #exporters: Exporter[] = [];
  readonly #pipelines: LogsPipeline[] = [];
  readonly #receivers: Receiver[] = [];
  readonly #started = new Set<Component>();
  #shutdown: Promise<void> | undefined;

  constructor(config: LogsiftConfig, registry: FactoryRegistry, parts: DaemonParts) {
    const { logger } = parts;
    const settingsFor = (id: string): CreateSettings => componentSettings(parts, id);
    const factoryOf = <K extends 'receiver' | 'processor' | 'exporter' | 'extension'>(kind: K, type: string) => {
      const factory = registry.get(kind, type);
      if (!factory) throw new Error(`no ${kind} factory for type ${type}`);
      return factory;
    };

    for (const id of config.serviceExtensions) {
      const e = entry(config.extensions, id);
      this.#extensions.push(factoryOf('extension', e.type).create(settingsFor(id), e.config));
    }

    const exporters = new Map<string, Exporter>();
    for (const spec of config.pipelines) {
      for (const id of spec.exporters) {
        if (exporters.has(id)) continue;
        const e = entry(config.exporters, id);
        const exporter = factoryOf('exporter', e.type).create(settingsFor(id), e.config);
        exporters.set(id, exporter);
        this.#exporters.push(exporter);
      }
    }

    const pipelinesByReceiver = new Map<string, LogsPipeline[]>();
    for (const spec of config.pipelines) {
      const shared = new PipelineShared();
      const processors = spec.processors.map((id) => {
        const e = entry(config.processors, id);
        return factoryOf('processor', e.type).create(processorSettings(parts, id, spec.id, shared), e.config);
      });
      const pipeline = new LogsPipeline(spec.id, processors, spec.exporters.map((id) => exporters.get(id)!), logger.child({ pipeline: spec.id }));
      this.#pipelines.push(pipeline);
      for (const id of spec.receivers) pipelinesByReceiver.set(id, [...(pipelinesByReceiver.get(id) ?? []), pipeline]);
    }

    const limiter = new InflightLimiter(config.settings.maxInflightRecords, config.settings.maxInflightBytes);
    for (const [id, pipelines] of pipelinesByReceiver) {
      const e = entry(config.receivers, id);
      const intake = new PipelineIntake(pipelines, limiter, parts.telemetry, config.settings.retryAfterSeconds);
      this.#receivers.push(factoryOf('receiver', e.type).create(settingsFor(id), e.config, intake));
    }
  }

  /** Starts in dependency order; if any component fails, what started is shut down and the error rethrown. */
  async start(): Promise<void> {
    const order: Component[] = [...this.#extensions, ...this.#exporters, ...this.#pipelines, ...this.#receivers];
    for (const component of order) {
      // Marked before start() so a half-started component is shut down too (shutdown is safe without start).
      this.#started.add(component);
      try {
        await component.start();
      } catch (error) {
        await this.shutdown();
        throw error;
      }
    }
  }

  /** Receivers first (they finish answering in-flight requests), then pipelines, exporters, extensions. */
  shutdown(deadline?: AbortSignal): Promise<void> {
    this.#shutdown ??= (async () => {
      const stopAll = async (components: readonly Component[]) => {
        await Promise.all(components.filter((c) => this.#started.has(c)).map((c) => c.shutdown(deadline)));
      };
      await stopAll(this.#receivers);
      await stopAll(this.#pipelines);
      await stopAll(this.#exporters);
      await stopAll(this.#extensions);
    })();
    return this.#shutdown;
  }
}
