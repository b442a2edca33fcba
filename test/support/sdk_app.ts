// What every SDK's end-to-end test shares: the daemon it talks to (signature and sampler, the tuner's control
// API with the fleet's stats endpoint, a file exporter), a small application of the SDK driven over
// stdin/stdout (`log N`, `switch N`, `stop`; one JSON event a line), and the run every SDK is held to — a
// policy set at the daemon before the app starts, records logged, a policy switched at the daemon reaching
// the SDK by its long-poll, and then the counts: the daemon's ledger plus the drops the SDK reported is what
// the app logged.
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Store } from '../../store/store.js';
import { OTLP_RECEIVER, type TestDaemon } from './daemon.js';
import { attr, readFileExport, type FlatRecord } from './file_output.js';

export const SDK_DAEMON_CONFIG = `${OTLP_RECEIVER}processors:
  signature: {}
  sampler:
    ledger: { flush_interval: 1h }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
extensions:
  tuner:
    provider: rules
    interval: 1h
    # Let a user's policy go from keeping little to keeping all in one step (the guard's default is 4x a step).
    guard: { max_step: 1000 }
service:
  data_dir: "{{DIR}}"
  extensions: [tuner]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [file] }
`;

/** An SDK's test application, driven over its stdin; its stdout is one JSON event a line. */
export class SdkApp {
  readonly #events: Array<Record<string, unknown>> = [];
  readonly #waiters: Array<() => void> = [];
  stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    // SDK_APP_ECHO=1 shows what the app says, to follow a run that stalls.
    const echo = process.env.SDK_APP_ECHO === '1';
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (echo) process.stderr.write(`app> ${line}\n`);
      this.#events.push(JSON.parse(line) as Record<string, unknown>);
      this.#wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      if (echo) process.stderr.write(`app! ${chunk.toString()}`);
    });
    child.on('exit', () => this.#wake());
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** The first event not taken yet that matches; waits for it. */
  async next(match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const at = this.#events.findIndex(match);
      if (at >= 0) return this.#events.splice(at, 1)[0]!;
      if (this.child.exitCode !== null) throw new Error(`the app exited (${this.child.exitCode}) before the event:\n${this.stderr}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }
}

const ALL_KEPT = { UNSPECIFIED: 1, TRACE: 1, DEBUG: 1, INFO: 1, WARN: 1, ERROR: 1, FATAL: 1 };
const LITTLE_KEPT = { UNSPECIFIED: 0.1, TRACE: 0.01, DEBUG: 0.02, INFO: 0.1, WARN: 0.5, ERROR: 1, FATAL: 1 };

export async function putStaticPolicy(endpoint: string, service: string, severity_keep: Record<string, number>, reasoning: string): Promise<void> {
  const response = await fetch(`${endpoint}/api/v1/policies/${service}?force=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service, version: 0, mode: 'static', severity_keep, pattern_keep: {}, budget: { records_per_second: null, bytes_per_second: null, keep_fraction: null, scope: 'service' }, first_k_per_window: 1, keep_rules: [], anomaly_boost: { keep: 1, cooldown_seconds: 60 }, reasoning }),
  });
  assert.equal(response.status, 201, await response.text());
}

export interface SdkRunExpectations {
  service: string;
  /** Records the app logs before the switch, and after it. */
  before: number;
  after: number;
  /** Instances that report: the app, and any worker with an SDK of its own. */
  reporters: number;
  /** A channel whose records may be decided after the switch (pino's worker takes its lines when it gets to them). */
  lateChannel?: string;
}

/**
 * The run every SDK is held to. `start` spawns the app once the first policy is at the daemon; the daemon is
 * stopped at the end (its ledger is flushed at shutdown) and every count is checked.
 */
export async function runSdkApp(d: TestDaemon, start: () => SdkApp, expect: SdkRunExpectations): Promise<void> {
  const endpoint = `http://127.0.0.1:${d.telemetryPort}`;
  await putStaticPolicy(endpoint, expect.service, LITTLE_KEPT, 'little of the chatter');
  const app = start();
  try {
    await driveApp(app, endpoint, expect);
  } finally {
    // A failed check must not leave the app holding the test process open.
    if (app.child.exitCode === null) app.child.kill();
  }
  await checkCounts(d, endpoint, expect);
}

async function driveApp(app: SdkApp, endpoint: string, expect: SdkRunExpectations): Promise<void> {
  const total = expect.before + expect.after;
  assert.equal((await app.next((e) => e.event === 'policy')).version, 1);
  await app.next((e) => e.event === 'ready');
  app.send(`log ${expect.before}`);
  await app.next((e) => e.event === 'logged');
  await putStaticPolicy(endpoint, expect.service, ALL_KEPT, 'keep everything');
  assert.equal((await app.next((e) => e.event === 'policy')).version, 2, 'the switch reaches the SDK by its long-poll');
  app.send(`switch ${expect.after}`);
  await app.next((e) => e.event === 'logged');
  app.send('stop');
  const stopped = await app.next((e) => e.event === 'stopped');
  assert.equal(stopped.logged, total);
  assert.equal(stopped.failures, 0, app.stderr);
  assert.equal(stopped.unreported, 0, app.stderr);
}

async function checkCounts(d: TestDaemon, endpoint: string, expect: SdkRunExpectations): Promise<void> {
  const total = expect.before + expect.after;
  const stats = (await (await fetch(`${endpoint}/api/v1/patterns/stats/${expect.service}`)).json()) as { seen: number; kept: number; instances: unknown[] };
  assert.equal(stats.instances.length, expect.reporters, 'every SDK instance reports');
  assert.equal(stats.seen, total, 'the SDKs report every record logged');
  await d.daemon.stop();
  const out = readFileExport(path.join(d.dir, 'out.jsonl'));
  const store = new Store(path.join(d.dir, 'logsift.db'), 'normal');
  const ledger = store.ledger(expect.service);
  store.close();
  const arrived = ledger.reduce((n, r) => n + r.seen, 0);
  assert.equal(arrived, stats.kept, 'every record the SDKs kept reached the daemon');
  assert.equal(arrived + (stats.seen - stats.kept), total, 'the ledger plus the reported drops is what the app logged');
  assert.equal(out.length, arrived, 'the daemon passed what was sampled upstream as it came');
  const counted = out.reduce((n, r) => n + Number((attr(r.record.attributes, 'logsift.sample_count') as { intValue: string }).intValue), 0);
  assert.ok(counted <= total && counted > 0.9 * total, `sample counts carry the drops (${counted} of ${total})`);
  assert.equal(out.filter((r) => (r.record.severityNumber ?? 0) >= 17).length, total / 10, 'every error kept');
  const body = (r: FlatRecord) => String(r.record.body?.stringValue ?? '');
  const channel = (r: FlatRecord) => (attr(r.record.attributes, 'channel') as { stringValue: string } | undefined)?.stringValue;
  assert.equal(out.filter((r) => body(r).startsWith('after-switch')).length, expect.after, 'after the switch the SDK keeps everything, as the new policy says');
  const onTime = out.filter((r) => channel(r) !== expect.lateChannel && !body(r).startsWith('after-switch')).length;
  const onTimeLogged = expect.lateChannel ? (expect.before * 2) / 3 : expect.before;
  assert.ok(onTime < 0.25 * onTimeLogged && onTime > onTimeLogged / 10, `the SDK dropped noise at the source under the first policy (${onTime} of ${onTimeLogged})`);
}
