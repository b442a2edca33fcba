// Reading logs back from PostHog (../shared/contracts/posthog.md, "Reading logs back"): the logs query API
// (`POST /api/projects/:id/logs/query/`, a personal key, cursor pages of at most 2,000 rows), and for
// instances too old to page by cursor, HogQL (`POST /api/projects/:id/query/`) paged by (timestamp, uuid) —
// never by OFFSET. At most `maxInFlight` queries run at once (PostHog allows 3 per team); a 429 waits its
// Retry-After (else an exponential backoff with jitter) and lowers how many run at once, which climbs back
// one success at a time; 5xx and network errors are retried the same way, 401/403 are not.
import { Backoff } from '../../pipeline/backoff.js';
import { parseRetryAfter } from '../../pipeline/send_result.js';
import { microsToIso } from './rows_to_otlp.js';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { NO_TRACER } from '../../pipeline/self_tracing.js';

export interface PosthogLogRow {
  uuid: string;
  /** ISO 8601, microseconds. */
  timestamp: string;
  observed_timestamp?: string | null;
  body: string;
  severity_text?: string | null;
  severity_number?: number | null;
  trace_id?: string | null;
  span_id?: string | null;
  trace_flags?: number | null;
  attributes?: Record<string, unknown> | null;
  resource_attributes?: Record<string, unknown> | null;
  event_name?: string | null;
}

export interface PosthogClientOptions {
  /** The app host: https://us.posthog.com, https://eu.posthog.com or your own. */
  host: string;
  projectId: string;
  /** A personal API key (phx_…) with logs:read (older instances: error_tracking:read; HogQL: query read). */
  personalApiKey: string;
  /** Only these services (PostHog's serviceNames filter); all when empty. */
  services: string[];
  /** Rows a page (the server clamps to 2,000). */
  pageSize: number;
  maxInFlight: number;
  /** Gives up on a query after this many retries. */
  maxRetries: number;
  /** How a wait is waited (tests pass one that does not sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** A span per query attempt (the daemon's own traces, pipeline/self_tracing.ts). */
  tracer?: Tracer;
}

/** A query the server will not answer however often it is asked (bad key, missing scope, bad query). */
export class PosthogQueryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type LogsPage = { kind: 'page'; rows: PosthogLogRow[]; hasMore: boolean; nextCursor: string | undefined } | { kind: 'no_cursor' };

// Without a Retry-After: 1 s doubling to a minute, ± half jittered (the exporters' backoff, tighter).
const BACKOFF = { initialIntervalMs: 1000, maxIntervalMs: 60_000, multiplier: 2, randomizationFactor: 0.5 };

export class PosthogLogsClient {
  #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** The most queries ever in flight at once (reported, and what a test holds to the limit). */
  peakInFlight = 0;

  constructor(private readonly options: PosthogClientOptions) {
    this.#limit = options.maxInFlight;
  }

  /** Rows asked for a page; a HogQL page shorter than this is a slice's last. */
  get pageSize(): number {
    return this.options.pageSize;
  }

