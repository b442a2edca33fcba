// A sidecar tells its gateway what it sampled, so the gateway's tuner decides on the whole fleet's traffic:
// every completed window of the sampler's ledger (per pattern: seen, kept, boosted, bytes, records per
// severity class) goes to `POST /api/v1/patterns/stats` every `interval`, with the templates of patterns the
// gateway has not been sent yet (and those it says it lacks). While the gateway is away the windows wait in a
// bounded backlog (the oldest dropped past it, counted) and the batch that got no answer is sent again with
// its id, so the gateway counts it once. Each answer carries this replica's share of every service's budget.
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { sleep, type Clock } from '../../pipeline/clock.js';
import type { Logger } from '../../pipeline/logger.js';
import { SEVERITY_CLASSES } from '../../policy/severity.js';
import type { LedgerWindowRow, SamplerTraffic } from '../../policy/traffic_tape.js';
import { MAX_ROWS_PER_REPORT, MAX_TEMPLATES_PER_REPORT, PATTERN_STATS_PATH, type PatternTemplate, type PatternWindow, type ServiceShare, type StatsAnswer, type StatsReport } from '../stats/stats_report.js';

export interface ReporterDeps {
  endpoint: string;
  /** Sent with every request to the gateway (its token). */
  headers: Readonly<Record<string, string>>;
  instance: string;
  intervalMs: number;
  /** Windows held while the gateway is away, at most. */
  maxBacklog: number;
  clock: Clock;
  logger: Logger;
  /** The sampler's traffic port (undefined until the pipeline's sampler exists). */
  traffic(): SamplerTraffic | undefined;
  /** The catalogued templates of some of a service's patterns. */
  templates(service: string, ids: string[]): Map<string, string>;
  /** The gateway's answer: this replica's share of each service's budgets. */
  shares(shares: Record<string, ServiceShare>): void;
  counted(outcome: 'sent' | 'dropped' | 'refused', rows: number): void;
}

export interface ReporterState {
  /** Windows waiting to be sent. */
  backlog: number;
  sent: number;
  dropped: number;
  connected: boolean;
  last_error: string | null;
}

const REQUEST_TIMEOUT_MS = 15_000;
const TEMPLATES_REMEMBERED = 100_000;
const TEMPLATES_WANTED = 10_000;

type Batch = { report: StatsReport; templateKeys: string[] };

export class StatsReporter {
  #backlog: PatternWindow[] = [];
  /** The batch sent last without an answer: sent again as it is. */
  #pending: Batch | undefined;
  readonly #sentTemplates = new LRUCache<string, true>({ max: TEMPLATES_REMEMBERED });
  /** Templates to send: the gateway asked, or the catalog did not have them yet. */
  readonly #wanted = new Set<string>();
  #unsubscribe: (() => void) | undefined;
  #sent = 0;
  #dropped = 0;
  #connected = false;
  #lastError: string | null = null;
  #windowSeconds = 0;

  constructor(private readonly deps: ReporterDeps) {}

