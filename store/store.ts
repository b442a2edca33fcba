// The one module that owns SQLite (better-sqlite3): exporter queues and dead letters today; patterns and
// policies later. WAL journal; the sync policy decides what a commit survives (FULL: power loss; NORMAL:
// process crash only; OFF: neither).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SyncPolicy = 'full' | 'normal' | 'off';

export interface QueueRow {
  id: number;
  records: number;
  bytes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS export_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  exporter TEXT NOT NULL,
  records INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS export_queue_by_exporter ON export_queue (exporter, id);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  exporter TEXT NOT NULL,
  records INTEGER NOT NULL,
  reason TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  payload BLOB NOT NULL
);
`;

export class Store {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, number, number, number, Uint8Array], unknown>;
  readonly #remove: Database.Statement<[number], unknown>;
  readonly #payload: Database.Statement<[number], { payload: Buffer }>;
  readonly #pending: Database.Statement<[string], QueueRow>;
  readonly #deadLetter: Database.Statement<[string, number, string, number, Uint8Array], unknown>;
  readonly #deadLetterCount: Database.Statement<[string], { records: number | null }>;

  constructor(file: string, sync: SyncPolicy) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${sync.toUpperCase()}`);
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare('INSERT INTO export_queue (exporter, records, bytes, enqueued_at, payload) VALUES (?, ?, ?, ?, ?)');
    this.#remove = this.#db.prepare('DELETE FROM export_queue WHERE id = ?');
    this.#payload = this.#db.prepare('SELECT payload FROM export_queue WHERE id = ?');
    this.#pending = this.#db.prepare('SELECT id, records, bytes FROM export_queue WHERE exporter = ? ORDER BY id');
    this.#deadLetter = this.#db.prepare('INSERT INTO dead_letters (exporter, records, reason, failed_at, payload) VALUES (?, ?, ?, ?, ?)');
    this.#deadLetterCount = this.#db.prepare('SELECT SUM(records) AS records FROM dead_letters WHERE exporter = ?');
  }

  /** Committed (and synced per the policy) when this returns. */
  enqueue(exporter: string, records: number, payload: Uint8Array): number {
    return Number(this.#insert.run(exporter, records, payload.byteLength, Date.now(), payload).lastInsertRowid);
  }

  /** Several batches in one transaction: one sync for all (used when a queue spills at shutdown). */
  enqueueMany(exporter: string, batches: ReadonlyArray<{ records: number; payload: Uint8Array }>): void {
    this.#db.transaction(() => {
      for (const b of batches) this.enqueue(exporter, b.records, b.payload);
    })();
  }

  pending(exporter: string): QueueRow[] {
    return this.#pending.all(exporter);
  }

  payload(id: number): Uint8Array | undefined {
    return this.#payload.get(id)?.payload;
  }

  remove(id: number): void {
    this.#remove.run(id);
  }

  /** Moves a batch the backend will never take out of the queue, keeping it for inspection. */
  deadLetter(exporter: string, records: number, reason: string, payload: Uint8Array, queueId?: number): void {
    this.#db.transaction(() => {
      this.#deadLetter.run(exporter, records, reason, Date.now(), payload);
      if (queueId !== undefined) this.#remove.run(queueId);
    })();
  }

  deadLetteredRecords(exporter: string): number {
    return this.#deadLetterCount.get(exporter)?.records ?? 0;
  }

  /** SQLite's synchronous level on this connection: 0 off, 1 normal, 2 full. */
  syncLevel(): number {
    return Number(this.#db.pragma('synchronous', { simple: true }));
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