  /** One page of the logs query over [fromUs, toUs) (the server's bounds; the caller filters too), earliest first, after `cursor`. */
  async logsPage(fromUs: number, toUs: number, cursor: string | undefined): Promise<LogsPage> {
    const query: Record<string, unknown> = {
      dateRange: { date_from: microsToIso(fromUs), date_to: microsToIso(toUs) },
      orderBy: 'earliest',
      limit: this.options.pageSize,
      ...(this.options.services.length > 0 ? { serviceNames: this.options.services } : {}),
      ...(cursor ? { after: cursor } : {}),
    };
    const body = (await this.#post(`/api/projects/${encodeURIComponent(this.options.projectId)}/logs/query/`, { query })) as { results?: PosthogLogRow[]; hasMore?: boolean; nextCursor?: string | null };
    // An instance that pages by nothing answers without `hasMore`: the caller pages by HogQL instead.
    if (typeof body.hasMore !== 'boolean') return { kind: 'no_cursor' };
    return { kind: 'page', rows: body.results ?? [], hasMore: body.hasMore, nextCursor: body.nextCursor ?? undefined };
  }

  /**
   * Rows of [fromUs, toUs) in (timestamp, uuid) order through HogQL, after the row `after` when given (the
   * keyset: ClickHouse compares the pair as it sorts it, whatever its order of UUIDs).
   */
  async hogqlPage(fromUs: number, toUs: number, after: { us: number; uuid: string } | undefined): Promise<PosthogLogRow[]> {
    const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    // ClickHouse's own text form of a time, read in UTC whatever the project's timezone.
    const time = (us: number) => `toDateTime64(${quote(microsToIso(us).replace('T', ' ').replace('Z', ''))}, 6, 'UTC')`;
    const conditions = [`timestamp >= ${time(fromUs)}`, `timestamp < ${time(toUs)}`];
    if (after) conditions.push(`(timestamp, uuid) > (${time(after.us)}, toUUID(${quote(after.uuid)}))`);
    if (this.options.services.length > 0) conditions.push(`service_name IN (${this.options.services.map(quote).join(', ')})`);
    const sql = `SELECT uuid, timestamp, body, attributes, severity_text, service_name, resource_attributes, trace_id, span_id, event_name FROM logs WHERE ${conditions.join(' AND ')} ORDER BY timestamp, uuid LIMIT ${this.options.pageSize}`;
    const body = (await this.#post(`/api/projects/${encodeURIComponent(this.options.projectId)}/query/`, { query: { kind: 'HogQLQuery', query: sql }, name: 'logsift backfill' })) as { columns?: string[]; results?: unknown[][] };
    const columns = body.columns ?? [];
    return (body.results ?? []).map((values) => {
      const row = Object.fromEntries(columns.map((c, i) => [c, values[i]])) as Record<string, unknown>;
      const resource = { ...((row.resource_attributes ?? {}) as Record<string, unknown>) };
      if (typeof row.service_name === 'string' && row.service_name !== '' && !('service.name' in resource)) resource['service.name'] = row.service_name;
      return { ...row, resource_attributes: resource } as unknown as PosthogLogRow;
    });
  }

  async #post(path: string, payload: unknown): Promise<unknown> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const backoff = new Backoff(BACKOFF);
    for (let attempt = 0; ; attempt++) {
      await this.#acquire();
      let response: Response | undefined;
      let failure: string;
      const span = (this.options.tracer ?? NO_TRACER).startSpan('posthog.query', { kind: SpanKind.CLIENT, attributes: { 'url.path': path, 'logsift.attempt': attempt + 1 } });
      try {
        response = await fetch(`${this.options.host.replace(/\/$/, '')}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.options.personalApiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
        span.setAttribute('http.response.status_code', response.status);
        if (response.ok) {
          const body = (await response.json()) as unknown;
          this.#release(true);
          span.end();
          return body;
        }
        failure = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
      } catch (error) {
        failure = `network: ${(error as Error).message}`;
      }
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      span.end();
      const status = response?.status ?? 0;
      this.#release(false, status === 429);
      if (status === 401 || status === 403 || status === 400 || status === 404) {
        const hint = status === 401 ? ' (a personal API key, phx_…, is needed)' : status === 403 ? ' (the key needs logs:read — older instances: error_tracking:read)' : '';
        throw new PosthogQueryError(status, `PostHog refused ${path}: ${failure}${hint}`);
      }
      if (attempt >= this.options.maxRetries) throw new PosthogQueryError(status, `PostHog kept failing ${path} (${attempt + 1} tries): ${failure}`);
      // Seconds or an HTTP date, as every sender here reads it.
      await sleep(parseRetryAfter(response?.headers.get('retry-after') ?? null, Date.now()) ?? backoff.next());
    }
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#limit) {
      this.#running += 1;
      this.peakInFlight = Math.max(this.peakInFlight, this.#running);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** A 429 lowers the limit by one (not below one); each success raises it back by one, up to the setting. */
  #release(ok: boolean, throttled = false): void {
    if (throttled) this.#limit = Math.max(1, this.#limit - 1);
    else if (ok) this.#limit = Math.min(this.options.maxInFlight, this.#limit + 1);
    this.#running -= 1;
    while (this.#running < this.#limit && this.#waiting.length > 0) {
      this.#running += 1;
      this.peakInFlight = Math.max(this.peakInFlight, this.#running);
      this.#waiting.shift()!();
    }
  }
}
