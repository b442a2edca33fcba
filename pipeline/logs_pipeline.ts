// One `service.pipelines.logs[/name]`: an RxJS chain of processor operators over batches, ending in a
// fan-out to every exporter. A batch's ack settles when all exporters accepted it, or with the first failure.
import { Subject, type Subscription } from 'rxjs';
import { splitAck } from './ack.js';
import type { LogBatch } from './batch.js';
import type { Exporter, Processor } from './component.js';
import type { Logger } from './logger.js';
import type { BackpressureError } from './errors.js';

export class LogsPipeline {
  readonly #input = new Subject<LogBatch>();
  #subscription: Subscription | undefined;
  #drained: Promise<void> | undefined;
  #broken: Error | undefined;

  constructor(
    readonly id: string,
    private readonly processors: readonly Processor[],
    private readonly exporters: readonly Exporter[],
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const processor of this.processors) await processor.start();
    const chain = this.processors.reduce((stream, p) => stream.pipe(p.operator), this.#input.asObservable());
    this.#drained = new Promise<void>((resolve) => {
      this.#subscription = chain.subscribe({
        next: (batch) => this.#deliver(batch),
        error: (error: unknown) => {
          // Processors are wrapped so this should not happen; if it does, refuse new data rather than hang.
          this.#broken = error instanceof Error ? error : new Error(String(error));
          this.logger.fatal({ err: error, pipeline: this.id }, 'pipeline chain failed; new data is refused');
          resolve();
        },
        complete: () => resolve(),
      });
    });
  }

  /**
   * Room in every queued exporter for a request's records, all or none: the error to refuse it with when
   * one is full. Each promise stands until release().
   */
  reserve(records: number, bytes: number): BackpressureError | undefined {
    for (let i = 0; i < this.exporters.length; i++) {
      const refusal = this.exporters[i]!.reserve?.(records, bytes);
      if (refusal) {
        for (let j = 0; j < i; j++) this.exporters[j]!.release?.(records, bytes);
        return refusal;
      }
    }
    return undefined;
  }

  release(records: number, bytes: number): void {
    for (const exporter of this.exporters) exporter.release?.(records, bytes);
  }

  push(batch: LogBatch): void {
    if (this.#broken) batch.ack.settle(new Error(`pipeline ${this.id} is broken: ${this.#broken.message}`));
    else if (!this.#subscription) batch.ack.settle(new Error(`pipeline ${this.id} is not running`));
    else this.#input.next(batch);
  }

  #deliver(batch: LogBatch): void {
    if (batch.recordCount === 0) {
      batch.ack.settle();
      return;
    }
    const acks = splitAck(batch.ack, this.exporters.length);
    this.exporters.forEach((exporter, i) => {
      // Through a promise so an exporter that throws synchronously fails its branch, not the stream.
      Promise.resolve(batch).then((b) => exporter.export(b)).then(
        () => acks[i]!.settle(),
        (error: unknown) => acks[i]!.settle(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  /** Completes the input so processors flush what they hold, then stops them. */
  async shutdown(): Promise<void> {
    if (this.#subscription) {
      this.#input.complete();
      await this.#drained;
      this.#subscription = undefined;
    }
    for (const processor of this.processors) await processor.shutdown();
  }
}
