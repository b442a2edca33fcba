// Loopback stand-ins for the alert destinations, each following ../shared/contracts/alerting.md: a payload
// that breaks the contract is answered as the service answers it (and recorded as a violation, so a test
// fails on it); answers can be scripted (a 429 with Retry-After, a 500, a 404) for the next requests.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface StandIn<T> {
  url: string;
  /** Payloads taken (answered with success). */
  received: T[];
  /** Every request, taken or not, with the status it was answered. */
  requests: Array<{ status: number; body: unknown }>;
  violations: string[];
  /** Answers for the next requests, in order, instead of the contract's success (a payload is still checked first). */
  script(...answers: Array<{ status: number; body?: string; retryAfter?: string }>): void;
  /** Every request from now on answered this way, until cleared with `undefined`. */
  answerAll(answer: { status: number; body?: string } | undefined): void;
  close(): Promise<void>;
}

type Check<T> = (body: unknown, headers: http.IncomingHttpHeaders, raw: string) => { ok: true; value: T } | { ok: false; status: number; body: string; violation: string };

async function standIn<T>(check: Check<T>, success: (value: T) => { status: number; body: string; type?: string }): Promise<StandIn<T>> {
  const received: T[] = [];
  const requests: Array<{ status: number; body: unknown }> = [];
  const violations: string[] = [];
  const scripted: Array<{ status: number; body?: string; retryAfter?: string }> = [];
  let always: { status: number; body?: string; retryAfter?: string } | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        violations.push('the body is not JSON');
        requests.push({ status: 400, body: raw });
        res.writeHead(400).end('invalid_payload');
        return;
      }
      const checked = check(body, req.headers, raw);
      if (!checked.ok) {
        violations.push(checked.violation);
        requests.push({ status: checked.status, body });
        res.writeHead(checked.status).end(checked.body);
        return;
      }
      const next = scripted.shift() ?? always;
      if (next) {
        requests.push({ status: next.status, body });
        res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end(next.body ?? '');
        return;
      }
      received.push(checked.value);
      const answer = success(checked.value);
      requests.push({ status: answer.status, body });
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain' }).end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    requests,
    violations,
    script: (...answers) => scripted.push(...answers),
    answerAll: (answer) => (always = answer),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const bad = (status: number, body: string, violation: string) => ({ ok: false as const, status, body, violation });

export interface SlackMessage {
  text: string;
  blocks: Array<{ type: string; text: { type: string; text: string } }>;
}

/** Slack incoming webhook: `text` always, at most 50 blocks, section texts of at most 3000 characters; 200 `ok`. */
export function slackStandIn(): Promise<StandIn<SlackMessage>> {
  return standIn<SlackMessage>((body) => {
    const m = body as Partial<SlackMessage>;
    if (typeof m.text !== 'string' || m.text === '') return bad(400, 'invalid_payload', 'slack: no text fallback');
    if (m.blocks !== undefined) {
      if (!Array.isArray(m.blocks) || m.blocks.length > 50) return bad(400, 'invalid_payload', 'slack: blocks must be an array of at most 50');
      for (const b of m.blocks) {
        if (b.type !== 'section' || b.text?.type !== 'mrkdwn' || typeof b.text.text !== 'string') return bad(400, 'invalid_payload', `slack: not a mrkdwn section: ${JSON.stringify(b)}`);
        if (b.text.text.length > 3000 || b.text.text.length === 0) return bad(400, 'invalid_payload', 'slack: a section text is empty or over 3000 characters');
      }
    }
    return { ok: true, value: m as SlackMessage };
  }, () => ({ status: 200, body: 'ok' }));
}

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  payload?: { summary: string; source: string; severity: string; timestamp?: string; component?: string; group?: string; class?: string; custom_details?: unknown };
  links?: Array<{ href: string; text?: string }>;
}

/** PagerDuty Events API v2: 32-character routing key, actions, dedup_key ≤ 255, trigger payload's required fields; 202. */
export function pagerDutyStandIn(): Promise<StandIn<PagerDutyEvent>> {
  const invalid = (violation: string) => bad(400, JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [violation] }), `pagerduty: ${violation}`);
  return standIn<PagerDutyEvent>(
    (body) => {
      const e = body as Partial<PagerDutyEvent>;
      if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) return invalid('routing_key must be 32 characters');
      if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action ?? '')) return invalid('event_action');
      if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) return invalid('dedup_key over 255 characters');
      if (e.event_action !== 'trigger' && !e.dedup_key) return invalid('acknowledge and resolve need the dedup_key');
      if (e.event_action === 'trigger') {
        const p = e.payload;
        if (!p || typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) return invalid('payload.summary (1 to 1024 characters) is required');
        if (typeof p.source !== 'string' || p.source === '') return invalid('payload.source is required');
        if (!['critical', 'error', 'warning', 'info'].includes(p.severity)) return invalid('payload.severity must be critical, error, warning or info');
        if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp))) return invalid('payload.timestamp');
        if (e.links !== undefined && (!Array.isArray(e.links) || e.links.some((l) => typeof l?.href !== 'string' || (l.text !== undefined && typeof l.text !== 'string')))) return invalid('links must be [{href, text}]');
      }
      return { ok: true, value: e as PagerDutyEvent };
    },
    (e) => ({ status: 202, type: 'application/json', body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: e.dedup_key ?? 'generated' }) }),
  );
}

export interface AlertmanagerPayload {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }>;
}

/** A generic webhook taking Alertmanager's version-4 payload, checking logsift's signature (HMAC-SHA256 of "t.body"). */
export function webhookStandIn(secret: string): Promise<StandIn<AlertmanagerPayload>> {
  return standIn<AlertmanagerPayload>((body, headers, raw) => {
    const header = String(headers['logsift-signature'] ?? '');
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!match) return bad(401, 'no signature', 'webhook: no logsift-signature header');
    const expected = createHmac('sha256', secret).update(`${match[1]}.${raw}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) return bad(401, 'bad signature', 'webhook: the signature does not verify');
    const p = body as Partial<AlertmanagerPayload>;
    if (p.version !== '4' || typeof p.groupKey !== 'string' || !['firing', 'resolved'].includes(p.status ?? '') || !Array.isArray(p.alerts)) return bad(400, 'bad payload', 'webhook: not an Alertmanager v4 payload');
    for (const a of p.alerts) {
      if (!['firing', 'resolved'].includes(a.status) || Number.isNaN(Date.parse(a.startsAt)) || typeof a.endsAt !== 'string' || typeof a.fingerprint !== 'string' || typeof a.labels !== 'object') return bad(400, 'bad alert', `webhook: an alert breaks the v4 shape: ${JSON.stringify(a)}`);
    }
    return { ok: true, value: p as AlertmanagerPayload };
  }, () => ({ status: 200, body: '' }));
}
