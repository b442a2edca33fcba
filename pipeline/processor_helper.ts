// Wraps a per-batch function as an RxJS operator that counts records in and out and never lets one bad batch
// end the stream: a throwing batch fails its own ack and the chain carries on (the Collector's processorhelper).
import { mergeMap, of, EMPTY, type OperatorFunction } from 'rxjs';
import type { LogBatch } from './batch.js';
import type { ProcessorSettings } from './component.js';

export function batchOperator(
  settings: ProcessorSettings,
  process: (batch: LogBatch) => LogBatch,
): OperatorFunction<LogBatch, LogBatch> {
  const incoming = settings.telemetry.processorIncoming.labels(settings.id, settings.pipelineId);
  const outgoing = settings.telemetry.processorOutgoing.labels(settings.id, settings.pipelineId);
  return mergeMap((batch: LogBatch) => {
    incoming.inc(batch.recordCount);
    try {
      const out = process(batch);
      outgoing.inc(out.recordCount);
      return of(out);
    } catch (error) {
      settings.logger.error({ err: error, processor: settings.id }, 'processor failed on a batch; the batch is refused');
      batch.ack.settle(new Error(`processor ${settings.id} failed: ${(error as Error).message}`));
      return EMPTY;
    }
  });
}
