// A loopback stand-in for PostHog's log read-back APIs, following ../shared/contracts/posthog.md ("Reading
// logs back"): POST /api/projects/:id/logs/query/ (personal key, limit default 1000 clamped to 2000, orderBy
// earliest|latest, dateRange, serviceNames, cursor pages with hasMore/nextCursor, the cursor base64 JSON of
// {timestamp, uuid}), an old instance's answer without hasMore or cursor, and POST /api/projects/:id/query/
// (HogQL, parsed for the shape logsift sends: time bounds, a (timestamp, uuid) keyset, services, LIMIT up to
// 50,000). Rows are held as ClickHouse would sort them: by time, then by UUID as ClickHouse compares UUIDs
// (its two 64-bit halves, the second first) — not as the text sorts. Scripted answers (429 with
// Retry-After, 5xx), a delay per query, and how many queries ran at once. Also the server-side sampling
// rules API (/api/projects/:id/logs/sampling_rules/: DRF pages, read-only `version` incremented on every
// update, logs:read to list and logs:write to change, 403 where the team lacks the logs-sampling-rules flag).
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredLogRow {
  uuid: string;
  /** Unix microseconds. */
  us: number;
  body: string;
  severity_text: string;
  severity_number: number;
  service_name: string;
  resource_attributes: Record<string, string>;
  attributes: Record<string, string>;
  trace_id: string;
  span_id: string;
}

export interface ScriptedAnswer {
  status: number;
  retryAfter?: string;
}

const MAX_LOGS_LIMIT = 2000;
const MAX_HOGQL_LIMIT = 50_000;

