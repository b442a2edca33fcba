// The component model: every receiver, processor and exporter is a factory with a default config, a
// validator and a constructor, as in the OpenTelemetry Collector.
import type { ConfigProblem } from '../config/problems.js';
import type { OperatorFunction } from 'rxjs';
import type { LogBatch } from './batch.js';
import type { SharedStore } from '../store/shared_store.js';
import type { Clock } from './clock.js';
import type { BackpressureError } from './errors.js';
import type { EventBus } from './event_bus.js';
import type { Logger } from './logger.js';
import type { HttpRoutes } from './http_routes.js';
import type { PipelineShared } from './pipeline_shared.js';
import type { PolicyBoard } from '../policy/board.js';
import type { Telemetry } from './telemetry.js';
import type { PbResourceLogs } from '../proto/otlp.js';

export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'extension';

/** A problem in a component's config; `path` is relative to the component's own block. */
export type { ConfigProblem };

export interface Lifecycle {
  start(): Promise<void>;
  /**
   * Idempotent and safe without start(). `deadline` aborts when the daemon's shutdown timeout passes:
   * whatever is still waiting must then be saved (or its loss counted and logged) and shutdown return.
   */
  shutdown(deadline?: AbortSignal): Promise<void>;
}

/** What every component of one daemon (or one offline run) shares; component_settings.ts builds settings from it. */
export interface DaemonParts {
  logger: Logger;
  telemetry: Telemetry;
  dataDir: string;
  clock: Clock;
  /** The daemon's SQLite store (queues, dead letters), opened on first use. */
  store: SharedStore;
  /** The retry hint receivers give when a component refuses data. */
  retryAfterSeconds: number;
  /** Daemon events (anomalies) published by processors, carried out by exporters that can. */
  events: EventBus;
  /** Run-time sampling policies per service (written by the tuner and the control API, read by the sampler). */
  policies: PolicyBoard;
  /** Views shared across the whole daemon (the sampler's traffic window, read by the tuner). */
  daemonShared: PipelineShared;
  /** Paths components serve on the telemetry server. */
  routes: HttpRoutes;
}

export interface CreateSettings extends DaemonParts {
  /** The component id as written in the config, `type[/name]`. */
  id: string;
}

/** Processors are created once per pipeline, so their counters carry the pipeline id too. */
export interface ProcessorSettings extends CreateSettings {
  pipelineId: string;
  /** Views the pipeline's processors share (a processor provides, those after it look up at start). */
  shared: PipelineShared;
}

/** Why data was refused with a retry hint: the in-flight bound, a full exporter queue, or a processor (the memory limiter). */
export type RefusalCause = 'inflight_limit' | 'queue_full' | 'backpressure' | 'tenant_limit';

export type IntakeResult =
  | { kind: 'accepted' }
  | { kind: 'refused'; retryAfterSeconds: number; reason: string; cause: RefusalCause }
  | { kind: 'failed'; reason: string; permanent: boolean };

/** What a receiver hands its decoded data to; resolves once every exporter accepted it (or it was refused). */
export interface LogsIntake {
  submit(resourceLogs: PbResourceLogs[], recordCount: number, sizeBytes: number): Promise<IntakeResult>;
}

export interface Receiver extends Lifecycle {}

export interface Processor extends Lifecycle {
  readonly operator: OperatorFunction<LogBatch, LogBatch>;
}

export interface Exporter extends Lifecycle {
  /** Resolves when the batch is accepted (sent, or durably queued); rejects with the reason otherwise. */
  export(batch: LogBatch): Promise<void>;
  /**
   * For exporters with a queue: room for a request's records promised before any processor sees them, so a
   * full queue refuses the request at the door (the error to answer with) instead of after the chain
   * counted it. What the chain keeps of a request with room reserved is then queued without a check.
   */
  reserve?(records: number, bytes: number): BackpressureError | undefined;
  /** Gives back what reserve() promised, once the request is answered. */
  release?(records: number, bytes: number): void;
}

export interface Extension extends Lifecycle {}

interface FactoryBase<C> {
  readonly type: string;
  /** Other names the type answers to: the Collector's spellings of the same component (`otlphttp`). */
  readonly aliases?: readonly string[];
  defaultConfig(): C;
  /** How the user's block becomes a full config; without it the defaults are merged under it. */
  resolveConfig?(user: unknown): C;
  /** Every problem at once, not the first; the config is already merged over the defaults. */
  validate(config: C): ConfigProblem[];
}

export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'receiver';
  create(settings: CreateSettings, config: C, intake: LogsIntake): Receiver;
}

/**
 * Where a processor may stand in a pipeline, declared by its factory and checked when the config loads (an
 * order that cannot work is a config error with its path, not a failure at start).
 */
export interface ProcessorPlacement {
  /** What it gives the processors after it. */
  provides?: readonly string[];
  /** What a processor before it must provide. */
  requires?: readonly string[];
  /** What it uses when a processor before it provides it (one after it cannot). */
  uses?: readonly string[];
  /** First in its pipeline. */
  first?: boolean;
  /**
   * It shapes delivery (batching, back-pressure), not content: an offline run (replay, `policy propose
   * --input`) leaves it out — it has nothing to say about what is kept, and would wait on real timers.
   */
  deliveryOnly?: boolean;
}

export interface ProcessorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'processor';
  readonly placement?: ProcessorPlacement;
  create(settings: ProcessorSettings, config: C): Processor;
}

export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'exporter';
  create(settings: CreateSettings, config: C): Exporter;
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'extension';
  create(settings: CreateSettings, config: C): Extension;
}

export type Factory = ReceiverFactory<any> | ProcessorFactory<any> | ExporterFactory<any> | ExtensionFactory<any>;

/** `type[/name]` split; ids are what configs and metrics label components by. */
export function parseComponentId(id: string): { type: string; name: string | undefined } | undefined {
  const match = /^([A-Za-z][A-Za-z0-9_]*)(?:\/([^/\s]+))?$/.exec(id);
  if (!match) return undefined;
  return { type: match[1]!, name: match[2] };
}
