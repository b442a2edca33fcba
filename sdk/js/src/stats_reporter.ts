// What the source dropped, told to logsift: every completed window of the source sampler's ledger (per
// pattern: seen, kept, bytes, records per severity class) goes to `POST /api/v1/patterns/stats` — the report
// a sidecar sends its gateway — with the templates of patterns not yet sent. So the daemon's ledger (what
// arrived) plus the reported drops is what the application logged, and the daemon's tuner sees the whole
// traffic. While the daemon is away the windows wait in a bounded backlog (the oldest dropped past it,
// counted); a batch that got no answer is sent again with its id, so it is counted once.
import { SEVERITY_CLASSES } from '../../../policy/severity.js';
import type { PatternWindow, StatsAnswer, StatsReport } from '../../../fleet/stats/stats_report.js';
import type { SourceSampler } from './source_sampler.js';
import { quietTimeout } from './timers.js';
import { randomHex } from './random_id.js';

export interface ReporterOptions {
  endpoint: string;
  instance: string;
  sampler: SourceSampler;
  intervalMs?: number;
  headers?: Record<string, string>;
  /** Windows held while the daemon is away, at most. */
  maxBacklog?: number;
  onError?(error: string): void;
  fetch?: typeof fetch;
}

const ROWS_PER_REPORT = 2000;
const TEMPLATES_PER_REPORT = 500;
const TEMPLATES_REMEMBERED = 20_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** How long stopping waits for the last report: an application's shutdown must not hang on a slow daemon. */
const STOP_GRACE_MS = 2_000;

export class StatsReporter {
  #backlog: PatternWindow[] = [];
  #pending: StatsReport | undefined;
  /** Templates the daemon has (sent and answered), as service \0 id. */
  #sentTemplates = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sending: Promise<void> | undefined;
  #stopped = false;
  readonly #deadline = new AbortController();
  /** Windows dropped because the backlog was full. */
  dropped = 0;
  /** Windows the daemon acknowledged. */
  sent = 0;

  constructor(private readonly options: ReporterOptions) {}

  start(): void {
    this.#schedule();
  }

  /** Takes the windows completed by now (every window, `all`) and sends what is waiting. */
  async flush(all = false): Promise<void> {
    await this.#sending;
    this.#take(all);
    this.#sending = this.#sendAll();
    await this.#sending;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const grace = quietTimeout(() => this.#deadline.abort(), STOP_GRACE_MS);
    await this.flush(true);
    clearTimeout(grace);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = quietTimeout(() => {
      this.flush().finally(() => this.#schedule());
    }, this.options.intervalMs ?? 10_000);
  }

  #take(all: boolean): void {
    for (const row of this.options.sampler.windows(Date.now(), all)) {
      const seen_by_severity: PatternWindow['seen_by_severity'] = {};
      row.seen_by_class.forEach((n, i) => {
        if (n > 0) seen_by_severity[SEVERITY_CLASSES[i]!] = n;
      });
      this.#backlog.push({ service: row.service, pattern_id: row.pattern, window_start: row.window_start, seen: row.seen, kept: row.kept, boosted: 0, bytes_seen: row.bytes_seen, bytes_kept: row.bytes_kept, seen_by_severity });
    }
    const max = this.options.maxBacklog ?? 20_000;
    if (this.#backlog.length > max) {
      const over = this.#backlog.length - max;
      this.#backlog.splice(0, over);
      this.dropped += over;
      this.#problem(`${over} pattern windows could not be reported (the daemon was away too long)`);
    }
  }

  #problem(message: string): void {
    try {
      this.options.onError?.(message);
    } catch {
      // The application's handler; never ours to raise.
    }
  }

  async #sendAll(): Promise<void> {
    while (this.#pending || this.#backlog.length > 0) {
      this.#pending ??= this.#nextReport();
      const outcome = await this.#send(this.#pending);
      if (outcome === 'retry') return;
      if (outcome === 'taken') this.sent += this.#pending.rows.length;
      else this.dropped += this.#pending.rows.length;
      this.#pending = undefined;
    }
  }

  #nextReport(): StatsReport {
    const rows = this.#backlog.splice(0, ROWS_PER_REPORT);
    const templates: StatsReport['templates'] = [];
    for (const row of rows) {
      const key = `${row.service}\u0000${row.pattern_id}`;
      if (templates.length >= TEMPLATES_PER_REPORT || this.#sentTemplates.has(key)) continue;
      const template = this.options.sampler.template(row.service, row.pattern_id);
      if (template !== undefined) templates.push({ service: row.service, pattern_id: row.pattern_id, template: template.slice(0, 1000) });
    }
    return { instance: this.options.instance, batch_id: randomHex(16), window_seconds: this.options.sampler.windowMs / 1000, rows, templates };
  }

  /** The daemon took the report, refused it for good (not sent again), or was not reached (sent again later). */
  async #send(report: StatsReport): Promise<'taken' | 'refused' | 'retry'> {
    const doFetch = this.options.fetch ?? fetch;
    try {
      const response = await doFetch(`${this.options.endpoint}/api/v1/patterns/stats`, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json' },
        body: JSON.stringify(report),
        signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), this.#deadline.signal]),
      });
      if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) {
        // Refused as it is (a window length the daemon does not use, no stats endpoint): sending it again cannot help.
        this.#problem(`the daemon refused a pattern report (${response.status}): ${(await response.text()).slice(0, 300)}`);
        return 'refused';
      }
      if (!response.ok) throw new Error(`the daemon answered ${response.status}`);
      const answer = (await response.json()) as Partial<StatsAnswer>;
      if (this.#sentTemplates.size > TEMPLATES_REMEMBERED) this.#sentTemplates.clear();
      for (const t of report.templates) this.#sentTemplates.add(`${t.service}\u0000${t.pattern_id}`);
      for (const m of Array.isArray(answer.missing_templates) ? answer.missing_templates : []) this.#sentTemplates.delete(`${m.service}\u0000${m.pattern_id}`);
      return 'taken';
    } catch (error) {
      this.#problem(`pattern report to ${this.options.endpoint}: ${error instanceof Error ? error.message : String(error)}`);
      return 'retry';
    }
  }
}
