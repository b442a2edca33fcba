// The console's pattern pages, from the exact ledger and the catalog:
//   GET /api/v1/patterns[?service=&q=&sort=&limit=&offset=&hours=]   a page of patterns with traffic in the hour
//        so far and the `hours` whole hours before it (24 by default; hours are what the ledger's per-pattern
//        rollup sums): volume, share, error share, keep rate, reason mix, cost, a sparkline of 24 buckets
//   GET /api/v1/patterns/{service}/{id}[?hours=]      one pattern: its windows against a baseline, its findings,
//        recent kept lines, and the policy rule that governs it
//   GET /api/v1/patterns/{service}/{id}/tail          Server-Sent Events: each record the sampler decides for it
//        (kept all; dropped at most five a second), as it happens
// (/api/v1/patterns/stats is the fleet's, registered apart: a service named `stats` is not reachable here.)
// Lines are shown as the sampler kept them: after the redact processor, as the backend receives them.
import type http from 'node:http';
import { sendJson as send, type RouteHandler } from '../../pipeline/http_routes.js';
import { PATTERN_SORT_KEYS, type LedgerPatternSummary, type PatternSort, type Store } from '../../store/store.js';
import { marginalCost } from '../../cost/billing.js';
import type { InsightsOptions } from '../../cost/insights.js';
import type { Policy } from '../../policy/policy.js';
import type { SamplerTraffic } from '../../policy/traffic_tape.js';
import { openEventStream } from './event_stream.js';

export const PATTERNS_PREFIX = '/api/v1/patterns';
const HOUR_MS = 3_600_000;
const SPARK_POINTS = 24;
const HISTORY_POINTS = 360;
/** Buckets before one a baseline is the median of; fewer than `BASELINE_MIN` give none. */
const BASELINE_SPAN = 30;
const BASELINE_MIN = 5;
const SAMPLE_LINES = 10;

export interface PatternsPort {
  store(): Store;
  traffic(): SamplerTraffic | undefined;
  cost: InsightsOptions;
  now(): number;
  /** The ledger's window (ms). */
  windowMs(): number;
}

function parseHours(url: URL): number | string {
  const text = url.searchParams.get('hours');
  if (text === null) return 24;
  const hours = Number(text);
  return Number.isInteger(hours) && hours >= 1 && hours <= 24 * 90 ? hours : 'hours must be a whole number from 1 to 2160';
}

/** What a row of the patterns table shows. */
function patternFigures(row: Omit<LedgerPatternSummary, 'service' | 'pattern' | 'template' | 'first_seen' | 'last_seen' | 'last_window'>, totalSeen: number, cost: InsightsOptions) {
  const keptCost = marginalCost(cost.prices, { records: row.kept, bytes: row.bytes_kept }, cost.retentionDays);
  const seenCost = marginalCost(cost.prices, { records: row.seen, bytes: row.bytes_seen }, cost.retentionDays);
  return {
    seen: row.seen,
    kept: row.kept,
    dropped: row.dropped,
    boosted: row.boosted,
    bytes_seen: row.bytes_seen,
    bytes_kept: row.bytes_kept,
    errors_seen: row.errors_seen,
    share: totalSeen > 0 ? row.seen / totalSeen : 0,
    error_share: row.seen > 0 ? row.errors_seen / row.seen : 0,
    keep_rate: row.seen > 0 ? row.kept / row.seen : 0,
    // Why what was kept was kept: errors (always), an anomaly's boost, the policy (first-K, rules, sampling).
    reasons: { error: row.errors_kept, boost: row.boosted, policy: Math.max(0, row.kept - row.errors_kept - row.boosted), dropped: row.dropped },
    cost_kept: keptCost,
    cost_saved: keptCost === null || seenCost === null ? null : seenCost - keptCost,
  };
}

