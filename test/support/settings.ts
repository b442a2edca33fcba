// CreateSettings for a component built directly in a test, with a silent logger and its own store.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { realClock, type Clock } from '../../pipeline/clock.js';
import type { CreateSettings, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { resolveComponentConfig } from '../../pipeline/load_config.js';
import { componentSettings, processorSettings, type DaemonParts } from '../../pipeline/component_settings.js';
import { EventBus } from '../../pipeline/event_bus.js';
import { HttpRoutes } from '../../pipeline/http_routes.js';
import { PipelineShared } from '../../pipeline/pipeline_shared.js';
import { PolicyBoard } from '../../policy/board.js';
import { Telemetry } from '../../pipeline/telemetry.js';
import { SharedStore } from '../../store/shared_store.js';

export function testSettings(id: string, options: { clock?: Clock; dataDir?: string; telemetry?: Telemetry; policies?: PolicyBoard; daemonShared?: PipelineShared } = {}): CreateSettings {
  return componentSettings(testParts(options), id);
}

/** The parts a daemon shares, for components built directly in a test: a silent logger, a store of its own. */
export function testParts(options: { clock?: Clock; dataDir?: string; telemetry?: Telemetry; policies?: PolicyBoard; daemonShared?: PipelineShared } = {}): DaemonParts {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'logsift-unit-'));
  return {
    logger: pino({ level: 'silent' }),
    telemetry: options.telemetry ?? new Telemetry(),
    dataDir,
    clock: options.clock ?? realClock,
    store: new SharedStore(dataDir, 'normal'),
    retryAfterSeconds: 1,
    events: new EventBus(),
    policies: options.policies ?? new PolicyBoard(),
    daemonShared: options.daemonShared ?? new PipelineShared(),
    routes: new HttpRoutes(),
  };
}

/** ProcessorSettings for a processor built directly in a test, in pipeline `logs` with its own shared views. */
export function testProcessorSettings(id: string, options: Parameters<typeof testSettings>[1] & { shared?: PipelineShared } = {}): ProcessorSettings {
  return processorSettings(testParts(options), id, 'logs', options.shared ?? new PipelineShared());
}

/** A component's config from what a test writes, resolved as the loader does it (durations read); a problem throws. */
export function configFor<C>(factory: Pick<ProcessorFactory<C>, 'defaultConfig' | 'resolveConfig' | 'validate'>, overrides: unknown = {}): C {
  const { config, problems } = resolveComponentConfig(factory, overrides);
  if (problems.length > 0) throw new Error(`test config: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return config;
}
