// The helper every exporter is built on (the Collector's exporterhelper): an optional sending queue with N
// consumers, a per-attempt timeout, retry with backoff that honours Retry-After, splitting on 413, and
// dead letters for what the backend will never take. Exporters supply only a Transport.
import { attemptSignal } from './attempt_signal.js';
import type { LogBatch } from '../../pipeline/batch.js';
import { sleep } from '../../pipeline/clock.js';
import type { CreateSettings, Exporter } from '../../pipeline/component.js';
import { PermanentError, type BackpressureError } from '../../pipeline/errors.js';
import type { PbResourceLogs } from '../../proto/otlp.js';
import { Backoff } from '../../pipeline/backoff.js';
import type { HelperSettings } from './config.js';
import { MemoryStorage, PersistentStorage, type QueueStorage } from './queue_storage.js';
import { QueuedPayload } from './queued_payload.js';
import { SendingQueue, type QueuedBatch } from './sending_queue.js';
import type { SendResult } from '../../pipeline/send_result.js';
import { splitInHalf } from './split_half.js';
import type { ErrorCode } from '../../pipeline/errors.js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';

export interface Transport {
  /** One attempt. Must honour `signal` (timeout or shutdown) and classify, never throw for a backend failure. */
  send(resourceLogs: PbResourceLogs[], records: number, signal: AbortSignal): Promise<SendResult>;
  /** The same with the request already encoded, for transports that send the bytes unchanged. */
  sendEncoded?(request: Uint8Array, records: number, signal: AbortSignal): Promise<SendResult>;
  start?(): Promise<void>;
  shutdown?(): Promise<void>;
}

/** How delivering one batch ended: sent, given up on (with the reason), or cut short by shutdown. */
type SendOutcome = { kind: 'sent' } | { kind: 'failed'; permanent: boolean; reason: string } | { kind: 'aborted' };

const sumRecords = (batches: readonly QueuedBatch[]) => batches.reduce((n, b) => n + b.records, 0);

function countRecords(resourceLogs: readonly PbResourceLogs[]): number {
  let n = 0;
  for (const rl of resourceLogs) for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
  return n;
}

/** The code a failed export is logged with: refused for good, or retried until retrying ran out. */
const failureCode = (permanent: boolean): ErrorCode => (permanent ? 'LOGSIFT_ERR_EXPORT_PERMANENT' : 'LOGSIFT_ERR_EXPORT_GAVE_UP');

export class HelperExporter implements Exporter {
  readonly #queue: SendingQueue | undefined;
  readonly #storage: QueueStorage | undefined;
  readonly #abort = new AbortController();
  /** Aborted when shutdown begins: a consumer filling a batch sends what it has instead of waiting for more. */
  readonly #flushNow = new AbortController();
  readonly #consumers: Promise<void>[] = [];
  readonly #loggedReasons = new Set<string>();
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(
    private readonly settings: CreateSettings,
    private readonly helper: HelperSettings,
    private readonly transport: Transport,
  ) {
    const { queue } = helper;
    if (queue.enabled) {
      const gauge = settings.telemetry.exporterQueueSize.labels(settings.id);
      settings.telemetry.exporterQueueCapacity.labels(settings.id).set(queue.queue_size);
      this.#queue = new SendingQueue(queue.queue_size, queue.max_bytes, settings.retryAfterSeconds, (records) => gauge.set(records));
      const store = () => settings.store.get();
      this.#storage = queue.persistent ? new PersistentStorage(settings.id, store) : new MemoryStorage(settings.id, store);
    }
  }

  async start(): Promise<void> {
    await this.transport.start?.();
    if (this.#queue && this.#storage) {
      const recovered = this.#storage.recover();
      for (const batch of recovered) this.#queue.push(batch);
      if (recovered.length > 0) {
        this.settings.logger.info({ batches: recovered.length, records: recovered.reduce((n, b) => n + b.records, 0) }, 'resuming batches left by the previous run');
      }
      for (let i = 0; i < this.helper.queue.num_consumers; i++) this.#consumers.push(this.#consume(this.#queue, this.#storage));
    }
    this.#state = 'running';
  }