/** The rule of `policy` a pattern's records are decided by, said the way a reader needs it. */
export function governingRule(policy: Policy, pattern: string, errorShare: number) {
  const patternKeep = policy.pattern_keep[pattern];
  const rule =
    errorShare >= 1
      ? 'ERROR and above: always kept (an invariant no policy changes)'
      : patternKeep !== undefined
        ? `pattern_keep: ${patternKeep} of its records (this pattern's own rate)`
        : `severity_keep by level (${Object.entries(policy.severity_keep).map(([k, v]) => `${k} ${v}`).join(', ')})`;
  return {
    service: policy.service,
    version: policy.version,
    mode: policy.mode,
    rule,
    pattern_keep: patternKeep ?? null,
    severity_keep: policy.severity_keep,
    first_k_per_window: policy.first_k_per_window,
    budget: policy.budget,
    keep_rules: policy.keep_rules,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function list(port: PatternsPort, url: URL, res: http.ServerResponse): void {
  const hours = parseHours(url);
  if (typeof hours === 'string') return send(res, 400, { error: hours });
  const sort = (url.searchParams.get('sort') ?? 'seen') as PatternSort;
  if (!PATTERN_SORT_KEYS.includes(sort)) return send(res, 400, { error: `sort must be one of ${PATTERN_SORT_KEYS.join(', ')}` });
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return send(res, 400, { error: 'limit must be a whole number from 1 to 1000' });
  if (!Number.isInteger(offset) || offset < 0) return send(res, 400, { error: 'offset must be a whole number ≥ 0' });
  const service = url.searchParams.get('service') || undefined;
  const search = url.searchParams.get('q') ?? undefined;
  const store = port.store();
  const windowMs = port.windowMs();
  const to = Math.floor(port.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const from = to - (hours + 1) * HOUR_MS;
  const page = store.ledgerPatternPage({ from, to, service, search, sort, limit, offset });
  const all = store.ledgerBuckets(from, to, to - from, service === undefined ? {} : { service });
  const totalSeen = all.reduce((sum, r) => sum + r.seen, 0);
  const sparkMs = Math.max(windowMs, Math.ceil((to - from) / SPARK_POINTS / windowMs) * windowMs);
  const sparks = new Map<string, number[]>();
  const sparkFrom = to - sparkMs * SPARK_POINTS;
  for (const b of store.ledgerPatternBuckets(page.rows, sparkFrom, to, sparkMs)) {
    const key = `${b.service}\u0000${b.pattern}`;
    let spark = sparks.get(key);
    if (!spark) sparks.set(key, (spark = new Array<number>(SPARK_POINTS).fill(0)));
    const index = Math.floor((b.t - sparkFrom) / sparkMs);
    if (index >= 0 && index < SPARK_POINTS) spark[index]! += b.seen;
  }
  send(res, 200, {
    from,
    to,
    hours,
    total: page.total,
    total_seen: totalSeen,
    spark_bucket_ms: sparkMs,
    patterns: page.rows.map((r) => ({
      service: r.service,
      id: r.pattern,
      template: r.template,
      first_seen: r.first_seen,
      last_seen: r.last_seen ?? r.last_window,
      ...patternFigures(r, totalSeen, port.cost),
      spark: sparks.get(`${r.service}\u0000${r.pattern}`) ?? new Array<number>(SPARK_POINTS).fill(0),
    })),
  });
}

function detail(port: PatternsPort, service: string, id: string, url: URL, res: http.ServerResponse): void {
  const hours = parseHours(url);
  if (typeof hours === 'string') return send(res, 400, { error: hours });
  const store = port.store();
  const windowMs = port.windowMs();
  const to = Math.floor(port.now() / windowMs) * windowMs + windowMs;
  const from = to - hours * HOUR_MS;
  const bucketMs = Math.max(windowMs, Math.ceil((to - from) / HISTORY_POINTS / windowMs) * windowMs);
  const buckets = store.ledgerBuckets(from, to, bucketMs, { service, pattern: id });
  const catalog = store.pattern(service, id);
  if (!catalog && buckets.length === 0) return send(res, 404, { error: `no pattern ${id} of ${service} in the catalog or the last ${hours} h of the ledger` });
  const sum = { seen: 0, kept: 0, dropped: 0, boosted: 0, bytes_seen: 0, bytes_kept: 0, errors_seen: 0, errors_kept: 0 };
  for (const b of buckets) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += b[k];
  const totalSeen = store.ledgerBuckets(from, to, to - from, { service }).reduce((s, r) => s + r.seen, 0);
  // The baseline of a bucket: the median of the buckets before it (empty ones counted as zero), so a spike
  // stands out against what the pattern usually does rather than against itself.
  const seenAt = new Map(buckets.map((b) => [b.t, b.seen]));
  const times: number[] = [];
  for (let t = Math.floor(from / bucketMs) * bucketMs; t < to; t += bucketMs) times.push(t);
  const seenSeries = times.map((t) => seenAt.get(t) ?? 0);
  const baseline = seenSeries.map((_, i) => (i < BASELINE_MIN ? null : median(seenSeries.slice(Math.max(0, i - BASELINE_SPAN), i))));
  const keptAt = new Map(buckets.map((b) => [b.t, b.kept]));
  const traffic = port.traffic();
  const errorShare = sum.seen > 0 ? sum.errors_seen / sum.seen : 0;
  const evidence = traffic?.evidence?.().lines(service, id, SAMPLE_LINES) ?? [];
  send(res, 200, {
    service,
    id,
    template: catalog?.template ?? null,
    example: catalog?.example ?? null,
    first_seen: catalog?.first_seen ?? null,
    last_seen: catalog?.last_seen ?? null,
    count: catalog?.count ?? null,
    from,
    to,
    hours,
    ...patternFigures(sum, totalSeen, port.cost),
    history: { bucket_ms: bucketMs, t: times, seen: seenSeries, kept: times.map((t) => keptAt.get(t) ?? 0), baseline },
    anomalies: store.anomaliesOf(service, id, from),
    samples: { kept: traffic?.lines?.().recent(service, id, SAMPLE_LINES) ?? [], during_anomalies: evidence },
    policy: traffic ? governingRule(traffic.policyFor(service), id, errorShare) : null,
  });
}

function tail(port: PatternsPort, service: string, id: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const lines = port.traffic()?.lines?.();
  if (!lines) return send(res, 503, { error: 'no sampler shares its records: nothing to tail' });
  const stream = openEventStream(req, res);
  const stop = lines.tail(service, id, (line) => stream.send('record', line));
  if (!stop) {
    stream.send('error', { error: 'too many tails are open; try again later' });
    stream.close();
    return;
  }
  stream.onClose(stop);
}

export function patternsRoute(port: PatternsPort): RouteHandler {
  return async (req, res, path) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { error: `${method} is not allowed here; patterns are read with GET` }, { allow: 'GET' });
    const url = new URL(req.url ?? path, 'http://console');
    const rest = path.slice(PATTERNS_PREFIX.length);
    if (rest === '' || rest === '/') return list(port, url, res);
    const parts = rest.slice(1).split('/').map(decodeURIComponent);
    if (parts.length === 2 && parts[0] && parts[1]) return detail(port, parts[0], parts[1], url, res);
    if (parts.length === 3 && parts[0] && parts[1] && parts[2] === 'tail') return tail(port, parts[0], parts[1], req, res);
    return send(res, 404, { error: `expected ${PATTERNS_PREFIX}, ${PATTERNS_PREFIX}/{service}/{id} or ${PATTERNS_PREFIX}/{service}/{id}/tail` });
  };
}