  state(): ReporterState {
    return { backlog: this.#backlog.length + (this.#pending?.report.rows.length ?? 0), sent: this.#sent, dropped: this.#dropped, connected: this.#connected, last_error: this.#lastError };
  }

  async run(stop: AbortSignal): Promise<void> {
    try {
      while (!stop.aborted) {
        this.#subscribe();
        while (!stop.aborted && (this.#pending || this.#backlog.length > 0)) {
          if (!(await this.#sendOne(stop))) break;
        }
        await sleep(this.deps.clock, this.deps.intervalMs, stop);
      }
    } catch {
      // Stopped while sleeping.
    } finally {
      this.#unsubscribe?.();
    }
  }

  /** Joins the sampler's ledger once the sampler exists. */
  #subscribe(): void {
    if (this.#unsubscribe) return;
    const traffic = this.deps.traffic();
    if (!traffic) return;
    this.#windowSeconds = traffic.windowMs / 1000;
    this.#unsubscribe = traffic.onLedger((rows) => this.#add(rows));
  }

  #add(rows: readonly LedgerWindowRow[]): void {
    for (const row of rows) {
      const bySeverity: PatternWindow['seen_by_severity'] = {};
      row.seen_by_class.forEach((n, k) => {
        if (n > 0) bySeverity[SEVERITY_CLASSES[k]!] = n;
      });
      this.#backlog.push({
        service: row.service,
        pattern_id: row.pattern,
        window_start: row.window_start,
        seen: row.seen,
        kept: row.kept,
        boosted: row.boosted,
        bytes_seen: row.bytes_seen,
        bytes_kept: row.bytes_kept,
        seen_by_severity: bySeverity,
      });
    }
    const excess = this.#backlog.length - this.deps.maxBacklog;
    if (excess > 0) {
      this.#backlog.splice(0, excess);
      this.#dropped += excess;
      this.deps.counted('dropped', excess);
    }
  }

  #nextBatch(): Batch {
    const rows = this.#backlog.splice(0, MAX_ROWS_PER_REPORT);
    const wantedBy = new Map<string, Set<string>>();
    const want = (service: string, pattern: string) => {
      let ids = wantedBy.get(service);
      if (!ids) wantedBy.set(service, (ids = new Set()));
      ids.add(pattern);
    };
    for (const row of rows) if (!this.#sentTemplates.has(key(row.service, row.pattern_id))) want(row.service, row.pattern_id);
    for (const k of this.#wanted) {
      const at = k.indexOf('\u0000');
      want(k.slice(0, at), k.slice(at + 1));
    }
    const templates: PatternTemplate[] = [];
    const templateKeys: string[] = [];
    for (const [service, ids] of wantedBy) {
      if (templates.length >= MAX_TEMPLATES_PER_REPORT) break;
      const found = this.deps.templates(service, [...ids]);
      for (const id of ids) {
        const k = key(service, id);
        const template = found.get(id);
        if (template === undefined || templates.length >= MAX_TEMPLATES_PER_REPORT) {
          // Not catalogued yet (the catalog is saved now and then), or no room in this batch: the next one.
          if (this.#wanted.size < TEMPLATES_WANTED) this.#wanted.add(k);
          continue;
        }
        templates.push({ service, pattern_id: id, template });
        templateKeys.push(k);
        this.#wanted.delete(k);
      }
    }
    return { report: { instance: this.deps.instance, batch_id: randomUUID(), window_seconds: this.#windowSeconds, rows, templates }, templateKeys };
  }

  /** Sends the pending batch or the next one; false when the gateway did not take it (try again later). */
  async #sendOne(stop: AbortSignal): Promise<boolean> {
    const batch = (this.#pending ??= this.#nextBatch());
    const rows = batch.report.rows.length;
    try {
      const response = await fetch(`${this.deps.endpoint}${PATTERN_STATS_PATH}`, {
        method: 'POST',
        headers: { ...this.deps.headers, 'content-type': 'application/json' },
        body: JSON.stringify(batch.report),
        signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      if (response.status === 200) {
        const answer = (await response.json()) as StatsAnswer;
        this.#pending = undefined;
        this.#connected = true;
        this.#lastError = null;
        for (const k of batch.templateKeys) this.#sentTemplates.set(k, true);
        for (const m of answer.missing_templates ?? []) {
          const k = key(m.service, m.pattern_id);
          this.#sentTemplates.delete(k);
          if (this.#wanted.size < TEMPLATES_WANTED) this.#wanted.add(k);
        }
        this.#sent += rows;
        this.deps.counted('sent', rows);
        this.deps.shares(answer.services ?? {});
        return true;
      }
      const text = (await response.text()).slice(0, 500);
      if (response.status === 400 || response.status === 413) {
        // This batch will never be taken (a bug, or windows of another length than the gateway's): not resent.
        this.#pending = undefined;
        this.#dropped += rows;
        this.deps.counted('refused', rows);
        this.#failed(`the gateway refused a stats report (HTTP ${response.status}): ${text}`, 'error', 'the gateway refused pattern stats; those windows are dropped');
        return true;
      }
      this.#failed(`HTTP ${response.status}${text ? `: ${text}` : ''}`, 'warn', RETRIED);
      return false;
    } catch (error) {
      if (!stop.aborted) this.#failed((error as Error).message, 'warn', RETRIED);
      return false;
    }
  }

  /** Logged when the reason changes, not every interval of an outage. */
  #failed(reason: string, level: 'warn' | 'error', message: string): void {
    if (reason !== this.#lastError) this.deps.logger[level]({ reason, backlog: this.#backlog.length }, message);
    this.#connected = false;
    this.#lastError = reason;
  }
}

const RETRIED = 'pattern stats not delivered to the gateway; kept and sent again later';
const key = (service: string, pattern: string) => `${service}\u0000${pattern}`;
