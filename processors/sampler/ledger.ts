// The exact ledger: per window and (service, pattern), records seen, kept and dropped and their bytes, and of
// the kept ones those only an anomaly boost kept (what the boost cost, beside what the policy cost).
// Entries are per pattern and roll when a record of a later window arrives; the closed rows go to the store.
// The entry of the window in progress is also what "the first K records of every pattern in every window"
// reads, and its EWMAs of records, bytes and always-kept records per window are what dynamic mode shares the
// budget by. Each entry also holds, per severity class, the dropped records no kept record stands for yet:
// the next kept record of that pattern and class carries them in `logsift.sample_count`; and the records seen
// per class, which a sidecar reports to its gateway (fleet/stats_reporter.ts) so the gateway can replay them.
import { SEVERITY_CLASSES } from '../../policy/severity.js';
import type { LedgerWindowRow } from '../../policy/traffic_tape.js';

/** One window of one pattern: the row shape the store keeps, and the records seen per severity class (not stored). */
export type LedgerRow = LedgerWindowRow;

const ERROR_INDEX = SEVERITY_CLASSES.indexOf('ERROR');

export interface LedgerEntry {
  readonly service: string;
  readonly pattern: string;
  windowStart: number;
  /** When this window's counting began: its start, or the pattern's first record if that came later. */
  since: number;
  /** The time of the pattern's latest record: the stalest go first when a service holds too many. */
  last: number;
  seen: number;
  kept: number;
  bytesSeen: number;
  bytesKept: number;
  /** Of the kept records, those kept by an anomaly boost (the policy alone would have dropped them). */
  boosted: number;
  bytesBoosted: number;
  /** In protobuf bytes: seen as received, kept and boosted as sent (what a backend bills by). */
  wireSeen: number;
  wireKept: number;
  wireBoosted: number;
  /** Records of class ERROR and above: seen, and kept (all of them, unless keep_at_or_above is set higher). */
  errorsSeen: number;
  errorsKept: number;
  /** Records kept whatever the budget says (severity, keep rule, first K) in this window. */
  forced: number;
  /** EWMAs over completed windows of `seen` and `bytesSeen` (less what a boost kept) and of `forced`. */
  rate: number;
  bytesRate: number;
  forcedRate: number;
  /** Per severity class (index in SEVERITY_CLASSES): dropped records not yet carried by a kept record. */
  readonly pending: number[];
  /** Per severity class: records seen in this window. */
  seenByClass: number[];
}

/** A pattern's recent load, per window: what dynamic mode shares the budget by. */
export interface PatternRates {
  records: number;
  bytes: number;
  /** Records kept whatever the budget says. */
  forced: number;
}

const RATE_ALPHA = 0.5;
/**
 * Windows a pattern may stay silent before its entry is forgotten: its rates are then below 1/500 of what they
 * were (halved each empty window), too small to move a budget share. Without forgetting, the entries, and
 * every pass over them (closing windows, sharing the budget), would grow with every pattern ever seen.
 */
export const IDLE_WINDOWS = 10;
/**
 * Patterns one service's ledger holds at most. A flood of new patterns (a body with an unmasked id in it)
 * outruns forgetting by silence; past this, the stalest tenth are closed — their rows out, so every record is
 * still counted — and forgotten.
 */
export const MAX_ENTRIES_PER_SERVICE = 50_000;

function reset(entry: LedgerEntry): void {
  entry.seen = entry.kept = entry.bytesSeen = entry.bytesKept = entry.boosted = entry.bytesBoosted = entry.forced = 0;
  entry.wireSeen = entry.wireKept = entry.wireBoosted = entry.errorsSeen = entry.errorsKept = 0;
  // A fresh array: the closed row took the old one.
  entry.seenByClass = [0, 0, 0, 0, 0, 0, 0];
}

