// `logsift alerts list|silence|test`: a running daemon's alerts extension from the command line.
import { callDaemon, printFailure } from './control_endpoint.js';

interface Common {
  endpoint: string;
  json?: boolean;
}

const NEEDS = 'the alerts extension';
const call = (endpoint: string, method: string, path: string, body?: unknown) => callDaemon(endpoint, method, `/api/v1/alerts${path}`, body, NEEDS);

type AlertView = { id: string; service: string; status: string; severity: string; opened_at: string; resolved_at: string | null; findings: Array<{ kind: string; pattern_id: string | null }> };

export async function alertsList(options: Common & { all?: boolean }): Promise<number> {
  const result = await call(options.endpoint, 'GET', '');
  if (result.status !== 200) return printFailure(result);
  const { open, resolved } = result.value as { open: AlertView[]; resolved: AlertView[] };
  const shown = options.all ? [...open, ...resolved] : open;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(shown)}\n`);
    return 0;
  }
  if (shown.length === 0) {
    process.stdout.write(options.all ? 'no alerts\n' : 'no open alerts\n');
    return 0;
  }
  for (const a of shown) {
    const kinds = [...new Set(a.findings.map((f) => f.kind))].join(', ');
    process.stdout.write(`${a.status.padEnd(8)} ${a.severity.padEnd(8)} ${a.service.padEnd(20)} ${kinds} (${a.findings.length} finding${a.findings.length === 1 ? '' : 's'}) since ${a.opened_at}${a.resolved_at ? `, resolved ${a.resolved_at}` : ''}  ${a.id}\n`);
  }
  return 0;
}

export async function alertsSilence(options: Common & { service?: string; kind?: string; pattern?: string; duration: string; comment: string; author: string }): Promise<number> {
  const matchers = { ...(options.service ? { service: options.service } : {}), ...(options.kind ? { kind: options.kind } : {}), ...(options.pattern !== undefined ? { pattern: options.pattern } : {}) };
  const result = await call(options.endpoint, 'POST', '/silences', { matchers, duration: options.duration, created_by: options.author, comment: options.comment });
  if (result.status !== 201) return printFailure(result);
  const silence = result.value as { id: string; starts_at: string; ends_at: string };
  process.stdout.write(options.json ? `${JSON.stringify(silence)}\n` : `silence ${silence.id} until ${silence.ends_at}\n`);
  return 0;
}

/** Sends a test alert and waits (up to `waitSeconds`) for each destination's first outcome. */
export async function alertsTest(options: Common & { service?: string; waitSeconds: number }): Promise<number> {
  const sent = await call(options.endpoint, 'POST', '/test', options.service ? { service: options.service } : {});
  if (sent.status !== 202) return printFailure(sent);
  const { alert_id, destinations } = sent.value as { alert_id: string; destinations: string[] };
  if (destinations.length === 0) {
    process.stderr.write('no destination takes this service\'s alerts: configure slack, pagerduty or webhook under the alerts extension\n');
    return 1;
  }
  const deadline = Date.now() + options.waitSeconds * 1000;
  let outcomes = new Map<string, { outcome: string; status: number | null; error: string | null }>();
  while (outcomes.size < destinations.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const log = await call(options.endpoint, 'GET', `/deliveries?alert=${encodeURIComponent(alert_id)}`);
    if (log.status !== 200) return printFailure(log);
    const entries = (log.value as { deliveries: Array<{ destination: string; outcome: string; status: number | null; error: string | null }> }).deliveries;
    // Newest first: the first seen per destination is its latest outcome.
    outcomes = new Map();
    for (const e of entries) if (!outcomes.has(e.destination)) outcomes.set(e.destination, e);
  }
  let failed = 0;
  for (const destination of destinations) {
    const o = outcomes.get(destination);
    const line = o ? `${o.outcome}${o.status !== null ? ` (HTTP ${o.status})` : ''}${o.error ? `: ${o.error}` : ''}` : `no answer within ${options.waitSeconds}s`;
    if (!o || o.outcome !== 'delivered') failed += 1;
    process.stdout.write(`${destination.padEnd(30)} ${line}\n`);
  }
  return failed === 0 ? 0 : 1;
}
