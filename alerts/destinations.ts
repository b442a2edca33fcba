// Where alerts go, each speaking its service's wire contract (../shared/contracts/alerting.md): Slack incoming
// webhooks (Block Kit with a text fallback), PagerDuty Events v2 (trigger, then resolve on the same
// dedup_key), and a generic webhook carrying Alertmanager's version-4 payload, signed. Each answers what became
// of one request: delivered, to retry (when, if the service said), or failed for good — and whether that
// failure means the destination itself is broken (a Slack channel gone) or only this message was refused.
import { createHmac } from 'node:crypto';
import { parseRetryAfter } from '../pipeline/send_result.js';
import type { Alert, AlertChange, Notification } from './alert_engine.js';

export type DeliveryResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; reason: string; afterMs?: number }
  | { kind: 'failed'; status: number; reason: string; broken: boolean };

export interface Destination {
  /** `type/name`, as configured. */
  readonly id: string;
  /** Services it takes alerts of; empty: all. */
  readonly services: readonly string[];
  /** Least time between two requests (Slack takes about one a second per webhook). */
  readonly minIntervalMs: number;
  send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}

const SLACK_SECTION_CHARS = 3000;
const SLACK_MAX_BLOCKS = 50;
const PAGERDUTY_SUMMARY_CHARS = 1024;
/** PagerDuty asks that a rate-limited event be sent again after about 30 s. */
const PAGERDUTY_RETRY_MS = 30_000;
export const SIGNATURE_HEADER = 'logsift-signature';

/** How a service's answers read: which status is success, which are worth another try, which mean the destination is broken. */
interface AnswerRules {
  delivered: (status: number) => boolean;
  retry: (status: number) => boolean;
  broken: readonly number[];
  /** When a retryable answer says nothing of when (PagerDuty's 429: about 30 s). */
  retryAfterMs?: (status: number) => number | undefined;
}

/** One POST and what became of it, read by the destination's rules; a network failure is retried. */
async function deliver(url: string, body: string, headers: Record<string, string>, signal: AbortSignal, rules: AnswerRules): Promise<DeliveryResult> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal });
    text = (await response.text()).slice(0, 500);
  } catch (error) {
    return { kind: 'retry', status: null, reason: (error as Error).message };
  }
  const status = response.status;
  if (rules.delivered(status)) return { kind: 'delivered', status };
  const reason = `HTTP ${status}: ${text}`;
  if (rules.retry(status)) {
    const after = parseRetryAfter(response.headers.get('retry-after'), Date.now()) ?? rules.retryAfterMs?.(status);
    return { kind: 'retry', status, reason, ...(after !== undefined ? { afterMs: after } : {}) };
  }
  return { kind: 'failed', status, reason, broken: rules.broken.includes(status) };
}

// Slack: 200 "ok"; 429 and 5xx again; a channel gone or archived, an app no longer allowed (403/404/410): nothing
// sent there arrives until someone fixes it.
const SLACK_ANSWERS: AnswerRules = { delivered: (s) => s === 200, retry: (s) => s === 429 || s >= 500, broken: [403, 404, 410] };
// PagerDuty: 202; a 429 means the event was not taken — again about 30 s later, as PagerDuty suggests; a bad key is broken.
const PAGERDUTY_ANSWERS: AnswerRules = { delivered: (s) => s === 202, retry: (s) => s === 429 || s >= 500, broken: [401, 403, 404], retryAfterMs: (s) => (s === 429 ? PAGERDUTY_RETRY_MS : undefined) };
const WEBHOOK_ANSWERS: AnswerRules = { delivered: (s) => s >= 200 && s < 300, retry: (s) => s === 408 || s === 429 || s >= 500, broken: [401, 403, 404, 410] };

/** One line per alert state, the same for every destination. */
export function headline(n: Notification): string {
  const a = n.alert;
  const kinds = [...new Set(a.findings.map((f) => f.kind))].join(', ');
  const patterns = new Set(a.findings.map((f) => f.pattern).filter(Boolean)).size;
  const state = n.reason === 'resolved' ? 'RESOLVED' : `FIRING:${a.severity}`;
  return `[${state}] ${a.service}: ${kinds} on ${patterns === 0 ? 'the whole service' : `${patterns} pattern${patterns === 1 ? '' : 's'}`}`;
}

function findingLine(f: Alert['findings'][number]): string {
  const rate = `${round(f.observed)} per window against ${round(f.expected)} expected`;
  const what = f.pattern ? `pattern ${f.pattern}${f.template ? ` \`${f.template.replaceAll('`', "'")}\`` : ''}` : 'the service';
  return `• ${f.kind} on ${what} since ${new Date(f.start).toISOString()}${f.end !== null ? ` (closed ${new Date(f.end).toISOString()})` : ''}: ${rate}`;
}

