// The one place a component's CreateSettings are built — by the service, the offline pipeline, the sampler
// replaying itself and the tests — from the parts a daemon (or an offline run) shares. A new setting is
// added here and in CreateSettings, and nowhere else.
import type { Clock } from './clock.js';
import type { CreateSettings, ProcessorSettings } from './component.js';
import type { EventBus } from './event_bus.js';
import type { HttpRoutes } from './http_routes.js';
import type { Logger } from './logger.js';
import type { PipelineShared } from './pipeline_shared.js';
import type { Telemetry } from './telemetry.js';
import type { PolicyBoard } from '../policy/board.js';
import type { SharedStore } from '../store/shared_store.js';

/** What every component of one daemon (or one offline run) shares. */
export interface DaemonParts {
  logger: Logger;
  telemetry: Telemetry;
  dataDir: string;
  clock: Clock;
  store: SharedStore;
  retryAfterSeconds: number;
  events: EventBus;
  policies: PolicyBoard;
  daemonShared: PipelineShared;
  routes: HttpRoutes;
}

/** A component's settings: the shared parts, its id, and a logger that names it. */
export function componentSettings(parts: DaemonParts, id: string): CreateSettings {
  return { ...parts, id, logger: parts.logger.child({ component: id }) };
}

/** A processor's settings: a component's, in one pipeline, with the views that pipeline's processors share. */
export function processorSettings(parts: DaemonParts, id: string, pipelineId: string, shared: PipelineShared): ProcessorSettings {
  return { ...componentSettings(parts, id), pipelineId, shared };
}
