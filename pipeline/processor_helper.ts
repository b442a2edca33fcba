// Wraps a processor's operator so records in and out are counted per processor and pipeline, the way the
// Collector's processorhelper does, without each processor repeating it.
import { pipe, tap, type OperatorFunction } from 'rxjs';
import type { LogBatch } from './batch.js';
import type { ProcessorSettings } from './component.js';

export function countedOperator(settings: ProcessorSettings, inner: OperatorFunction<LogBatch, LogBatch>): OperatorFunction<LogBatch, LogBatch> {
  const incoming = settings.telemetry.processorIncoming.labels(settings.id, settings.pipelineId);
  const outgoing = settings.telemetry.processorOutgoing.labels(settings.id, settings.pipelineId);
  return pipe(
    tap((batch: LogBatch) => incoming.inc(batch.recordCount)),
    inner,
    tap((batch: LogBatch) => outgoing.inc(batch.recordCount)),
  );
}