/** A finding's sample lines, as Slack shows them (under the finding, code-formatted). */
function sampleLines(f: Alert['findings'][number]): string[] {
  return (f.samples ?? []).map((l) => `    \`${new Date(l.at).toISOString()} ${l.severity} ${l.body.replaceAll('`', "'")}\`${l.how === 'retro' ? ' (brought back)' : ''}`);
}

function changeText(a: Alert, c: AlertChange): string {
  const when = `at ${new Date(c.at).toISOString()}, ${Math.round((a.openedAt - c.at) / 60_000)} min before`;
  return c.kind === 'policy' ? `sampling policy version ${c.version} went live ${when}` : `${c.key} became ${c.to}${c.from !== null ? ` (was ${c.from})` : ''} ${when}`;
}

/** What changed in the service before the alert opened, one line each. */
function changeLines(a: Alert): string[] {
  return (a.changes ?? []).map((c) => `• ${changeText(a, c)}`);
}

function changeJson(c: AlertChange): Record<string, unknown> {
  return { ...c, at: new Date(c.at).toISOString() };
}

function sampleJson(f: Alert['findings'][number]) {
  return (f.samples ?? []).map((l) => ({ ...l, at: new Date(l.at).toISOString() }));
}

const round = (x: number) => Number(x.toPrecision(3));

export class SlackDestination implements Destination {
  readonly minIntervalMs = 1000;

  constructor(
    readonly id: string,
    private readonly url: string,
    readonly services: readonly string[],
  ) {}

  payload(n: Notification): { text: string; blocks: unknown[] } {
    const text = headline(n);
    const lines = [...n.alert.findings.flatMap((f) => [findingLine(f) + (f.link ? ` <${f.link}|see the pattern>` : ''), ...sampleLines(f)]), ...changeLines(n.alert)];
    const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${text}*`.slice(0, SLACK_SECTION_CHARS) } }];
    // Findings in sections of at most 3000 characters, within Slack's 50 blocks.
    let section = '';
    for (const line of lines) {
      if (section.length + line.length + 1 > SLACK_SECTION_CHARS) {
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section } });
        section = '';
      }
      section += `${section ? '\n' : ''}${line.slice(0, SLACK_SECTION_CHARS)}`;
    }
    if (section) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section } });
    if (blocks.length > SLACK_MAX_BLOCKS) blocks.splice(SLACK_MAX_BLOCKS - 1, blocks.length, { type: 'section', text: { type: 'mrkdwn', text: `…and ${lines.length} findings in all` } });
    return { text, blocks };
  }

  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    return deliver(this.url, JSON.stringify(this.payload(n)), {}, signal, SLACK_ANSWERS);
  }
}

export class PagerDutyDestination implements Destination {
  readonly minIntervalMs = 0;

  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly routingKey: string,
    readonly services: readonly string[],
  ) {}

  payload(n: Notification): Record<string, unknown> {
    const a = n.alert;
    const dedup = `logsift/${a.service}/${a.id}`;
    const links = a.findings.filter((f) => f.link).map((f) => ({ href: f.link!, text: `pattern ${f.pattern}` }));
    if (n.reason === 'resolved') return { routing_key: this.routingKey, event_action: 'resolve', dedup_key: dedup };
    return {
      routing_key: this.routingKey,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: {
        summary: headline(n).slice(0, PAGERDUTY_SUMMARY_CHARS),
        source: 'logsift',
        severity: a.severity,
        timestamp: new Date(a.openedAt).toISOString(),
        component: a.service,
        group: a.service,
        class: [...new Set(a.findings.map((f) => f.kind))].join(','),
        custom_details: {
          findings: a.findings.map((f) => ({ kind: f.kind, pattern_id: f.pattern || null, template: f.template ?? null, since: new Date(f.start).toISOString(), observed: f.observed, expected: f.expected, sample_lines: sampleJson(f) })),
          changes_before: a.changes?.map(changeJson) ?? [],
        },
      },
      ...(links.length > 0 ? { links } : {}),
    };
  }

  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    return deliver(this.url, JSON.stringify(this.payload(n)), {}, signal, PAGERDUTY_ANSWERS);
  }
}

/**
 * Alertmanager's webhook payload (version 4), signed: `logsift-signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">` with the destination's secret — the receiver recomputes it and refuses a `t`
 * too old (a replayed request).
 */
export class WebhookDestination implements Destination {
  readonly minIntervalMs = 0;

  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly secret: string,
    readonly services: readonly string[],
    private readonly externalUrl: string,
  ) {}

  payload(n: Notification): Record<string, unknown> {
    const a = n.alert;
    const status = n.reason === 'resolved' ? 'resolved' : 'firing';
    const groupLabels = { service: a.service, ...(a.pattern !== null ? { pattern_id: a.pattern } : {}) };
    return {
      version: '4',
      groupKey: `{}:${JSON.stringify(groupLabels)}`,
      truncatedAlerts: 0,
      status,
      receiver: this.id,
      groupLabels,
      commonLabels: { alertname: 'logsift', service: a.service, severity: a.severity },
      commonAnnotations: { summary: headline(n), ...(a.changes?.length ? { changes_before: changeLines(a).map((l) => l.slice(2)).join('; ') } : {}) },
      externalURL: this.externalUrl,
      alerts: a.findings.map((f) => ({
        status: f.end !== null || status === 'resolved' ? 'resolved' : 'firing',
        labels: { alertname: `logsift_${f.kind}`, service: f.service, kind: f.kind, pattern_id: f.pattern, severity: a.severity },
        annotations: {
          summary: findingLine(f).slice(2),
          observed: String(f.observed),
          expected: String(f.expected),
          ...(f.template ? { template: f.template } : {}),
          ...(f.samples?.length ? { sample_lines: f.samples.map((l) => `${new Date(l.at).toISOString()} ${l.severity} ${l.body}`).join('\n') } : {}),
          ...(f.link ? { pattern_url: f.link } : {}),
        },
        startsAt: new Date(f.start).toISOString(),
        endsAt: f.end !== null ? new Date(f.end).toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: `${this.externalUrl}/api/v1/alerts/${a.id}`,
        fingerprint: f.id,
      })),
    };
  }

  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(this.payload(n));
    const t = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', this.secret).update(`${t}.${body}`).digest('hex');
    return deliver(this.url, body, { [SIGNATURE_HEADER]: `t=${t},v1=${signature}` }, signal, WEBHOOK_ANSWERS);
  }
}