export class Ledger {
  // service → pattern → entry: the per-record lookup builds no key string.
  readonly #entries = new Map<string, Map<string, LedgerEntry>>();
  readonly #closed: LedgerRow[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = MAX_ENTRIES_PER_SERVICE,
  ) {}

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
      if (byPattern.size >= this.maxEntries) this.#shed(byPattern);
      entry = { service, pattern, windowStart: start, since: time, last: time, seen: 0, kept: 0, bytesSeen: 0, bytesKept: 0, boosted: 0, bytesBoosted: 0, wireSeen: 0, wireKept: 0, wireBoosted: 0, errorsSeen: 0, errorsKept: 0, forced: 0, rate: 0, bytesRate: 0, forcedRate: 0, pending: [0, 0, 0, 0, 0, 0, 0], seenByClass: [0, 0, 0, 0, 0, 0, 0] };
      byPattern.set(pattern, entry);
    } else if (start > entry.windowStart) {
      const windows = Math.round((start - entry.windowStart) / this.windowMs);
      this.#close(entry);
      // Windows with nothing in them pull the rates down too.
      const decay = (1 - RATE_ALPHA) ** (windows - 1);
      const first = entry.rate === 0;
      const smooth = (rate: number, value: number) => (first ? value : rate + RATE_ALPHA * (value - rate)) * decay;
      // What a boost kept is the anomaly's excess, paid from the boost budget: counted in the load, a spike's
      // excess raised the next windows' budget and the other patterns kept more for it.
      entry.rate = smooth(entry.rate, entry.seen - entry.boosted);
      entry.bytesRate = smooth(entry.bytesRate, entry.bytesSeen - entry.bytesBoosted);
      entry.forcedRate = smooth(entry.forcedRate, entry.forced);
      entry.windowStart = start;
      entry.since = start;
      reset(entry);
    }
    if (time > entry.last) entry.last = time;
    return entry;
  }

  /** A record judged: `bytes` its body text, `wire` its size in protobuf as received, `classIndex` its severity class's index. */
  note(entry: LedgerEntry, bytes: number, wire: number, kept: boolean, forced: boolean, boosted: boolean, classIndex: number): void {
    const error = classIndex >= ERROR_INDEX;
    entry.seen += 1;
    entry.seenByClass[classIndex]! += 1;
    entry.bytesSeen += bytes;
    entry.wireSeen += wire;
    if (forced) entry.forced += 1;
    if (error) entry.errorsSeen += 1;
    if (kept) {
      entry.kept += 1;
      if (error) entry.errorsKept += 1;
      entry.bytesKept += bytes;
      if (boosted) {
        entry.boosted += 1;
        entry.bytesBoosted += bytes;
      }
    }
  }

  /** A kept record's size as sent (its attributes set): what keeping it costs at a backend. */
  noteSent(entry: LedgerEntry, wire: number, boosted: boolean): void {
    entry.wireKept += wire;
    if (boosted) entry.wireBoosted += wire;
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
      boosted: entry.boosted,
      bytes_boosted: entry.bytesBoosted,
      wire_bytes_seen: entry.wireSeen,
      wire_bytes_kept: entry.wireKept,
      wire_bytes_boosted: entry.wireBoosted,
      errors_seen: entry.errorsSeen,
      errors_kept: entry.errorsKept,
      seen_by_class: entry.seenByClass,
    });
  }

  /**
   * Closes the windows that ended by `time` whose pattern has not been seen since (a pattern closes its window
   * when its next record comes, which for a pattern that went quiet may be never): its row is then saved when
   * its window ends, not at shutdown. Rolling it forward now is what its next record would do (the rates
   * decay the same whether the empty windows are counted now or then).
   */
  closeEnded(time: number): void {
    const current = this.windowStart(time);
    for (const entry of this.#all()) if (entry.windowStart < current && entry.seen > 0) this.entry(entry.service, entry.pattern, time);
  }

  /**
   * Forgets the patterns silent for IDLE_WINDOWS windows by `time` (after closeEnded has rolled them, so their
   * rows are out). Drops no kept record has carried yet go with them: `sample_count` on a later record of the
   * pattern starts afresh, while the ledger's rows still count every record.
   */
  forgetIdle(time: number): void {
    const horizon = this.windowStart(time) - IDLE_WINDOWS * this.windowMs;
    for (const [service, byPattern] of this.#entries) {
      for (const [pattern, entry] of byPattern) if (entry.seen === 0 && entry.windowStart <= horizon) byPattern.delete(pattern);
      if (byPattern.size === 0) this.#entries.delete(service);
    }
  }

  /** Closes and forgets the stalest tenth of a service's entries (latest record first, then first seen). */
  #shed(byPattern: Map<string, LedgerEntry>): void {
    const stalest = [...byPattern.values()].sort((a, b) => a.last - b.last);
    for (const entry of stalest.slice(0, byPattern.size - Math.floor(this.maxEntries * 0.9))) {
      this.#close(entry);
      byPattern.delete(entry.pattern);
    }
  }

  /** Rows of completed windows since the last call; with `all`, the windows in progress too (then reset). */
  drain(all = false): LedgerRow[] {
    if (all) {
      for (const entry of this.#all()) {
        this.#close(entry);
        reset(entry);
      }
    }
    return this.#closed.splice(0);
  }

  /**
   * Per-pattern load estimates for one service, per window: the EWMA (or the window in progress where it is
   * larger). A pattern with no completed window yet has only the window in progress, projected to a whole
   * window from `now` — at least `minimumSpanMs` of it assumed, so one early record does not project to a
   * flood. Its always-kept records are not projected: the first K of a window come at its start.
   */
  rates(service: string, now: number, minimumSpanMs: number): Map<string, PatternRates> {
    const out = new Map<string, PatternRates>();
    for (const entry of this.#entries.get(service)?.values() ?? []) {
      const scale = entry.rate > 0 ? 1 : this.windowMs / Math.min(this.windowMs, Math.max(minimumSpanMs, now - entry.since));
      out.set(entry.pattern, {
        records: Math.max(entry.rate, entry.seen * scale),
        bytes: Math.max(entry.bytesRate, entry.bytesSeen * scale),
        forced: Math.max(entry.forcedRate, entry.forced),
      });
    }
    return out;
  }

  services(): IterableIterator<string> {
    return this.#entries.keys();
  }

  *#all(): IterableIterator<LedgerEntry> {
    for (const byPattern of this.#entries.values()) yield* byPattern.values();
  }
}