/** Time as PostHog writes it in results: ISO 8601, microseconds, UTC. */
export function isoMicros(us: number): string {
  const seconds = Math.floor(us / 1_000_000);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(us - seconds * 1_000_000).padStart(6, '0')}Z`;
}

function parseIsoMicros(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z?$/.exec(text);
  if (!m) throw new Error(`bad time ${text}`);
  return Date.parse(`${m[1]}T${m[2]}Z`) * 1000 + Number((m[3] ?? '').padEnd(6, '0'));
}

/** ClickHouse orders UUIDs by their second 64-bit half, then the first. */
function uuidKey(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  return hex.slice(16) + hex.slice(0, 16);
}

function compareRows(a: { us: number; uuid: string }, b: { us: number; uuid: string }): number {
  if (a.us !== b.us) return a.us - b.us;
  const [ka, kb] = [uuidKey(a.uuid), uuidKey(b.uuid)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class PosthogQueryStandin extends EventEmitter {
  readonly #rows: StoredLogRow[];
  /** Keys and their scopes; anything else is a 401. */
  readonly keys = new Map<string, string[]>();
  /** Answers an old instance gives: no hasMore, no nextCursor, no cursor understood. */
  legacy = false;
  /** Answers to give before answering normally (consumed one a query). */
  readonly scripted: ScriptedAnswer[] = [];
  /** Milliseconds each query takes (real time: for the concurrency test, which waits on nothing else). */
  delayMs = 0;
  inFlight = 0;
  peakInFlight = 0;
  readonly served: Array<{ route: 'logs' | 'hogql'; status: number; rows: number }> = [];
  readonly #server = http.createServer((req, res) => void this.#handle(req, res));

  /** Server-side sampling rules as stored (with id and version). */
  readonly rules: Array<Record<string, unknown>> = [];
  /** The team has the logs-sampling-rules feature flag. */
  rulesEnabled = true;
  readonly ruleRequests: Array<{ method: string; id: string | undefined }> = [];
  /** Every n-th query (after the scripted ones) is throttled: 429 with Retry-After 0. */
  throttleEvery = 0;
  #queries = 0;

  constructor(rows: StoredLogRow[]) {
    super();
    this.#rows = [...rows].sort(compareRows);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const rules = /^\/api\/projects\/(\d+)\/logs\/sampling_rules\/(?:([0-9a-f-]+)\/)?(?:\?.*)?$/.exec(req.url ?? '');
    if (rules) return this.#rulesRoute(req, rules[2], Buffer.concat(chunks).toString('utf8'), send);
    const route = /^\/api\/projects\/(\d+)\/(logs\/query|query)\/$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !route) return send(404, { type: 'invalid_request', code: 'not_found', detail: 'Not found.' });
    const kind = route[2] === 'query' ? 'hogql' : 'logs';
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const scopes = this.keys.get(key);
    if (!key.startsWith('phx_') || !scopes) {
      this.#served({ route: kind, status: 401, rows: 0 });
      return send(401, { type: 'authentication_error', code: 'authentication_failed', detail: 'Invalid personal API key.' });
    }
    const needed = kind === 'logs' ? 'logs:read' : 'query:read';
    if (!scopes.includes(needed) && !scopes.includes('*')) {
      this.#served({ route: kind, status: 403, rows: 0 });
      return send(403, { type: 'authentication_error', code: 'permission_denied', detail: `API key missing required scope '${needed}'` });
    }
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      this.#queries += 1;
      const scripted = this.scripted.shift() ?? (this.throttleEvery > 0 && this.#queries % this.throttleEvery === 0 ? { status: 429, retryAfter: '0' } : undefined);
      if (scripted) {
        this.#served({ route: kind, status: scripted.status, rows: 0 });
        return send(scripted.status, { type: 'throttled_error', detail: 'Request was throttled.' }, scripted.retryAfter === undefined ? {} : { 'retry-after': scripted.retryAfter });
      }
      let payload: { query?: Record<string, unknown> };
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof payload;
      } catch {
        return send(400, { type: 'validation_error', detail: 'JSON parse error' });
      }
      const answer = kind === 'logs' ? this.#logsQuery(payload.query ?? {}) : this.#hogql(payload.query ?? {});
      this.#served({ route: kind, status: answer.status, rows: Array.isArray((answer.body as { results?: unknown[] }).results) ? (answer.body as { results: unknown[] }).results.length : 0 });
      send(answer.status, answer.body);
    } finally {
      this.inFlight -= 1;
    }
  }

  #rulesRoute(req: http.IncomingMessage, id: string | undefined, text: string, send: (status: number, body: unknown) => void): void {
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const scopes = this.keys.get(key);
    if (!key.startsWith('phx_') || !scopes) return send(401, { type: 'authentication_error', code: 'authentication_failed', detail: 'Invalid personal API key.' });
    const needed = req.method === 'GET' ? 'logs:read' : 'logs:write';
    if (!scopes.includes(needed)) return send(403, { type: 'authentication_error', code: 'permission_denied', detail: `API key missing required scope '${needed}'` });
    if (!this.rulesEnabled) return send(403, { type: 'authentication_error', code: 'permission_denied', detail: 'You do not have access to this feature (logs-sampling-rules).' });
    this.ruleRequests.push({ method: req.method ?? '', id });
    if (req.method === 'GET' && !id) {
      // DRF pages of two, so a client must follow `next`.
      const page = Number(new URL(req.url ?? '', 'http://x').searchParams.get('offset') ?? 0);
      const results = this.rules.slice(page, page + 2);
      return send(200, { count: this.rules.length, next: page + 2 < this.rules.length ? `http://${req.headers.host}/api/projects/7/logs/sampling_rules/?offset=${page + 2}` : null, previous: null, results });
    }
    let body: Record<string, unknown>;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return send(400, { type: 'validation_error', detail: 'JSON parse error' });
    }
    const invalid = this.#invalidRule(body, req.method === 'POST');
    if (invalid) return send(400, { type: 'validation_error', code: 'invalid_input', detail: invalid });
    if (req.method === 'POST' && !id) {
      const rule = { enabled: false, priority: 0, scope_path_pattern: null, scope_attribute_filters: [], ...body, id: `0190${String(this.rules.length + 1).padStart(4, '0')}-0000-7000-8000-000000000000`, version: 1 };
      this.rules.push(rule);
      return send(201, rule);
    }
    const index = this.rules.findIndex((r) => r.id === id);
    if (index < 0) return send(404, { type: 'invalid_request', code: 'not_found', detail: 'Not found.' });
    if (req.method === 'GET') return send(200, this.rules[index]);
    if (req.method === 'PATCH' || req.method === 'PUT') {
      const { version: _ignored, id: _id, ...changes } = body;
      this.rules[index] = { ...this.rules[index]!, ...changes, version: Number(this.rules[index]!.version) + 1 };
      return send(200, this.rules[index]);
    }
    if (req.method === 'DELETE') {
      this.rules.splice(index, 1);
      return send(204, {});
    }
    return send(405, { detail: `Method "${req.method}" not allowed.` });
  }

  /** What PostHog's serializer checks of a rule (enough to catch a client writing the wrong shape). */
  #invalidRule(body: Record<string, unknown>, creating: boolean): string | undefined {
    if (creating && typeof body.name !== 'string') return 'name: This field is required.';
    if (body.rule_type !== undefined && !['severity_sampling', 'path_drop', 'rate_limit'].includes(String(body.rule_type))) return `rule_type: "${String(body.rule_type)}" is not a valid choice.`;
    const actions = (body.config as { actions?: Record<string, { type?: string; rate?: number }> } | undefined)?.actions;
    if (body.rule_type === 'severity_sampling' || actions) {
      for (const [level, action] of Object.entries(actions ?? {})) {
        if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level)) return `config.actions: unknown level ${level}`;
        if (!['keep', 'drop', 'sample'].includes(String(action.type))) return `config.actions.${level}.type: not a valid choice`;
        if (action.type === 'sample' && !(typeof action.rate === 'number' && action.rate > 0 && action.rate <= 1)) return `config.actions.${level}.rate: must be in (0, 1]`;
      }
    }
    return undefined;
  }

  /** The index of the first row at or after `us`. */
  #firstAtOrAfter(us: number): number {
    let [lo, hi] = [0, this.#rows.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#rows[mid]!.us < us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of the first row after `at` in the rows' order. */
  #firstAfter(at: { us: number; uuid: string }): number {
    let [lo, hi] = [0, this.#rows.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareRows(this.#rows[mid]!, at) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Up to `limit` rows from `start` while `within` holds, of the given services. */
  #scan(start: number, within: (r: StoredLogRow) => boolean, services: Set<string> | undefined, limit: number): StoredLogRow[] {
    const out: StoredLogRow[] = [];
    for (let i = start; i < this.#rows.length && out.length < limit && within(this.#rows[i]!); i++) {
      if (!services || services.has(this.#rows[i]!.service_name)) out.push(this.#rows[i]!);
    }
    return out;
  }

  /** Pages answered (200) so far. */
  get pagesAnswered(): number {
    return this.served.filter((s) => s.status === 200).length;
  }

  /** Resolves once `n` pages in all have been answered: a test stops a reader there, on no timer. */
  pagesReached(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.pagesAnswered < n) return;
        this.off('served', check);
        resolve();
      };
      this.on('served', check);
      check();
    });
  }

  #served(entry: { route: 'logs' | 'hogql'; status: number; rows: number }): void {
    this.served.push(entry);
    this.emit('served', entry);
  }

  /** Changes a result row as it is answered (a test's malformed rows); the stored row, and paging, stay. */
  mangle: ((result: Record<string, unknown>, row: StoredLogRow) => void) | undefined;

  #asResult(row: StoredLogRow): Record<string, unknown> {
    const result = this.#result(row);
    this.mangle?.(result, row);
    return result;
  }

  #result(row: StoredLogRow): Record<string, unknown> {
    const ts = isoMicros(row.us);
    return {
      uuid: row.uuid,
      timestamp: ts,
      observed_timestamp: ts,
      body: row.body,
      severity_text: row.severity_text,
      severity_number: row.severity_number,
      level: row.severity_text,
      trace_id: row.trace_id,
      span_id: row.span_id,
      trace_flags: 0,
      attributes: row.attributes,
      resource_attributes: row.resource_attributes,
      event_name: '',
    };
  }

  #logsQuery(query: Record<string, unknown>): { status: number; body: unknown } {
    const range = (query.dateRange ?? {}) as { date_from?: string | null; date_to?: string | null };
    let from: number;
    let to: number;
    try {
      from = range.date_from ? parseIsoMicros(range.date_from) : Date.now() * 1000 - 3_600_000_000;
      // date_to is inclusive, as a DateRange is on PostHog's side: the client must not count a boundary row twice.
      to = range.date_to ? parseIsoMicros(range.date_to) : Date.now() * 1000;
    } catch (error) {
      return { status: 400, body: { type: 'validation_error', detail: (error as Error).message } };
    }
    const limit = Math.min(MAX_LOGS_LIMIT, typeof query.limit === 'number' && query.limit > 0 ? query.limit : 1000);
    const services = Array.isArray(query.serviceNames) && query.serviceNames.length > 0 ? new Set(query.serviceNames as string[]) : undefined;
    const latest = query.orderBy !== 'earliest';
    const cursor = !this.legacy && typeof query.after === 'string' ? (JSON.parse(Buffer.from(query.after, 'base64').toString('utf8')) as { timestamp: string; uuid: string }) : undefined;
    const at = cursor ? { us: parseIsoMicros(cursor.timestamp), uuid: cursor.uuid } : undefined;
    let rows: StoredLogRow[];
    if (latest) {
      rows = this.#rows.filter((r) => r.us >= from && r.us <= to && (!services || services.has(r.service_name))).reverse();
      if (at) rows = rows.filter((r) => compareRows(r, at) < 0);
    } else {
      // Earliest first, as logsift asks: found by binary search, so a large stand-in answers quickly.
      rows = this.#scan(Math.max(this.#firstAtOrAfter(from), at ? this.#firstAfter(at) : 0), (r) => r.us <= to, services, limit + 1);
    }
    const page = rows.slice(0, limit);
    const results = page.map((r) => this.#asResult(r));
    if (this.legacy) return { status: 200, body: { query, results } };
    const last = page.at(-1);
    const hasMore = rows.length > limit;
    return {
      status: 200,
      body: { query, results, hasMore, nextCursor: hasMore && last ? Buffer.from(JSON.stringify({ timestamp: isoMicros(last.us), uuid: last.uuid })).toString('base64') : null },
    };
  }

  /** The HogQL logsift sends (query_client.ts), read back; anything else is a 400, as a query error is. */
  #hogql(query: Record<string, unknown>): { status: number; body: unknown } {
    const sql = String(query.query ?? '');
    const time = String.raw`toDateTime64\('([^']+)', 6, 'UTC'\)`;
    const bounds = new RegExp(`timestamp >= ${time} AND timestamp < ${time}`).exec(sql);
    const limit = /LIMIT (\d+)$/.exec(sql);
    if (query.kind !== 'HogQLQuery' || !bounds || !limit || !/ORDER BY timestamp, uuid LIMIT/.test(sql)) {
      return { status: 400, body: { type: 'validation_error', code: 'invalid_input', detail: `stand-in cannot read ${sql.slice(0, 200)}` } };
    }
    if (Number(limit[1]) > MAX_HOGQL_LIMIT) return { status: 400, body: { type: 'validation_error', detail: 'LIMIT over 50000' } };
    const [from, to] = [parseIsoMicros(bounds[1]!), parseIsoMicros(bounds[2]!)];
    const keyset = new RegExp(String.raw`\(timestamp, uuid\) > \(${time}, toUUID\('([0-9a-f-]+)'\)\)`).exec(sql);
    const after = keyset ? { us: parseIsoMicros(keyset[1]!), uuid: keyset[2]! } : undefined;
    const servicesMatch = /service_name IN \(([^)]*)\)/.exec(sql);
    const services = servicesMatch ? new Set([...servicesMatch[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!)) : undefined;
    const rows = this.#scan(Math.max(this.#firstAtOrAfter(from), after ? this.#firstAfter(after) : 0), (r) => r.us < to, services, Number(limit[1]));
    const columns = ['uuid', 'timestamp', 'body', 'attributes', 'severity_text', 'service_name', 'resource_attributes', 'trace_id', 'span_id', 'event_name'];
    // HogQL answers rows as arrays in column order; resource_attributes without service.name (it is a column).
    const results = rows.map((r) => {
      const resource = Object.fromEntries(Object.entries(r.resource_attributes).filter(([k]) => k !== 'service.name'));
      return [r.uuid, isoMicros(r.us), r.body, r.attributes, r.severity_text, r.service_name, resource, r.trace_id, r.span_id, ''];
    });
    return { status: 200, body: { columns, results, types: columns.map(() => 'String'), hasMore: false } };
  }
}
