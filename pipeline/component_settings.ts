// The one place a component's CreateSettings are built — by the component graph, the offline pipeline, the
// sampler replaying itself and the tests — from the parts a daemon (or an offline run) shares (DaemonParts,
// in component.ts): a new setting is added there and reaches every builder.
import type { CreateSettings, DaemonParts, ProcessorSettings } from './component.js';
import type { PipelineShared } from './pipeline_shared.js';

export type { DaemonParts };

/** A component's settings: the shared parts, its id, and a logger that names it. */
export function componentSettings(parts: DaemonParts, id: string): CreateSettings {
  return { ...parts, id, logger: parts.logger.child({ component: id }) };
}

/** A processor's settings: a component's, in one pipeline, with the views that pipeline's processors share. */
export function processorSettings(parts: DaemonParts, id: string, pipelineId: string, shared: PipelineShared): ProcessorSettings {
  return { ...componentSettings(parts, id), pipelineId, shared };
}
