// The policy endpoints a fleet polls (issue 15), on the daemon's embedded default configuration: 10,000
// services each with a policy; `GET /api/v1/policies/{service}` with the ETag the consumer holds (a 304, as
// a cached consumer sees it) at 2,000 requests/s open loop, beside `GET /healthz` at the same rate in the
// same run (the telemetry server's own floor), so the figure is a ratio; then 5,000 long-polls held open at
// once, with the memory the daemon reports (`process_resident_memory_bytes`) before and while they wait.
// Last line: JSON.
import http from 'node:http';
import os from 'node:os';
import hdr from 'hdr-histogram-js';
import { defaultPolicy } from '../policy/policy.js';
import { startDefaultDaemon } from './daemon_process.js';

const SERVICES = Number(process.env.BENCH_CONTROL_SERVICES ?? 10_000);
const RATE = Number(process.env.BENCH_CONTROL_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_CONTROL_SECONDS ?? 10);
const WAITS = Number(process.env.BENCH_CONTROL_WAITS ?? 5_000);

const daemon = await startDefaultDaemon({ LOGSIFT_STORAGE_SYNC: 'normal' });
const telemetryPort = daemon.telemetryPort;
const base = `http://127.0.0.1:${telemetryPort}`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function request(pathname: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: telemetryPort, path: pathname, method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// 10,000 services, each with a policy of its own (forced: there is no traffic to replay them over).
const etags: string[] = [];
const started = Date.now();
for (let next = 0; next < SERVICES; ) {
  const batch = Array.from({ length: Math.min(32, SERVICES - next) }, (_, i) => next + i);
  next += batch.length;
  const answers = await Promise.all(
    batch.map((n) => request(`/api/v1/policies/svc-${n}?force=true`, { 'content-type': 'application/json' }, 'POST', JSON.stringify({ ...defaultPolicy(`svc-${n}`), reasoning: `service ${n}` }))),
  );
  answers.forEach((a, i) => {
    if (a.status !== 201 || !a.etag) throw new Error(`POST for svc-${batch[i]} answered ${a.status}`);
    etags[batch[i]!] = a.etag;
  });
}
const loadSeconds = (Date.now() - started) / 1000;

/** Open loop: a request every 1/RATE s whatever the answers do; latency from when it was due. */
async function openLoop(pick: (i: number) => { path: string; headers: Record<string, string>; expect: number }) {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const t0 = performance.now();
  const total = RATE * SECONDS;
  const pending: Promise<void>[] = [];
  let wrong = 0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const { path: p, headers, expect } = pick(i);
    // From when it was due (a request sent late waited that long too), or from when it was sent if earlier.
    const from = Math.min(due, performance.now());
    pending.push(
      request(p, headers).then((answer) => {
        if (answer.status !== expect) wrong += 1;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - from) * 1000)));
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  return { requests_per_s: Math.round(total / elapsed), p50_ms: histogram.getValueAtPercentile(50) / 1000, p99_ms: histogram.getValueAtPercentile(99) / 1000, unexpected: wrong };
}

const random = (i: number) => (i * 7919) % SERVICES;
const healthz = await openLoop(() => ({ path: '/healthz', headers: {}, expect: 200 }));
const policies = await openLoop((i) => ({ path: `/api/v1/policies/svc-${random(i)}`, headers: { 'if-none-match': etags[random(i)]! }, expect: 304 }));

async function reportedRss(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^logsift_process_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0) / 1024 / 1024;
}
async function openWaits(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^logsift_policy_open_waits (\d+)/m.exec(text)?.[1] ?? 0);
}

// 5,000 consumers, each holding a long-poll (60 s) on a service's policy it already has.
const rssBefore = await reportedRss();
const waitAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const held: http.ClientRequest[] = [];
let failedToOpen = 0;
// Opened 250 at a time, each group held before the next (a burst of thousands of connects overflows the
// listen backlog); a wait that fails to open is counted, not retried.
for (let opened = 0; opened < WAITS; ) {
  const group = Math.min(250, WAITS - opened);
  for (let i = opened; i < opened + group; i++) {
    const n = i % SERVICES;
    const req = http.request({ host: '127.0.0.1', port: telemetryPort, path: `/api/v1/policies/svc-${n}?wait=60s`, agent: waitAgent, headers: { 'if-none-match': etags[n]! } }, (res) => res.resume());
    req.on('error', () => (failedToOpen += 1));
    req.end();
    held.push(req);
  }
  opened += group;
  const deadline = Date.now() + 20_000;
  while ((await openWaits()) < opened - failedToOpen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
const heldOpen = await openWaits();
const rssWaiting = await reportedRss();
for (const req of held) req.destroy();

const summary = {
  bench: 'control',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  services: SERVICES,
  policies_loaded_in_s: Math.round(loadSeconds * 10) / 10,
  rate_per_s: RATE,
  seconds: SECONDS,
  healthz,
  get_policy_304: policies,
  p99_ratio_to_healthz: Math.round((policies.p99_ms / healthz.p99_ms) * 100) / 100,
  long_polls: { asked: WAITS, held: heldOpen, failed_to_open: failedToOpen, reported_rss_mb_before: Math.round(rssBefore), reported_rss_mb_waiting: Math.round(rssWaiting), kb_per_wait: Math.round((((rssWaiting - rssBefore) * 1024) / Math.max(1, heldOpen)) * 10) / 10 },
};
agent.destroy();
await daemon.stop();
console.log(JSON.stringify(summary));
