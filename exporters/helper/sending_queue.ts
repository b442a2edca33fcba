// A bounded FIFO of batches waiting for a consumer, bounded by records and bytes. The batches themselves
// live in a QueueStorage (memory or SQLite); the queue only orders them and counts what is held, and what
// admitted requests were promised (room reserved before any processor saw their records, so a request is
// refused whole at the door rather than after the chain counted it).
import { BackpressureError } from '../../pipeline/errors.js';

export interface QueuedBatch {
  readonly id: number;
  readonly records: number;
  readonly bytes: number;
}

export class SendingQueue {
  readonly #ready: QueuedBatch[] = [];
  readonly #taken = new Set<QueuedBatch>();
  readonly #takers: Array<(batch: QueuedBatch | undefined) => void> = [];
  readonly #drainWaiters: Array<() => void> = [];
  #records = 0;
  #bytes = 0;
  #promisedRecords = 0;
  #promisedBytes = 0;
  #closed = false;

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
    private readonly retryAfterSeconds: number,
    private readonly onSizeChange: (records: number) => void,
  ) {}

  /**
   * Throws BackpressureError when what is queued and promised leaves no room. For a batch nobody reserved
   * room for (records re-emitted by a processor); a batch larger than the bound is taken only into an empty
   * queue.
   */
  checkRoom(records: number, bytes: number): void {
    if (!this.#fits(records, bytes)) throw this.fullError();
  }

  /**
   * Promises room for a request's records before the chain sees them: false when full. Whatever the chain
   * keeps of them then enters without a check; the promise stands until release().
   */
  reserve(records: number, bytes: number): boolean {
    if (!this.#fits(records, bytes)) return false;
    this.#promisedRecords += records;
    this.#promisedBytes += bytes;
    return true;
  }

  release(records: number, bytes: number): void {
    this.#promisedRecords -= records;
    this.#promisedBytes -= bytes;
  }

  fullError(): BackpressureError {
    return new BackpressureError(`sending queue is full (${this.#records} records, ${this.#bytes} bytes); retry later`, this.retryAfterSeconds);
  }

  #fits(records: number, bytes: number): boolean {
    const records0 = this.#records + this.#promisedRecords;
    const bytes0 = this.#bytes + this.#promisedBytes;
    return (records0 === 0 && bytes0 === 0) || (records0 + records <= this.maxRecords && bytes0 + bytes <= this.maxBytes);
  }

  push(batch: QueuedBatch): void {
    this.#records += batch.records;
    this.#bytes += batch.bytes;
    this.onSizeChange(this.#records);
    if (!this.#handToTaker(batch)) this.#ready.push(batch);
  }

  /** Gives the batch to a consumer waiting in take(), if one is. */
  #handToTaker(batch: QueuedBatch): boolean {
    const taker = this.#takers.shift();
    if (!taker) return false;
    this.#taken.add(batch);
    taker(batch);
    return true;
  }

  /**
   * The next batch, waiting for one; undefined once the queue is closed, or when `until` aborts first (a
   * consumer filling a batch waits only until its flush timeout).
   */
  take(until?: AbortSignal): Promise<QueuedBatch | undefined> {
    if (this.#closed || until?.aborted) return Promise.resolve(undefined);
    const next = this.#ready.shift();
    if (next) {
      this.#taken.add(next);
      return Promise.resolve(next);
    }
    return new Promise((resolve) => {
      const taker = (batch: QueuedBatch | undefined) => {
        until?.removeEventListener('abort', giveUp);
        resolve(batch);
      };
      const giveUp = () => {
        const at = this.#takers.indexOf(taker);
        if (at >= 0) this.#takers.splice(at, 1);
        resolve(undefined);
      };
      until?.addEventListener('abort', giveUp, { once: true });
      this.#takers.push(taker);
    });
  }

  /** The next waiting batch if there is one and it has at most `maxRecords`; never waits. */
  takeReady(maxRecords = Number.POSITIVE_INFINITY): QueuedBatch | undefined {
    const next = this.#ready[0];
    if (!next || this.#closed || next.records > maxRecords) return undefined;
    this.#ready.shift();
    this.#taken.add(next);
    return next;
  }

  /** A taken batch handed back unsent: first in line again. */
  putBack(batch: QueuedBatch): void {
    if (!this.#taken.delete(batch)) return;
    if (!this.#handToTaker(batch)) this.#ready.unshift(batch);
  }

  /** Batches waiting for a consumer. */
  get waiting(): number {
    return this.#ready.length;
  }

  /** A taken batch is done with (delivered or dead-lettered). */
  finish(batch: QueuedBatch): void {
    if (!this.#taken.delete(batch)) return;
    this.#records -= batch.records;
    this.#bytes -= batch.bytes;
    this.onSizeChange(this.#records);
    if (this.#records === 0) this.#drainWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves when nothing is queued or being sent. */
  drained(): Promise<void> {
    return this.#records === 0 ? Promise.resolve() : new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    this.#takers.splice(0).forEach((resolve) => resolve(undefined));
  }

  /** Everything not finished: waiting or in a consumer's hands. */
  remaining(): QueuedBatch[] {
    return [...this.#taken, ...this.#ready].sort((a, b) => a.id - b.id);
  }

  get records(): number {
    return this.#records;
  }
}
