// The fleet's statistics on a gateway's telemetry server:
//   POST /api/v1/patterns/stats            a sidecar's or an SDK's report (stats_report.ts); the answer names
//                                          templates still missing and this instance's share per service
//   GET  /api/v1/patterns/stats            per service reported: windows kept, patterns, records, replicas
//   GET  /api/v1/patterns/stats/{service}  the same for one service, with each live instance and its share
import { readJsonBody, sendJson as send, type RouteHandler } from '../../pipeline/http_routes.js';
import type { FleetStats } from './fleet_stats.js';
import { PATTERN_STATS_PATH, statsReportProblems, type StatsReport } from './stats_report.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface FleetStatsPort {
  /** The fleet's statistics; undefined until the gateway's sampler has started (it gives the window). */
  stats(): FleetStats | undefined;
  now(): number;
  /** A report was taken (rows counted) or refused. */
  counted(outcome: 'accepted' | 'duplicate' | 'refused', rows: number): void;
}

export function patternStatsRoute(port: FleetStatsPort): RouteHandler {
  return async (req, res, path) => {
    const rest = path.slice(PATTERN_STATS_PATH.length);
    const method = req.method ?? 'GET';
    const fleet = port.stats();
    if (!fleet) return send(res, 503, { error: 'this gateway has no sampler with its tape enabled: fleet statistics need its window, and its replay to tune on them' });
    if (rest === '' || rest === '/') {
      if (method === 'GET') return send(res, 200, { services: fleet.services(port.now()).map((s) => fleet.describe(s, port.now())) });
      if (method !== 'POST') return send(res, 405, { error: `${method} is not allowed here` });
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      if (body.kind === 'refused') return send(res, body.status, { error: body.error });
      const problems = statsReportProblems(body.value, fleet.options.windowMs);
      if (problems.length > 0) {
        port.counted('refused', 0);
        return send(res, 400, { error: 'invalid pattern stats report', problems });
      }
      const answer = fleet.record(body.value as StatsReport, port.now());
      port.counted(answer.duplicate ? 'duplicate' : 'accepted', answer.accepted);
      return send(res, 200, answer);
    }
    const parts = rest.slice(1).split('/');
    if (parts.length !== 1 || !rest.startsWith('/')) return send(res, 404, { error: `expected ${PATTERN_STATS_PATH}[/{service}]` });
    const service = decodeURIComponent(parts[0]!);
    if (method !== 'GET') return send(res, 405, { error: `${method} is not allowed here` });
    if (!fleet.has(service, port.now())) return send(res, 404, { error: `no instance reported ${service} within the retention` });
    return send(res, 200, fleet.describe(service, port.now()));
  };
}
