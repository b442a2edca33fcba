// logsift's traces of its own work (`service.telemetry.traces`, off by default): a span per export attempt,
// tuner round, LLM call, replay gate, PostHog query and alert delivery, sent by OTLP/HTTP to the endpoint
// configured — never into logsift's own pipelines. The provider is the daemon's, not registered globally
// (several daemons may share a process, as in tests), and parents are passed explicitly: a span's context is
// handed to the work done under it, no async context manager involved.
import { createRequire } from 'node:module';
import { ProxyTracerProvider, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import type * as OtlpTraces from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceSdk from '@opentelemetry/sdk-trace-base';
import type { TracesSettings } from '../config/traces_settings.js';

// The SDK is loaded only when traces are on: a daemon without them does not carry its modules in its heap
// (the data path's collections walk the whole heap).
const require = createRequire(import.meta.url);

/** What a component traces with when traces are off: spans that record nothing and cost next to nothing. */
export const NO_TRACER: Tracer = new ProxyTracerProvider().getTracer('logsift');

export interface SelfTracing {
  tracer: Tracer;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export function startSelfTracing(settings: TracesSettings, resource: Record<string, string>): SelfTracing {
  const { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace-base') as typeof TraceSdk;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpTraces;
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampling_ratio ?? 1) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint, headers: settings.headers ?? {} }), { scheduledDelayMillis: 1000 })],
  });
  return { tracer: provider.getTracer('logsift'), shutdown: () => provider.shutdown() };
}

/**
 * Runs `work` in a span named `name` (a child of `parent` when given): the span ends when the work does, with
 * an error status and the exception recorded when it throws. `work` gets the span, to add what it learns, and
 * the context to hand to work done under it.
 */
export async function inSpan<T>(tracer: Tracer, name: string, options: { attributes?: Attributes; kind?: SpanKind; parent?: Context | undefined }, work: (span: Span, context: Context) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.kind !== undefined ? { kind: options.kind } : {}) }, options.parent ?? ROOT_CONTEXT);
  try {
    return await work(span, trace.setSpan(options.parent ?? ROOT_CONTEXT, span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
