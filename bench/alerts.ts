// Alerts against the raw findings (issue 16), on the bursty generated day with its labelled incidents and
// deploys (bench/workload.ts: overdispersed, seasonal, level shifts at deploys): the day is replayed on record
// time through signature → ratestats (1 m) → anomaly, and the findings it wrote are fed, in time order, to the
// alert engine with the extension's defaults (alerts/config.ts), ticked every 10 s. Reported side by side:
// raw findings and alerts (new notifications) overall, inside incidents, at deploys and elsewhere; per
// incident, how many alerts it took (the aim: one) and how long after its start the first one went out (the
// aim: within two windows). Last line: JSON.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertEngine, type Finding, type Notification } from '../alerts/alert_engine.js';
import { defaultAlertsConfig } from '../alerts/config.js';
import { Silences } from '../alerts/silences.js';
import { replayCommand } from '../cmd/replay.js';
import { MINUTE, generateWorkload, type Deploy, type Incident } from './workload.js';

const MINUTES = Number(process.env.BENCH_MINUTES ?? 24 * 60);
const RATE = Number(process.env.BENCH_RATE ?? 300);
const TICK_MS = 10_000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-alerts-'));
const traffic = path.join(dir, 'traffic.jsonl');
// Sent in 5 s batches, as an SDK's exporter sends (a detector fed whole minutes would find everything a minute late).
const { incidents, deploys } = generateWorkload(traffic, MINUTES, RATE, 5_000);
const config = path.join(dir, 'config.yaml');
writeFileSync(config, `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m, time: record }
  anomaly: { time: record }
exporters:
  nop:
service:
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly], exporters: [nop] }
`);
const out = path.join(dir, 'out');
const started = performance.now();
if ((await replayCommand({ config, input: traffic, out })) !== 0) throw new Error('replay failed');
const replaySeconds = (performance.now() - started) / 1000;
const detectedAt = new Map<string, number>();
const closedAt = new Map<string, number>();
const findings: Finding[] = readFileSync(path.join(out, 'anomalies.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => {
  const a = JSON.parse(l) as { kind: Finding['kind']; service: string; pattern_id: string; start: number; detected: number; end: number | null; closed: number | null; observed: number; expected: number; score: number; error: boolean };
  // Named as the anomaly processor names them.
  detectedAt.set(`${a.kind}:${a.service}:${a.pattern_id}:${a.start}`, a.detected);
  if (a.closed !== null) closedAt.set(`${a.kind}:${a.service}:${a.pattern_id}:${a.start}`, a.closed);
  return { id: `${a.kind}:${a.service}:${a.pattern_id}:${a.start}`, kind: a.kind, service: a.service, pattern: a.pattern_id, start: a.start, end: a.end ?? null, observed: a.observed, expected: a.expected, score: a.score, error: a.error };
});

// The engine, as the extension runs it with its defaults.
const defaults = defaultAlertsConfig();
const engine = new AlertEngine(
  {
    groupBy: 'service',
    groupWaitMs: defaults.group_wait.ms,
    groupIntervalMs: defaults.group_interval.ms,
    repeatIntervalMs: defaults.repeat_interval.ms,
    sendResolved: defaults.send_resolved,
    confirmForMs: Object.fromEntries(Object.entries(defaults.confirm_for).map(([k, d]) => [k, d!.ms])),
    keepResolved: 10_000,
    newPatterns: defaults.new_patterns,
  },
  new Silences(1),
);
// A finding reaches the engine when the detector found it (a window's end, or within it), not at the window's
// start; its close, when the hysteresis closed it, not at the end of its last anomalous window.
type Event = { at: number; open: boolean; finding: Finding };
const events: Event[] = findings.flatMap((f) => [{ at: detectedAt.get(f.id)!, open: true, finding: f }, ...(closedAt.has(f.id) ? [{ at: closedAt.get(f.id)!, open: false, finding: f }] : [])]).sort((a, b) => a.at - b.at);
const notifications: Notification[] = [];
let next = 0;
const from = Math.floor((events[0]?.at ?? 0) / TICK_MS) * TICK_MS;
const until = (events[events.length - 1]?.at ?? 0) + 30 * MINUTE;
for (let t = from; t <= until; t += TICK_MS) {
  while (next < events.length && events[next]!.at <= t) {
    const e = events[next++]!;
    if (e.open) engine.opened(e.finding, e.at);
    else engine.closed(e.finding);
  }
  notifications.push(...engine.tick(t));
}
const alerts = notifications.filter((n) => n.reason === 'new');

