// The one module that owns SQLite (better-sqlite3): exporter queues and dead letters, the pattern catalog, the
// sampling ledger, anomalies, policy versions and rejected proposals, backfill checkpoints, webhook deliveries. WAL journal; the sync policy decides what a commit survives (FULL: power loss; NORMAL:
// process crash only; OFF: neither).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

import type { SyncPolicy } from '../config/settings.js';
export type { SyncPolicy } from '../config/settings.js';

export interface QueueRow {
  id: number;
  records: number;
  bytes: number;
}

const HOUR_MS = 3_600_000;

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
CREATE TABLE IF NOT EXISTS patterns (
  service TEXT NOT NULL,
  id TEXT NOT NULL,
  template TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL,
  example TEXT NOT NULL,
  shapes TEXT NOT NULL,
  PRIMARY KEY (service, id)
);
CREATE TABLE IF NOT EXISTS pattern_aliases (
  old_id TEXT PRIMARY KEY,
  new_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sampling_ledger (
  window_start INTEGER NOT NULL,
  service TEXT NOT NULL,
  pattern TEXT NOT NULL,
  seen INTEGER NOT NULL,
  kept INTEGER NOT NULL,
  dropped INTEGER NOT NULL,
  bytes_seen INTEGER NOT NULL,
  bytes_kept INTEGER NOT NULL,
  boosted INTEGER NOT NULL DEFAULT 0,
  bytes_boosted INTEGER NOT NULL DEFAULT 0,
  wire_bytes_seen INTEGER NOT NULL DEFAULT 0,
  wire_bytes_kept INTEGER NOT NULL DEFAULT 0,
  wire_bytes_boosted INTEGER NOT NULL DEFAULT 0,
  errors_seen INTEGER NOT NULL DEFAULT 0,
  errors_kept INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (service, pattern, window_start)
);
CREATE INDEX IF NOT EXISTS sampling_ledger_by_window ON sampling_ledger (window_start);
-- The ledger summed per service and window, and per pattern and hour, kept as rows are added: what the
-- console reads, so a page over 10,000 patterns reads thousands of rows rather than hundreds of thousands.
CREATE TABLE IF NOT EXISTS ledger_service_windows (
  window_start INTEGER NOT NULL,
  service TEXT NOT NULL,
  seen INTEGER NOT NULL, kept INTEGER NOT NULL, dropped INTEGER NOT NULL, boosted INTEGER NOT NULL,
  wire_bytes_seen INTEGER NOT NULL, wire_bytes_kept INTEGER NOT NULL, errors_seen INTEGER NOT NULL, errors_kept INTEGER NOT NULL,
  PRIMARY KEY (window_start, service)
);
CREATE TABLE IF NOT EXISTS ledger_pattern_hours (
  hour INTEGER NOT NULL,
  service TEXT NOT NULL,
  pattern TEXT NOT NULL,
  seen INTEGER NOT NULL, kept INTEGER NOT NULL, dropped INTEGER NOT NULL, boosted INTEGER NOT NULL,
  wire_bytes_seen INTEGER NOT NULL, wire_bytes_kept INTEGER NOT NULL, errors_seen INTEGER NOT NULL, errors_kept INTEGER NOT NULL,
  last_window INTEGER NOT NULL,
  PRIMARY KEY (hour, service, pattern)
);
CREATE TABLE IF NOT EXISTS anomalies (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  service TEXT NOT NULL,
  pattern TEXT NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER,
  observed REAL NOT NULL,
  expected REAL NOT NULL,
  score REAL NOT NULL,
  error INTEGER NOT NULL DEFAULT 0,
  detected INTEGER,
  closed INTEGER
);
-- A pattern's findings, for its console page (the table keeps every finding).
CREATE INDEX IF NOT EXISTS anomalies_by_pattern ON anomalies (service, pattern);
CREATE TABLE IF NOT EXISTS policy_versions (
  service TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  policy TEXT NOT NULL,
  author TEXT NOT NULL,
  model TEXT,
  reasoning TEXT NOT NULL,
  prompt_hash TEXT,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  replay TEXT,
  clamps TEXT NOT NULL,
  PRIMARY KEY (service, version)
);
CREATE TABLE IF NOT EXISTS policy_rejections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  service TEXT NOT NULL,
  at INTEGER NOT NULL,
  author TEXT NOT NULL,
  model TEXT,
  reason TEXT NOT NULL,
  candidate TEXT,
  replay TEXT,
  clamps TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS backfill_slices (
  job TEXT NOT NULL,
  slice_start INTEGER NOT NULL,
  slice_end INTEGER NOT NULL,
  after_us INTEGER,
  after_uuid TEXT,
  rows INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 0,
  sink_offset INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job, slice_start)
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  service TEXT NOT NULL,
  version INTEGER NOT NULL,
  hash TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_status ON webhook_deliveries (status, created_at);
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  subject TEXT NOT NULL,
  via TEXT NOT NULL,
  address TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_state (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS alert_silences (
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  exporter TEXT NOT NULL,
  records INTEGER NOT NULL,
  reason TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  payload BLOB NOT NULL
);
`;

export interface PatternRow {
  service: string;
  id: string;
  template: string;
  first_seen: number;
  last_seen: number;
  count: number;
  example: string;
  /** JSON array of the template's token-for-token forms (a <*> may stand for several words in `template`). */
  shapes: string;
}

/** An alert silence as stored: `matchers` is JSON. */
export interface SilenceRow {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
}

export interface LedgerRowData {
  window_start: number;
  service: string;
  pattern: string;
  seen: number;
  kept: number;
  dropped: number;
  bytes_seen: number;
  bytes_kept: number;
  /** Of `kept`, the records only an anomaly boost kept. */
  boosted: number;
  bytes_boosted: number;
  /**
   * The same in protobuf bytes (what a backend billing bytes ingested counts; `bytes_*` count body text):
   * seen as received, kept and boosted as sent, with the attributes logsift added.
   */
  wire_bytes_seen: number;
  wire_bytes_kept: number;
  wire_bytes_boosted: number;
  /** Records of class ERROR and above, seen and kept. */
  errors_seen: number;
  errors_kept: number;
}

const DAY_MS = 86_400_000;

/** One service's ledger over one UTC day (`day`: its first millisecond). */
export interface LedgerDayRow {
  service: string;
  day: number;
  seen: number;
  kept: number;
  boosted: number;
  wire_bytes_seen: number;
  wire_bytes_kept: number;
  wire_bytes_boosted: number;
  errors_seen: number;
  errors_kept: number;
  /** Ledger rows (pattern-windows) summed, and those with a record kept. */
  pattern_windows: number;
  pattern_windows_kept: number;
}

/** The ledger summed over one time bucket. */
export interface LedgerBucketRow {
  t: number;
  seen: number;
  kept: number;
  dropped: number;
  boosted: number;
  /** Protobuf bytes. */
  bytes_seen: number;
  bytes_kept: number;
  errors_seen: number;
  errors_kept: number;
}

export const PATTERN_SORT_KEYS = ['seen', 'bytes_seen', 'bytes_kept', 'errors_seen', 'dropped', 'last_window'] as const;
export type PatternSort = (typeof PATTERN_SORT_KEYS)[number];
const PATTERN_SORTS: Record<PatternSort, string> = {
  seen: 'g.seen',
  bytes_seen: 'g.bytes_seen',
  bytes_kept: 'g.bytes_kept',
  errors_seen: 'g.errors_seen',
  dropped: 'g.dropped',
  last_window: 'g.last_window',
};

export interface LedgerPatternQuery {
  from: number;
  to: number;
  service?: string;
  search?: string;
  sort: PatternSort;
  limit: number;
  offset: number;
}

/** A pattern's ledger over a span, with its catalog entry when there is one. */
export interface LedgerPatternSummary extends Omit<LedgerBucketRow, 't'> {
  service: string;
  pattern: string;
  /** The start of its latest window in the span. */
  last_window: number;
  template: string | null;
  first_seen: number | null;
  last_seen: number | null;
}

/** One pattern's ledger over a span, with its template when the catalog has it. */
export interface LedgerPatternRow {
  pattern: string;
  template: string | null;
  seen: number;
  kept: number;
  boosted: number;
  wire_bytes_seen: number;
  wire_bytes_kept: number;
  wire_bytes_boosted: number;
}

/** One webhook delivery: the signed event (its body exactly as sent), where it stands and how it went. */
export interface WebhookDeliveryRow {
  /** The Standard Webhooks `webhook-id`: the same on every attempt, so a receiver can drop repeats. */
  id: string;
  url: string;
  event: string;
  service: string;
  version: number;
  hash: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** One time slice of a backfill: delivered up to (after_us, after_uuid), `done` once read to its end. */
export interface BackfillSliceRow {
  slice_start: number;
  slice_end: number;
  after_us: number | null;
  after_uuid: string | null;
  rows: number;
  done: number;
  /** Where the sink stood after this slice's last delivery (a file's length), for resuming exactly. */
  sink_offset: number;
}

/** A dead letter as listed: what failed, how much, why and when (the payload stays in the store). */
export interface DeadLetterRow {
  id: number;
  exporter: string;
  records: number;
  reason: string;
  failed_at: number;
  bytes: number;
}

/** A write on the control API: who, how they proved it, from where, what they asked and how it ended. */
export interface AuditRow {
  id: number;
  at: number;
  subject: string;
  via: string;
  address: string;
  method: string;
  path: string;
  status: number;
  /** The request's JSON body, redacted and cut short ('' without one). */
  body: string;
}

export interface AnomalyRow {
  id: string;
  kind: string;
  service: string;
  pattern: string;
  start: number;
  /** When it was found; null in a store written before this was kept. */
  detected: number | null;
  end: number | null;
  /** When it was closed (after the hysteresis past `end`); null while open. */
  closed: number | null;
  observed: number;
  expected: number;
  score: number;
  /** 1: about records of ERROR and above. */
  error: number;
}

/** One accepted policy version; JSON columns (policy, replay, clamps) are stored as text. */
export interface PolicyVersionRow {
  service: string;
  version: number;
  created_at: number;
  policy: string;
  /** `user`, `rules`, `openai`, `anthropic`, `ollama`, `rollback`, `config` */
  author: string;
  model: string | null;
  reasoning: string;
  prompt_hash: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  replay: string | null;
  clamps: string;
}

export interface PolicyRejectionRow {
  service: string;
  at: number;
  author: string;
  model: string | null;
  reason: string;
  candidate: string | null;
  replay: string | null;
  clamps: string;
}

export class Store {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, number, number, number, Uint8Array], unknown>;
  readonly #remove: Database.Statement<[number], unknown>;
  readonly #payload: Database.Statement<[number], { payload: Buffer }>;
  readonly #pending: Database.Statement<[string], QueueRow>;
  readonly #deadLetter: Database.Statement<[string, number, string, number, Uint8Array], unknown>;
  readonly #deadLetterCount: Database.Statement<[string], { records: number | null }>;
  readonly #upsertPattern: Database.Statement<[PatternRow], unknown>;
  readonly #upsertAlias: Database.Statement<[string, string], unknown>;
  readonly #deleteAlias: Database.Statement<[string], unknown>;
  readonly #deleteRetiredPattern: Database.Statement<[string], unknown>;
  readonly #addLedger: Database.Statement<[LedgerRowData], unknown>;
  readonly #addServiceWindow: Database.Statement<[LedgerRowData], unknown>;
  readonly #addPatternHour: Database.Statement<[LedgerRowData], unknown>;
  readonly #upsertAnomaly: Database.Statement<[AnomalyRow], unknown>;

  constructor(file: string, sync: SyncPolicy) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${sync.toUpperCase()}`);
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#addMissingColumns();
    this.#insert = this.#db.prepare('INSERT INTO export_queue (exporter, records, bytes, enqueued_at, payload) VALUES (?, ?, ?, ?, ?)');
    this.#remove = this.#db.prepare('DELETE FROM export_queue WHERE id = ?');
    this.#payload = this.#db.prepare('SELECT payload FROM export_queue WHERE id = ?');
    this.#pending = this.#db.prepare('SELECT id, records, bytes FROM export_queue WHERE exporter = ? ORDER BY id');
    this.#deadLetter = this.#db.prepare('INSERT INTO dead_letters (exporter, records, reason, failed_at, payload) VALUES (?, ?, ?, ?, ?)');
    this.#deadLetterCount = this.#db.prepare('SELECT SUM(records) AS records FROM dead_letters WHERE exporter = ?');
    // Counts only grow: a flush after a pattern was evicted from memory must not shrink what was recorded.
    this.#upsertPattern = this.#db.prepare(`INSERT INTO patterns (service, id, template, first_seen, last_seen, count, example, shapes)
      VALUES (@service, @id, @template, @first_seen, @last_seen, @count, @example, @shapes)
      ON CONFLICT (service, id) DO UPDATE SET template = excluded.template, first_seen = MIN(first_seen, excluded.first_seen),
        last_seen = MAX(last_seen, excluded.last_seen), count = MAX(count, excluded.count), shapes = excluded.shapes`);
    // A window flushed at shutdown and continued after a restart adds up rather than overwrites.
    this.#addLedger = this.#db.prepare(`INSERT INTO sampling_ledger (window_start, service, pattern, seen, kept, dropped, bytes_seen, bytes_kept, boosted, bytes_boosted, wire_bytes_seen, wire_bytes_kept, wire_bytes_boosted, errors_seen, errors_kept)
      VALUES (@window_start, @service, @pattern, @seen, @kept, @dropped, @bytes_seen, @bytes_kept, @boosted, @bytes_boosted, @wire_bytes_seen, @wire_bytes_kept, @wire_bytes_boosted, @errors_seen, @errors_kept)
      ON CONFLICT (service, pattern, window_start) DO UPDATE SET seen = seen + excluded.seen, kept = kept + excluded.kept,
        dropped = dropped + excluded.dropped, bytes_seen = bytes_seen + excluded.bytes_seen, bytes_kept = bytes_kept + excluded.bytes_kept,
        boosted = boosted + excluded.boosted, bytes_boosted = bytes_boosted + excluded.bytes_boosted,
        wire_bytes_seen = wire_bytes_seen + excluded.wire_bytes_seen, wire_bytes_kept = wire_bytes_kept + excluded.wire_bytes_kept,
        wire_bytes_boosted = wire_bytes_boosted + excluded.wire_bytes_boosted, errors_seen = errors_seen + excluded.errors_seen, errors_kept = errors_kept + excluded.errors_kept`);
    const sums = ['seen', 'kept', 'dropped', 'boosted', 'wire_bytes_seen', 'wire_bytes_kept', 'errors_seen', 'errors_kept'];
    const added = sums.map((c) => `${c} = ${c} + excluded.${c}`).join(', ');
    this.#addServiceWindow = this.#db.prepare(`INSERT INTO ledger_service_windows (window_start, service, ${sums.join(', ')})
      VALUES (@window_start, @service, ${sums.map((c) => `@${c}`).join(', ')}) ON CONFLICT (window_start, service) DO UPDATE SET ${added}`);
    this.#addPatternHour = this.#db.prepare(`INSERT INTO ledger_pattern_hours (hour, service, pattern, ${sums.join(', ')}, last_window)
      VALUES ((CAST(@window_start AS INTEGER) / ${HOUR_MS}) * ${HOUR_MS}, @service, @pattern, ${sums.map((c) => `@${c}`).join(', ')}, @window_start)
      ON CONFLICT (hour, service, pattern) DO UPDATE SET ${added}, last_window = MAX(last_window, excluded.last_window)`);
    this.#backfillRollups(sums);
    this.#upsertAnomaly = this.#db.prepare(`INSERT INTO anomalies (id, kind, service, pattern, start, detected, end, closed, observed, expected, score, error)
      VALUES (@id, @kind, @service, @pattern, @start, @detected, @end, @closed, @observed, @expected, @score, @error)
      ON CONFLICT (id) DO UPDATE SET end = excluded.end, closed = excluded.closed, observed = excluded.observed, expected = excluded.expected, score = excluded.score`);
    this.#upsertAlias = this.#db.prepare('INSERT INTO pattern_aliases (old_id, new_id) VALUES (?, ?) ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id');
    this.#deleteAlias = this.#db.prepare('DELETE FROM pattern_aliases WHERE old_id = ?');
    this.#deleteRetiredPattern = this.#db.prepare('DELETE FROM patterns WHERE id = ?');
  }

  /** A store written before the rollups existed gets them from its ledger, once. */
  #backfillRollups(sums: string[]): void {
    const has = (table: string) => this.#db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined;
    if (!has('sampling_ledger') || has('ledger_service_windows')) return;
    const summed = sums.map((c) => `SUM(${c})`).join(', ');
    this.#db.transaction(() => {
      this.#db.exec(`INSERT INTO ledger_service_windows (window_start, service, ${sums.join(', ')}) SELECT window_start, service, ${summed} FROM sampling_ledger GROUP BY window_start, service`);
      this.#db.exec(`INSERT INTO ledger_pattern_hours (hour, service, pattern, ${sums.join(', ')}, last_window)
        SELECT (window_start / ${HOUR_MS}) * ${HOUR_MS} AS h, service, pattern, ${summed}, MAX(window_start) FROM sampling_ledger GROUP BY h, service, pattern`);
    })();
  }

  /** A store written by an older build lacks the columns added since; they are added with their defaults. */
  #addMissingColumns(): void {
    const ledgerColumns = new Set(this.#db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('sampling_ledger')").all().map((c) => c.name));
    for (const column of ['boosted', 'bytes_boosted', 'wire_bytes_seen', 'wire_bytes_kept', 'wire_bytes_boosted', 'errors_seen', 'errors_kept']) {
      if (!ledgerColumns.has(column)) this.#db.exec(`ALTER TABLE sampling_ledger ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`);
    }
    const anomalyColumns = new Set(this.#db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('anomalies')").all().map((c) => c.name));
    if (!anomalyColumns.has('error')) this.#db.exec('ALTER TABLE anomalies ADD COLUMN error INTEGER NOT NULL DEFAULT 0');
    for (const column of ['detected', 'closed']) if (!anomalyColumns.has(column)) this.#db.exec(`ALTER TABLE anomalies ADD COLUMN ${column} INTEGER`);
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

  /** Queue rows delivered together (one batch sent from several queued ones): one transaction, one sync. */
  removeMany(ids: readonly number[]): void {
    if (ids.length === 1) this.#remove.run(ids[0]!);
    else if (ids.length > 1) this.#db.transaction(() => ids.forEach((id) => this.#remove.run(id)))();
  }

  /** Moves what the backend will never take out of the queue (the rows it was sent from), keeping it for inspection. */
  deadLetter(exporter: string, records: number, reason: string, payload: Uint8Array, queueIds: readonly number[] = []): void {
    this.#db.transaction(() => {
      this.#deadLetter.run(exporter, records, reason, Date.now(), payload);
      for (const id of queueIds) this.#remove.run(id);
    })();
  }

  /** Dead letters, oldest first, without their payloads; only one exporter's with `exporter`. */
  deadLetters(exporter?: string): DeadLetterRow[] {
    const sql = 'SELECT id, exporter, records, reason, failed_at, length(payload) AS bytes FROM dead_letters';
    return exporter === undefined
      ? this.#db.prepare<[], DeadLetterRow>(`${sql} ORDER BY id`).all()
      : this.#db.prepare<[string], DeadLetterRow>(`${sql} WHERE exporter = ? ORDER BY id`).all(exporter);
  }

  /**
   * Puts dead letters back in their exporter's queue (the daemon sends them when it next starts), each moved
   * in one transaction with its removal from the dead letters. Returns the rows moved.
   */
  requeueDeadLetters(ids: readonly number[]): DeadLetterRow[] {
    return this.#db.transaction(() => {
      const moved: DeadLetterRow[] = [];
      const row = this.#db.prepare<[number], DeadLetterRow & { payload: Buffer }>('SELECT id, exporter, records, reason, failed_at, length(payload) AS bytes, payload FROM dead_letters WHERE id = ?');
      const remove = this.#db.prepare('DELETE FROM dead_letters WHERE id = ?');
      for (const id of ids) {
        const found = row.get(id);
        if (!found) continue;
        this.enqueue(found.exporter, found.records, found.payload);
        remove.run(id);
        const { payload: _payload, ...listed } = found;
        moved.push(listed);
      }
      return moved;
    })();
  }

  /** Deletes dead letters for good; returns how many rows went. */
  purgeDeadLetters(ids: readonly number[]): number {
    return this.#db.transaction(() => {
      const remove = this.#db.prepare('DELETE FROM dead_letters WHERE id = ?');
      return ids.reduce((n, id) => n + remove.run(id).changes, 0);
    })();
  }

  deadLetteredRecords(exporter: string): number {
    return this.#deadLetterCount.get(exporter)?.records ?? 0;
  }

  /** Writes the pattern catalog and the id aliases in one transaction. */
  savePatterns(rows: readonly PatternRow[], aliases: ReadonlyArray<[string, string]>): void {
    this.#db.transaction(() => {
      for (const row of rows) this.#upsertPattern.run(row);
      for (const [from, to] of aliases) this.#upsertAlias.run(from, to);
      // A standing id is never an alias (what the miner keeps acyclic stays acyclic here), and a retired id
      // is no longer a pattern: its records were counted into the one it became.
      for (const row of rows) this.#deleteAlias.run(row.id);
      for (const [from, to] of aliases) {
        this.#deleteAlias.run(to);
        this.#deleteRetiredPattern.run(from);
      }
    })();
  }

  addLedger(rows: readonly LedgerRowData[]): void {
    this.#db.transaction(() => {
      for (const row of rows) {
        this.#addLedger.run(row);
        this.#addServiceWindow.run(row);
        this.#addPatternHour.run(row);
      }
    })();
  }

  saveAnomaly(row: AnomalyRow): void {
    this.#upsertAnomaly.run(row);
  }

  anomalies(): AnomalyRow[] {
    return this.#db.prepare<[], AnomalyRow>('SELECT id, kind, service, pattern, start, detected, end, closed, observed, expected, score, error FROM anomalies ORDER BY start, id').all();
  }

  /** A pattern's findings that were open at or after `since`, oldest first. */
  anomaliesOf(service: string, pattern: string, since: number): AnomalyRow[] {
    return this.#db
      .prepare<[string, string, number], AnomalyRow>('SELECT id, kind, service, pattern, start, detected, end, closed, observed, expected, score, error FROM anomalies WHERE service = ? AND pattern = ? AND (end IS NULL OR end >= ?) ORDER BY start, id')
      .all(service, pattern, since);
  }

  /** One catalogued pattern. */
  pattern(service: string, id: string): PatternRow | undefined {
    return this.#db.prepare<[string, string], PatternRow>('SELECT service, id, template, first_seen, last_seen, count, example, shapes FROM patterns WHERE service = ? AND id = ?').get(service, id);
  }

  /**
   * The ledger summed per `bucketMs` over windows starting in [from, to), all services (or one, or one
   * pattern). Without a pattern it reads the per-service rollup; `bytes_*` are protobuf bytes (wire).
   */
  ledgerBuckets(from: number, to: number, bucketMs: number, only: { service?: string; pattern?: string } = {}): LedgerBucketRow[] {
    const args: Array<string | number> = [from, to];
    if (only.service !== undefined) args.push(only.service);
    if (only.pattern !== undefined) args.push(only.pattern);
    const table = only.pattern === undefined ? 'ledger_service_windows' : 'sampling_ledger';
    const where = [only.service === undefined ? '' : 'AND service = ?', only.pattern === undefined ? '' : 'AND pattern = ?'].join(' ');
    return this.#db
      .prepare<unknown[], LedgerBucketRow>(
        `SELECT (window_start / ${bucketMs}) * ${bucketMs} AS t, SUM(seen) AS seen, SUM(kept) AS kept, SUM(dropped) AS dropped, SUM(boosted) AS boosted,
          SUM(wire_bytes_seen) AS bytes_seen, SUM(wire_bytes_kept) AS bytes_kept, SUM(errors_seen) AS errors_seen, SUM(errors_kept) AS errors_kept
        FROM ${table} WHERE window_start >= ? AND window_start < ? ${where} GROUP BY t ORDER BY t`,
      )
      .all(...args);
  }

  /**
   * Patterns with ledger windows in the hours starting in [from, to) (whole hours: the per-pattern rollup),
   * summed, with their catalog entries: a page of them in `sort` order (descending), those whose template or
   * id contains `search` (case-insensitive), and how many matched.
   */
  ledgerPatternPage(query: LedgerPatternQuery): { total: number; rows: LedgerPatternSummary[] } {
    const args: Array<string | number> = [query.from, query.to];
    if (query.service !== undefined) args.push(query.service);
    const grouped = `SELECT l.service AS service, l.pattern AS pattern, SUM(l.seen) AS seen, SUM(l.kept) AS kept, SUM(l.dropped) AS dropped, SUM(l.boosted) AS boosted,
        SUM(l.wire_bytes_seen) AS bytes_seen, SUM(l.wire_bytes_kept) AS bytes_kept, SUM(l.errors_seen) AS errors_seen, SUM(l.errors_kept) AS errors_kept, MAX(l.last_window) AS last_window
      FROM ledger_pattern_hours l WHERE l.hour >= ? AND l.hour < ? ${query.service === undefined ? '' : 'AND l.service = ?'} GROUP BY l.service, l.pattern`;
    const search = query.search === undefined || query.search === '' ? '' : "WHERE instr(lower(coalesce(p.template, '')), lower(?)) > 0 OR instr(lower(g.pattern), lower(?)) > 0";
    if (search) args.push(query.search!, query.search!);
    const joined = `FROM (${grouped}) g LEFT JOIN patterns p ON p.service = g.service AND p.id = g.pattern ${search}`;
    // One pass: the count of every match rides along with the page (a window function, before LIMIT).
    const rows = this.#db
      .prepare<unknown[], LedgerPatternSummary & { total: number }>(
        `SELECT g.*, p.template AS template, p.first_seen AS first_seen, p.last_seen AS last_seen, COUNT(*) OVER () AS total ${joined}
        ORDER BY ${PATTERN_SORTS[query.sort]} DESC, g.service, g.pattern LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset);
    const total = rows[0]?.total ?? (query.offset === 0 ? 0 : this.#db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n ${joined}`).get(...args)!.n);
    return { total, rows: rows.map(({ total: _total, ...row }) => row) };
  }

  /** Per pattern of `keys` (service, pattern): seen per `bucketMs` over windows in [from, to). */
  ledgerPatternBuckets(keys: ReadonlyArray<{ service: string; pattern: string }>, from: number, to: number, bucketMs: number): Array<{ service: string; pattern: string; t: number; seen: number }> {
    if (keys.length === 0) return [];
    return this.#db
      .prepare<unknown[], { service: string; pattern: string; t: number; seen: number }>(
        `SELECT l.service AS service, l.pattern AS pattern, (l.window_start / ${bucketMs}) * ${bucketMs} AS t, SUM(l.seen) AS seen
        FROM sampling_ledger l JOIN (SELECT json_extract(value, '$[0]') AS service, json_extract(value, '$[1]') AS pattern FROM json_each(?)) k
          ON l.service = k.service AND l.pattern = k.pattern
        WHERE l.window_start >= ? AND l.window_start < ? GROUP BY l.service, l.pattern, t`,
      )
      .all(JSON.stringify(keys.map((k) => [k.service, k.pattern])), from, to);
  }

  /** The ledger summed per UTC day (and service) over windows starting in [from, to): what insights bill. */
  ledgerDays(from: number, to: number, service?: string): LedgerDayRow[] {
    const sql = `SELECT service, (window_start / ${DAY_MS}) * ${DAY_MS} AS day, SUM(seen) AS seen, SUM(kept) AS kept, SUM(boosted) AS boosted,
      SUM(wire_bytes_seen) AS wire_bytes_seen, SUM(wire_bytes_kept) AS wire_bytes_kept, SUM(wire_bytes_boosted) AS wire_bytes_boosted,
      SUM(errors_seen) AS errors_seen, SUM(errors_kept) AS errors_kept, COUNT(*) AS pattern_windows, SUM(kept > 0) AS pattern_windows_kept
      FROM sampling_ledger WHERE window_start >= ? AND window_start < ? ${service === undefined ? '' : 'AND service = ?'} GROUP BY service, day ORDER BY day, service`;
    const args = service === undefined ? [from, to] : [from, to, service];
    return this.#db.prepare<unknown[], LedgerDayRow>(sql).all(...args);
  }

  /** A service's patterns by protobuf bytes seen over windows in [from, to), the largest `limit`, with their templates. */
  ledgerTopPatterns(service: string, from: number, to: number, limit: number): LedgerPatternRow[] {
    return this.#db
      .prepare<[string, number, number, number], LedgerPatternRow>(
        `SELECT l.pattern AS pattern, p.template AS template, SUM(l.seen) AS seen, SUM(l.kept) AS kept, SUM(l.boosted) AS boosted,
          SUM(l.wire_bytes_seen) AS wire_bytes_seen, SUM(l.wire_bytes_kept) AS wire_bytes_kept, SUM(l.wire_bytes_boosted) AS wire_bytes_boosted
        FROM sampling_ledger l LEFT JOIN patterns p ON p.service = l.service AND p.id = l.pattern
        WHERE l.service = ? AND l.window_start >= ? AND l.window_start < ? GROUP BY l.pattern ORDER BY SUM(l.wire_bytes_seen) DESC, l.pattern LIMIT ?`,
      )
      .all(service, from, to, limit);
  }

  /**
   * A new webhook delivery, pending. Settled deliveries older than `keepSettledSince` leave the log here, so
   * it holds recent history only, however long the daemon runs.
   */
  addWebhookDelivery(row: WebhookDeliveryRow, keepSettledSince: number): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO webhook_deliveries (id, url, event, service, version, hash, body, status, attempts, last_status, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.id, row.url, row.event, row.service, row.version, row.hash, row.body, row.status, row.attempts, row.last_status, row.last_error, row.created_at, row.updated_at);
      this.#db.prepare("DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?").run(keepSettledSince);
    })();
  }

  /** An alert silence, new or ended early (replaced whole); silences ended before `forgetBefore` are deleted. */
  saveSilence(row: SilenceRow, forgetBefore: number): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ends_at = excluded.ends_at')
        .run(row.id, row.matchers, row.starts_at, row.ends_at, row.created_by, row.comment);
      this.#db.prepare('DELETE FROM alert_silences WHERE ends_at < ?').run(forgetBefore);
    })();
  }

  /** Appends one audit row; past `keep` rows the oldest go (retention, not an API: nothing deletes one on request). */
  appendAudit(row: Omit<AuditRow, 'id'>, keep: number): void {
    const { lastInsertRowid } = this.#db.prepare('INSERT INTO audit_log (at, subject, via, address, method, path, status, body) VALUES (@at, @subject, @via, @address, @method, @path, @status, @body)').run(row);
    const id = Number(lastInsertRowid);
    if (id % 1000 === 0) this.#db.prepare('DELETE FROM audit_log WHERE id <= ?').run(id - keep);
  }

  /** Audit rows, newest first. */
  auditRows(filter: { since?: number; subject?: string; limit: number }): AuditRow[] {
    return this.#db
      .prepare<[number, string | null, string | null, number], AuditRow>('SELECT id, at, subject, via, address, method, path, status, body FROM audit_log WHERE at >= ? AND (? IS NULL OR subject = ?) ORDER BY id DESC LIMIT ?')
      .all(filter.since ?? 0, filter.subject ?? null, filter.subject ?? null, filter.limit);
  }

  /** Replaces every row of `kind` (the alerts extension's open and recent alerts) with these, in one commit. */
  replaceAlertState(kind: string, rows: ReadonlyArray<{ key: string; json: string }>): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM alert_state WHERE kind = ?').run(kind);
      const insert = this.#db.prepare('INSERT INTO alert_state (kind, key, json) VALUES (?, ?, ?)');
      for (const row of rows) insert.run(kind, row.key, row.json);
    })();
  }

  /** One row of alert state: saved (`json`), or removed (null). */
  saveAlertState(kind: string, key: string, json: string | null): void {
    if (json === null) this.#db.prepare('DELETE FROM alert_state WHERE kind = ? AND key = ?').run(kind, key);
    else this.#db.prepare('INSERT INTO alert_state (kind, key, json) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET json = excluded.json').run(kind, key, json);
  }

  alertState(kind: string): Array<{ key: string; json: string }> {
    return this.#db.prepare<[string], { key: string; json: string }>('SELECT key, json FROM alert_state WHERE kind = ? ORDER BY rowid').all(kind);
  }

  silences(): SilenceRow[] {
    return this.#db.prepare<[], SilenceRow>('SELECT id, matchers, starts_at, ends_at, created_by, comment FROM alert_silences ORDER BY starts_at').all();
  }

  /** After an attempt: where the delivery stands now. */
  updateWebhookDelivery(id: string, change: Pick<WebhookDeliveryRow, 'status' | 'attempts' | 'last_status' | 'last_error' | 'updated_at'>): void {
    this.#db
      .prepare('UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, updated_at = ? WHERE id = ?')
      .run(change.status, change.attempts, change.last_status, change.last_error, change.updated_at, id);
  }

  /** The delivery log, newest first; `pending` ones (to resume at start) when asked by status. */
  webhookDeliveries(filter: { status?: WebhookDeliveryRow['status']; service?: string; limit: number }): WebhookDeliveryRow[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.status) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.service) {
      where.push('service = ?');
      args.push(filter.service);
    }
    const sql = `SELECT * FROM webhook_deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return this.#db.prepare<Array<string | number>, WebhookDeliveryRow>(sql).all(...args, filter.limit);
  }

  /** A backfill's slices as checkpointed (receivers/posthog/backfill.ts). */
  backfillSlices(job: string): BackfillSliceRow[] {
    return this.#db.prepare<[string], BackfillSliceRow>('SELECT slice_start, slice_end, after_us, after_uuid, rows, done, sink_offset FROM backfill_slices WHERE job = ? ORDER BY slice_start').all(job);
  }

  /** Records a slice's progress (created on first sight): what was delivered up to, and the sink's offset then. */
  saveBackfillSlice(job: string, row: BackfillSliceRow): void {
    this.#db
      .prepare(`INSERT INTO backfill_slices (job, slice_start, slice_end, after_us, after_uuid, rows, done, sink_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (job, slice_start) DO UPDATE SET slice_end = excluded.slice_end, after_us = excluded.after_us, after_uuid = excluded.after_uuid,
          rows = excluded.rows, done = excluded.done, sink_offset = excluded.sink_offset`)
      .run(job, row.slice_start, row.slice_end, row.after_us, row.after_uuid, row.rows, row.done, row.sink_offset);
  }

  /** Ledger rows (of one service, or all), of windows starting in [from, to) — the whole ledger by default. */
  ledger(service?: string, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER): LedgerRowData[] {
    const sql = 'SELECT window_start, service, pattern, seen, kept, dropped, bytes_seen, bytes_kept, boosted, bytes_boosted, wire_bytes_seen, wire_bytes_kept, wire_bytes_boosted, errors_seen, errors_kept FROM sampling_ledger WHERE window_start >= ? AND window_start < ?';
    return service === undefined
      ? this.#db.prepare<[number, number], LedgerRowData>(`${sql} ORDER BY window_start, service, pattern`).all(from, to)
      : this.#db.prepare<[number, number, string], LedgerRowData>(`${sql} AND service = ? ORDER BY window_start, pattern`).all(from, to, service);
  }

  /** The templates of some of a service's patterns (those catalogued). */
  patternTemplates(service: string, ids: readonly string[]): Map<string, string> {
    const rows = this.#db.prepare<[string, string], { id: string; template: string }>('SELECT id, template FROM patterns WHERE service = ? AND id IN (SELECT value FROM json_each(?))').all(service, JSON.stringify(ids));
    return new Map(rows.map((r) => [r.id, r.template]));
  }

  patterns(service?: string): PatternRow[] {
    const sql = 'SELECT service, id, template, first_seen, last_seen, count, example, shapes FROM patterns';
    return service === undefined
      ? this.#db.prepare<[], PatternRow>(`${sql} ORDER BY service, count DESC`).all()
      : this.#db.prepare<[string], PatternRow>(`${sql} WHERE service = ? ORDER BY count DESC`).all(service);
  }

  /** old id → the id it became (following chains), for joining history across generalisations. */
  patternAliases(): Map<string, string> {
    const direct = new Map(this.#db.prepare<[], { old_id: string; new_id: string }>('SELECT old_id, new_id FROM pattern_aliases').all().map((r) => [r.old_id, r.new_id]));
    const resolved = new Map<string, string>();
    for (const from of direct.keys()) {
      let to = direct.get(from)!;
      for (let hops = 0; direct.has(to) && hops < 64; hops++) to = direct.get(to)!;
      resolved.set(from, to);
    }
    return resolved;
  }

  addPolicyVersion(row: PolicyVersionRow): void {
    this.#db
      .prepare(`INSERT INTO policy_versions (service, version, created_at, policy, author, model, reasoning, prompt_hash, tokens_in, tokens_out, cost_usd, replay, clamps)
        VALUES (@service, @version, @created_at, @policy, @author, @model, @reasoning, @prompt_hash, @tokens_in, @tokens_out, @cost_usd, @replay, @clamps)`)
      .run(row);
  }

  /** Oldest first; `service` undefined: every service's. */
  policyVersions(service?: string): PolicyVersionRow[] {
    const sql = 'SELECT * FROM policy_versions';
    return service === undefined
      ? this.#db.prepare<[], PolicyVersionRow>(`${sql} ORDER BY service, version`).all()
      : this.#db.prepare<[string], PolicyVersionRow>(`${sql} WHERE service = ? ORDER BY version`).all(service);
  }

  addPolicyRejection(row: PolicyRejectionRow): void {
    this.#db
      .prepare(`INSERT INTO policy_rejections (service, at, author, model, reason, candidate, replay, clamps)
        VALUES (@service, @at, @author, @model, @reason, @candidate, @replay, @clamps)`)
      .run(row);
  }

  policyRejections(service: string): PolicyRejectionRow[] {
    return this.#db.prepare<[string], PolicyRejectionRow>('SELECT service, at, author, model, reason, candidate, replay, clamps FROM policy_rejections WHERE service = ? ORDER BY id').all(service);
  }

  /** SQLite's synchronous level on this connection: 0 off, 1 normal, 2 full. */
  syncLevel(): number {
    return Number(this.#db.pragma('synchronous', { simple: true }));
  }

  /**
   * Whether this connection checkpoints the write-ahead log at SQLite's default (1000 pages, 4 MB), or leaves
   * the work to another connection (wal_checkpointer.ts) and checkpoints only past 64 MB. It must still do so
   * then: the log restarts from its beginning only when a writer finds it wholly copied, which a continuous
   * writer never does on another connection's checkpoints — by then most of it is, so this one is short.
   */
  checkpointsItself(fully: boolean): void {
    this.#db.pragma(`wal_autocheckpoint = ${fully ? 1000 : 16_000}`);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
