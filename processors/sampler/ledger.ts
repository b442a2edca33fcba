// The exact ledger: per window and (service, pattern), records seen, kept and dropped and their bytes.
// Entries are per pattern and roll when a record of a later window arrives; the closed rows go to the store.
// The entry of the window in progress is also what "the first K records of every pattern in every window"
// reads, and its EWMA of records per window is what dynamic mode shares the budget by.
import type { LedgerRowData } from '../../store/store.js';

/** One window of one pattern: the row shape the store keeps. */
export type LedgerRow = LedgerRowData;

export interface LedgerEntry {
  readonly service: string;
  readonly pattern: string;
  windowStart: number;
  seen: number;
  kept: number;
  bytesSeen: number;
  bytesKept: number;
  /** EWMA of `seen` over completed windows. */
  rate: number;
}

const RATE_ALPHA = 0.5;

export class Ledger {
  // service → pattern → entry: the per-record lookup builds no key string.
  readonly #entries = new Map<string, Map<string, LedgerEntry>>();
  readonly #closed: LedgerRow[] = [];

  constructor(private readonly windowMs: number) {}

  windowStart(time: number): number {
    return Math.floor(time / this.windowMs) * this.windowMs;
  }

  /** The entry for the pattern's window containing `time` (closing the previous one if it ended). */
  entry(service: string, pattern: string, time: number): LedgerEntry {
    const start = this.windowStart(time);
    let byPattern = this.#entries.get(service);
    if (!byPattern) this.#entries.set(service, (byPattern = new Map()));
    let entry = byPattern.get(pattern);
    if (!entry) {
      entry = { service, pattern, windowStart: start, seen: 0, kept: 0, bytesSeen: 0, bytesKept: 0, rate: 0 };
      byPattern.set(pattern, entry);
    } else if (start > entry.windowStart) {
      const windows = Math.round((start - entry.windowStart) / this.windowMs);
      this.#close(entry);
      // Windows with nothing in them pull the rate down too.
      entry.rate = (entry.rate === 0 ? entry.seen : entry.rate + RATE_ALPHA * (entry.seen - entry.rate)) * (1 - RATE_ALPHA) ** (windows - 1);
      entry.windowStart = start;
      entry.seen = entry.kept = entry.bytesSeen = entry.bytesKept = 0;
    }
    return entry;
  }

  note(entry: LedgerEntry, bytes: number, kept: boolean): void {
    entry.seen += 1;
    entry.bytesSeen += bytes;
    if (kept) {
      entry.kept += 1;
      entry.bytesKept += bytes;
    }
  }

  #close(entry: LedgerEntry): void {
    if (entry.seen === 0) return;
    this.#closed.push({
      window_start: entry.windowStart,
      service: entry.service,
      pattern: entry.pattern,
      seen: entry.seen,
      kept: entry.kept,
      dropped: entry.seen - entry.kept,
      bytes_seen: entry.bytesSeen,
      bytes_kept: entry.bytesKept,
    });
  }

  /** Rows of completed windows since the last call; with `all`, the windows in progress too (then reset). */
  drain(all = false): LedgerRow[] {
    if (all) {
      for (const entry of this.#all()) {
        this.#close(entry);
        entry.seen = entry.kept = entry.bytesSeen = entry.bytesKept = 0;
      }
    }
    return this.#closed.splice(0);
  }

  /** Per-pattern records-per-window estimates for one service (the window in progress counts if larger). */
  rates(service: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const entry of this.#entries.get(service)?.values() ?? []) out.set(entry.pattern, Math.max(entry.rate, entry.seen));
    return out;
  }

  *#all(): IterableIterator<LedgerEntry> {
    for (const byPattern of this.#entries.values()) yield* byPattern.values();
  }
}