const inIncident = (service: string, at: number) => incidents.some((i) => i.service === service && at >= i.start - MINUTE && at <= i.end + 2 * MINUTE);
const atDeploy = (service: string, at: number) => deploys.some((d: Deploy) => d.service === service && at >= d.at && at <= d.at + 30 * MINUTE);
const where = (service: string, at: number) => (inIncident(service, at) ? 'incident' : atDeploy(service, at) ? 'deploy' : 'elsewhere');
const split = <T>(items: T[], key: (x: T) => { service: string; at: number }) => {
  const out = { incident: 0, deploy: 0, elsewhere: 0 };
  for (const x of items) out[where(key(x).service, key(x).at)] += 1;
  return out;
};
const rawSplit = split(findings, (f) => ({ service: f.service, at: f.start }));
const alertSplit = split(alerts, (n) => ({ service: n.alert.service, at: n.alert.openedAt }));

// Per incident: alerts that went out for its service while it was on, and the first one's delay.
const perIncident = incidents.map((i: Incident) => {
  const told = alerts.filter((n) => n.alert.service === i.service && n.at >= i.start - MINUTE && n.at <= i.end + 2 * MINUTE);
  const firing = notifications.some((n) => n.alert.service === i.service && n.reason !== 'resolved' && n.alert.openedAt <= i.start && n.at >= i.start - 5 * MINUTE);
  const first = told.length > 0 ? Math.min(...told.map((n) => n.at)) : undefined;
  return { kind: i.kind, service: i.service, alerts: told.length, already_firing: firing && told.length === 0, delay_s: first === undefined ? null : Math.round((first - i.start) / 1000) };
});
const alerted = perIncident.filter((p) => p.alerts > 0 || p.already_firing);
const withinTwo = perIncident.filter((p) => (p.delay_s !== null && p.delay_s <= 120) || p.already_firing);
const summary = {
  bench: 'alerts',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  traffic: `generated, ${MINUTES} minutes, peak ${RATE} records/min/service, ${incidents.length} incidents, ${deploys.length} deploys`,
  replay_seconds: Number(replaySeconds.toFixed(1)),
  raw_findings: { total: findings.length, ...rawSplit },
  alerts: { total: alerts.length, ...alertSplit },
  alerts_over_findings_elsewhere: rawSplit.elsewhere === 0 ? null : Number((alertSplit.elsewhere / rawSplit.elsewhere).toFixed(3)),
  alerts_over_findings_outside_incidents: rawSplit.elsewhere + rawSplit.deploy === 0 ? null : Number(((alertSplit.elsewhere + alertSplit.deploy) / (rawSplit.elsewhere + rawSplit.deploy)).toFixed(3)),
  incidents: incidents.length,
  incidents_alerted: alerted.length,
  incidents_alerted_within_two_windows: withinTwo.length,
  incidents_with_one_alert: perIncident.filter((p) => p.alerts === 1 || (p.alerts === 0 && p.already_firing)).length,
  max_alerts_for_one_incident: Math.max(0, ...perIncident.map((p) => p.alerts)),
  notifications_by_reason: Object.fromEntries(['new', 'changed', 'repeat', 'resolved'].map((r) => [r, notifications.filter((n) => n.reason === r).length])),
};
if (process.env.BENCH_DEBUG) {
  const rel = (t: number) => `${((t - (incidents[0]?.start ?? 0) + 60 * MINUTE) / MINUTE).toFixed(1)}m`;
  process.stderr.write(`incidents:\n${incidents.map((i) => `  ${i.kind} ${i.service} ${rel(i.start)}–${rel(i.end)}`).join('\n')}\ndeploys:\n${deploys.map((d) => `  ${d.service} ${rel(d.at)}`).join('\n')}\nfindings:\n${findings.map((f) => `  ${f.kind} ${f.service} ${f.pattern.slice(0, 6)} ${rel(f.start)} (found ${rel(detectedAt.get(f.id)!)})–${f.end === null ? 'open' : rel(f.end)}`).join('\n')}\nnotifications:\n${notifications.map((n) => `  ${n.reason} ${n.alert.service} ${rel(n.at)} [${n.alert.findings.map((f) => f.kind).join(',')}]`).join('\n')}\n`);
  process.stderr.write(`${JSON.stringify(perIncident)}\n`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`findings ${findings.length} → alerts ${alerts.length}; outside incidents ${rawSplit.elsewhere + rawSplit.deploy} → ${alertSplit.elsewhere + alertSplit.deploy}; incidents alerted ${alerted.length}/${incidents.length}, within two windows ${withinTwo.length}, with one alert ${summary.incidents_with_one_alert}`);
console.log(JSON.stringify(summary));
