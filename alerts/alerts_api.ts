// Alerts on the telemetry server:
//   GET    /api/v1/alerts                      open alerts (pending, firing) and the recently resolved
//   GET    /api/v1/alerts/{id}                 one alert with its findings
//   POST   /api/v1/alerts/{id}/snooze          {"duration": "1h", "created_by", "comment"}: a silence on its
//                                              service (and pattern, when grouped by pattern)
//   GET    /api/v1/alerts/silences             every silence (active, pending, expired)
//   POST   /api/v1/alerts/silences             {"matchers": {service?, kind?, pattern?}, "starts_at"?, "ends_at" |
//                                              "duration", "created_by", "comment"} → 201 with its id
//   DELETE /api/v1/alerts/silences/{id}        ends it now
//   GET    /api/v1/alerts/destinations         each destination: waiting notifications, broken and why
//   GET    /api/v1/alerts/deliveries[?alert=&destination=]   the delivery log, newest first
//   POST   /api/v1/alerts/test                 {"service"?}: a test alert to every destination (of that service);
//                                              202 with its id — its outcomes are in the delivery log
import { parseDuration } from '../config/duration.js';
import { readJsonBody, sendJson as send, type RouteHandler } from '../pipeline/http_routes.js';
import type { Alert, AlertEngine } from './alert_engine.js';
import type { DeliveryLog } from './delivery.js';
import { readSilence, type Silence, type Silences } from './silences.js';

export const ALERTS_PREFIX = '/api/v1/alerts';
const MAX_BODY_BYTES = 64 * 1024;

export interface AlertsPort {
  engine: AlertEngine;
  silences: Silences;
  deliveries: DeliveryLog;
  destinations(): unknown[];
  /** Sends a test alert to every destination taking `service`; its id and where it went. */
  test(service: string): { alert_id: string; destinations: string[] };
  now(): number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function alertJson(a: Alert) {
  return {
    id: a.id,
    service: a.service,
    pattern_id: a.pattern,
    status: a.status,
    severity: a.severity,
    opened_at: iso(a.openedAt),
    resolved_at: iso(a.resolvedAt),
    last_notified_at: iso(a.notifiedAt),
    notifications: a.notifications,
    explanation: a.explanation ?? null,
    findings: a.findings.map((f) => ({
      id: f.id,
      kind: f.kind,
      pattern_id: f.pattern || null,
      start: iso(f.start),
      end: iso(f.end),
      observed: f.observed,
      expected: f.expected,
      score: f.score,
      template: f.template ?? null,
      sample_lines: (f.samples ?? []).map((l) => ({ ...l, at: iso(l.at) })),
      link: f.link ?? null,
    })),
    changes_before: (a.changes ?? []).map((c) => ({ ...c, at: iso(c.at) })),
  };
}

const silenceJson = (s: Silence, now: number) => ({ ...s, starts_at: iso(s.starts_at), ends_at: iso(s.ends_at), state: now < s.starts_at ? 'pending' : now < s.ends_at ? 'active' : 'expired' });

export function alertsRoute(port: AlertsPort): RouteHandler {
  return async (req, res, path) => {
    const method = req.method ?? 'GET';
    const parts = path.slice(ALERTS_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    const now = port.now();
    if (parts.length === 0) {
      if (method !== 'GET') return send(res, 405, { error: `${method} is not allowed here` });
      const { open, resolved } = port.engine.list();
      return send(res, 200, { open: open.map(alertJson), resolved: resolved.map(alertJson) });
    }
    if (parts[0] === 'silences') {
      if (parts.length === 1 && method === 'GET') return send(res, 200, { silences: port.silences.list().map((s) => silenceJson(s, now)) });
      if (parts.length === 1 && method === 'POST') {
        const body = await readJsonBody(req, MAX_BODY_BYTES);
        if (body.kind === 'refused') return send(res, body.status, { error: body.error });
        const read = readSilence(body.value, now, parseDuration);
        if ('problems' in read) return send(res, 400, { error: 'invalid silence', problems: read.problems });
        return send(res, 201, silenceJson(port.silences.add(read.silence), now));
      }
      if (parts.length === 2 && method === 'DELETE') {
        const ended = port.silences.expire(parts[1]!, now);
        return ended ? send(res, 200, silenceJson(ended, now)) : send(res, 404, { error: `no silence ${parts[1]}` });
      }
      return send(res, 405, { error: `${method} is not allowed here` });
    }
    if (parts[0] === 'destinations' && parts.length === 1) return send(res, 200, { destinations: port.destinations() });
    if (parts[0] === 'test' && parts.length === 1) {
      if (method !== 'POST') return send(res, 405, { error: `${method} is not allowed here` });
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      const service = body.kind === 'read' && typeof (body.value as { service?: unknown } | null)?.service === 'string' ? (body.value as { service: string }).service : 'logsift-test';
      return send(res, 202, port.test(service));
    }
    if (parts[0] === 'deliveries' && parts.length === 1) {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      return send(res, 200, { deliveries: port.deliveries.list({ ...(query.get('alert') ? { alert: query.get('alert')! } : {}), ...(query.get('destination') ? { destination: query.get('destination')! } : {}) }) });
    }
    const alert = port.engine.get(parts[0]!);
    if (!alert) return send(res, 404, { error: `no alert ${parts[0]}` });
    if (parts.length === 1 && method === 'GET') return send(res, 200, alertJson(alert));
    if (parts.length === 2 && parts[1] === 'snooze' && method === 'POST') {
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      if (body.kind === 'refused') return send(res, body.status, { error: body.error });
      const given = (body.value ?? {}) as { duration?: unknown; created_by?: unknown; comment?: unknown };
      const matchers = { service: alert.service, ...(alert.pattern !== null ? { pattern: alert.pattern } : {}) };
      const read = readSilence({ matchers, duration: given.duration, created_by: given.created_by, comment: given.comment ?? `snoozed alert ${alert.id}` }, now, parseDuration);
      if ('problems' in read) return send(res, 400, { error: 'invalid snooze', problems: read.problems });
      return send(res, 201, silenceJson(port.silences.add(read.silence), now));
    }
    return send(res, 404, { error: `expected ${ALERTS_PREFIX}[/{id}[/snooze] | /silences[/{id}] | /destinations | /deliveries | /test]` });
  };
}