  async export(batch: LogBatch): Promise<void> {
    if (this.#state !== 'running') throw new Error(`exporter ${this.settings.id} is not running`);
    const resourceLogs = batch.toExportRequest().resourceLogs ?? [];
    if (this.#queue && this.#storage) {
      // Records of an admitted request had their room promised at the door (reserve()).
      if (!batch.roomReserved) {
        try {
          this.#queue.checkRoom(batch.recordCount, batch.sizeBytes);
        } catch (error) {
          this.settings.telemetry.exporterEnqueueFailed.inc({ exporter: this.settings.id }, batch.recordCount);
          throw error;
        }
      }
      this.#queue.push(this.#storage.append(resourceLogs, batch.recordCount, batch.sizeBytes));
      return;
    }
    // No queue: the client waits for delivery and gets the failure if it does not happen.
    const outcome = await this.#deliver(QueuedPayload.decoded(resourceLogs), batch.recordCount, this.#abort.signal, false);
    if (outcome.kind === 'failed') throw outcome.permanent ? new PermanentError(outcome.reason) : new Error(outcome.reason);
    if (outcome.kind === 'aborted') throw new Error(`exporter ${this.settings.id} is shutting down`);
  }

  reserve(records: number, bytes: number): BackpressureError | undefined {
    if (!this.#queue || this.#queue.reserve(records, bytes)) return undefined;
    this.settings.telemetry.exporterEnqueueFailed.inc({ exporter: this.settings.id }, records);
    return this.#queue.fullError();
  }

  release(records: number, bytes: number): void {
    this.#queue?.release(records, bytes);
  }

  async #consume(queue: SendingQueue, storage: QueueStorage): Promise<void> {
    for (let first = await queue.take(); first; first = await queue.take()) {
      const group = await this.#fill(queue, first);
      let outcome: SendOutcome;
      try {
        const rows = group.map((b) => storage.storeRow(b)).filter((row): row is number => row !== undefined);
        outcome = await this.#deliver(storage.load(group), sumRecords(group), this.#abort.signal, true, rows);
      } catch (error) {
        // A store failure: keep the batches queued (still in the store, or still in memory) and stop this consumer.
        this.settings.logger.error({ err: error }, 'sending a queued batch failed unexpectedly; it stays queued');
        return;
      }
      if (outcome.kind === 'aborted') return;
      storage.removeMany(group);
      for (const batch of group) queue.finish(batch);
    }
  }

  /**
   * With `sending_queue.batch`, the queued batches sent together with `first`: what is waiting now, then what
   * arrives before the flush timeout, until `min_size` records (never past `max_size`, a lone batch aside).
   */
  async #fill(queue: SendingQueue, first: QueuedBatch): Promise<QueuedBatch[]> {
    const batching = this.helper.queue.batch;
    if (!batching.enabled) return [first];
    const group = [first];
    let records = first.records;
    const room = () => (batching.max_size > 0 ? batching.max_size - records : Number.POSITIVE_INFINITY);
    while (records < batching.min_size) {
      const next = queue.takeReady(room());
      if (!next) break;
      group.push(next);
      records += next.records;
    }
    if (records >= batching.min_size || room() <= 0 || this.#flushNow.signal.aborted) return group;
    const timeout = new AbortController();
    const handle = this.settings.clock.setTimeout(() => timeout.abort(), batching.flush_timeout.ms);
    const stop = () => timeout.abort();
    this.#flushNow.signal.addEventListener('abort', stop, { once: true });
    try {
      while (records < batching.min_size && room() > 0) {
        // One waiting but too big to join stays where it is; one that arrives too big goes back to the front.
        const next = queue.waiting > 0 ? queue.takeReady(room()) : await queue.take(timeout.signal);
        if (!next) break;
        if (next.records > room()) {
          queue.putBack(next);
          break;
        }
        group.push(next);
        records += next.records;
      }
    } finally {
      this.settings.clock.clearTimeout(handle);
      this.#flushNow.signal.removeEventListener('abort', stop);
    }
    return group;
  }

  /**
   * Sends with retries until success, a permanent failure or max_elapsed_time. A 413 splits the batch in
   * halves, each delivered on its own. With `deadLetter`, failures are kept in the store and counted; what
   * fails whole leaves the queue table in the same transaction as it enters the dead letters (`queueRows`,
   * the rows it was sent from), so a crash between the two cannot send a dead-lettered batch again.
   */
  async #deliver(payload: QueuedPayload, records: number, signal: AbortSignal, deadLetter: boolean, queueRows: readonly number[] = []): Promise<SendOutcome> {
    const { retry, timeoutMs } = this.helper;
    const { clock, telemetry, id } = this.settings;
    const started = clock.now();
    const backoff = new Backoff(retry);
    for (let tries = 1; ; tries++) {
      const attempt = attemptSignal(timeoutMs, signal);
      const span = telemetry.tracer.startSpan('export', { kind: SpanKind.CLIENT, attributes: { 'logsift.exporter': id, 'logsift.records': records, 'logsift.attempt': tries } });
      const sending = payload.isEncoded && this.transport.sendEncoded
        ? this.transport.sendEncoded(payload.bytes, records, attempt.signal)
        : this.transport.send(payload.resourceLogs, records, attempt.signal);
      const result = await sending.finally(attempt.done);
      span.setAttribute('logsift.outcome', result.kind);
      if (result.kind !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: result.reason });
      span.end();
      if (signal.aborted) return { kind: 'aborted' };
      switch (result.kind) {
        case 'success':
          telemetry.exporterSent.inc({ exporter: id }, records);
          return { kind: 'sent' };
        case 'too_large': {
          const halves = splitInHalf(payload.resourceLogs);
          if (!halves) return this.#fail(payload, records, 'too_large', `a single log record is larger than the backend accepts (${result.reason})`, deadLetter, true, queueRows);
          for (const half of halves) {
            const outcome = await this.#deliver(QueuedPayload.decoded(half), countRecords(half), signal, deadLetter);
            if (outcome.kind !== 'sent' && !(deadLetter && outcome.kind === 'failed')) return outcome;
          }
          return { kind: 'sent' };
        }
        case 'permanent':
          return this.#fail(payload, records, 'permanent', result.reason, deadLetter, true, queueRows);
        case 'retryable': {
          const delay = result.retryAfterMs ?? backoff.next();
          const elapsed = clock.now() - started;
          if (!retry.enabled || elapsed + delay > retry.maxElapsedMs) {
            return this.#fail(payload, records, 'retries_exhausted', `gave up after ${Math.round(elapsed / 1000)}s: ${result.reason}`, deadLetter, false, queueRows);
          }
          telemetry.exporterRetries.inc({ exporter: id });
          this.settings.logger.debug({ reason: result.reason, delay_ms: delay }, 'retrying');
          try {
            await sleep(clock, delay, signal);
          } catch {
            return { kind: 'aborted' };
          }
        }
      }
    }
  }

  #fail(payload: QueuedPayload, records: number, kind: string, reason: string, deadLetter: boolean, permanent: boolean, queueRows: readonly number[]): SendOutcome {
    const { telemetry, id, logger } = this.settings;
    telemetry.exporterSendFailed.inc({ exporter: id }, records);
    // Logged once per kind of failure, with the reason; every occurrence is counted.
    const key = `${kind}:${/HTTP \d{3}/.exec(reason)?.[0] ?? ''}`;
    const firstTime = !this.#loggedReasons.has(key);
    this.#loggedReasons.add(key);
    if (deadLetter) {
      try {
        this.settings.store.get().deadLetter(id, records, reason, payload.bytes, queueRows);
        telemetry.exporterDeadLettered.inc({ exporter: id, reason: kind }, records);
      } catch (error) {
        telemetry.exporterLost.inc({ exporter: id, reason: 'dead_letter_failed' }, records);
        logger.error({ err: error, code: 'LOGSIFT_ERR_DATA_LOST' satisfies ErrorCode, records, reason }, 'could not keep a failed batch in the dead-letter table; its records are lost');
      }
      if (firstTime) logger.error({ code: failureCode(permanent), reason, kind, records }, 'the backend will not take this batch; kept as a dead letter (further ones of this kind are only counted)');
    } else if (firstTime) {
      logger.error({ code: failureCode(permanent), reason, kind, records }, 'export failed; the client was told (further failures of this kind are only counted)');
    }
    return { kind: 'failed', permanent, reason };
  }

  async shutdown(deadline?: AbortSignal): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    if (wasRunning && this.#queue && this.#storage) {
      // Drain while the deadline allows; what is left is saved for the next start.
      this.#flushNow.abort();
      await Promise.race([this.#queue.drained(), aborted(deadline)]);
      this.#abort.abort(new Error('shutting down'));
      this.#queue.close();
      await Promise.all(this.#consumers);
      this.#saveUnsent(this.#queue, this.#storage);
    } else {
      this.#abort.abort(new Error('shutting down'));
    }
    await this.transport.shutdown?.();
    this.#state = 'stopped';
  }

  #saveUnsent(queue: SendingQueue, storage: QueueStorage): void {
    const unsent = queue.remaining();
    if (unsent.length === 0) return;
    const records = unsent.reduce((n, b) => n + b.records, 0);
    try {
      storage.saveUnsent(unsent);
      this.settings.logger.warn({ records, batches: unsent.length }, 'the backend did not take everything before shutdown; the rest is saved in the store and will be sent at the next start');
    } catch (error) {
      this.settings.telemetry.exporterLost.inc({ exporter: this.settings.id, reason: 'shutdown' }, records);
      this.settings.logger.error({ err: error, records, batches: unsent.length }, 'shutdown with unsent batches that could not be saved: these records are lost');
    }
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
