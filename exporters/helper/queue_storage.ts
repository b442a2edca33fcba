// Where queued batches are kept: in memory (spilled to the store at shutdown if they could not be sent), or
// in the SQLite store from the moment they are accepted (`sending_queue.persistent: true`).
import { decodeExportRequest, encodeExportRequest, type PbResourceLogs } from '../../proto/otlp.js';
import { compactBytes } from '../../proto/record_bytes.js';
import type { Store } from '../../store/store.js';
import { QueuedPayload } from './queued_payload.js';
import type { QueuedBatch } from './sending_queue.js';

export interface QueueStorage {
  /** Keeps the batch; for the persistent storage, durably, before this returns. */
  append(resourceLogs: PbResourceLogs[], records: number, bytes: number): QueuedBatch;
  /** The records of batches sent together, in queue order. */
  load(batches: readonly QueuedBatch[]): QueuedPayload;
  /** Batches delivered (or dead-lettered) together: for the persistent storage, removed in one transaction. */
  removeMany(batches: readonly QueuedBatch[]): void;
  /** The batch's row in the store's queue table, if it has one (so a dead letter can take its place at once). */
  storeRow(batch: QueuedBatch): number | undefined;
  /** Batches left by an earlier run of this exporter (a crash, or a spill at shutdown). */
  recover(): QueuedBatch[];
  /** At shutdown, makes the unsent batches survive the restart; returns how many records were saved. */
  saveUnsent(batches: readonly QueuedBatch[]): number;
}

const encode = (resourceLogs: PbResourceLogs[]) => encodeExportRequest({ resourceLogs });
const decode = (payload: Uint8Array) => decodeExportRequest(payload).resourceLogs ?? [];

export class MemoryStorage implements QueueStorage {
  readonly #batches = new Map<number, PbResourceLogs[]>();
  /** Batches recovered from the store keep their row, removed only once delivered. */
  readonly #storeRows = new Map<number, number>();
  #nextId = 1;

  constructor(
    private readonly exporter: string,
    private readonly store: () => Store,
  ) {}

  append(resourceLogs: PbResourceLogs[], records: number, bytes: number): QueuedBatch {
    // Held until sent: kept records' bytes move out of their requests, which would otherwise stay in memory
    // whole for the few records kept of each.
    compactBytes(resourceLogs.flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => sl.logRecords ?? [])));
    const id = this.#nextId++;
    this.#batches.set(id, resourceLogs);
    return { id, records, bytes };
  }

  load(batches: readonly QueuedBatch[]): QueuedPayload {
    return QueuedPayload.decoded(batches.flatMap((b) => this.#batches.get(b.id) ?? []));
  }

  removeMany(batches: readonly QueuedBatch[]): void {
    const rows: number[] = [];
    for (const batch of batches) {
      this.#batches.delete(batch.id);
      const row = this.#storeRows.get(batch.id);
      if (row !== undefined) rows.push(row);
      this.#storeRows.delete(batch.id);
    }
    if (rows.length > 0) this.store().removeMany(rows);
  }

  storeRow(batch: QueuedBatch): number | undefined {
    return this.#storeRows.get(batch.id);
  }

  recover(): QueuedBatch[] {
    const store = this.store();
    return store.pending(this.exporter).map((row) => {
      const batch = this.append(decode(store.payload(row.id) ?? new Uint8Array()), row.records, row.bytes);
      this.#storeRows.set(batch.id, row.id);
      return batch;
    });
  }

  saveUnsent(batches: readonly QueuedBatch[]): number {
    const fresh = batches.filter((b) => !this.#storeRows.has(b.id));
    this.store().enqueueMany(this.exporter, fresh.map((b) => ({ records: b.records, payload: encode(this.#batches.get(b.id) ?? []) })));
    return batches.reduce((n, b) => n + b.records, 0);
  }
}

export class PersistentStorage implements QueueStorage {
  constructor(
    private readonly exporter: string,
    private readonly store: () => Store,
  ) {}

  append(resourceLogs: PbResourceLogs[], records: number): QueuedBatch {
    const payload = encode(resourceLogs);
    const id = this.store().enqueue(this.exporter, records, payload);
    return { id, records, bytes: payload.byteLength };
  }

  load(batches: readonly QueuedBatch[]): QueuedPayload {
    const store = this.store();
    return QueuedPayload.encoded(batches.map((b) => store.payload(b.id) ?? new Uint8Array()));
  }

  removeMany(batches: readonly QueuedBatch[]): void {
    this.store().removeMany(batches.map((b) => b.id));
  }

  storeRow(batch: QueuedBatch): number {
    return batch.id;
  }

  recover(): QueuedBatch[] {
    return this.store().pending(this.exporter);
  }

  saveUnsent(batches: readonly QueuedBatch[]): number {
    // Already in the store since they were accepted.
    return batches.reduce((n, b) => n + b.records, 0);
  }
}
