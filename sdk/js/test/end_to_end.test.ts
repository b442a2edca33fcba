// The JavaScript SDK end to end, as a user gets it: the package built and packed (npm pack), installed in a
// small application that logs through winston, pino (its transport, in a worker thread) and the
// OpenTelemetry logger to a real daemon on loopback. What the daemon's ledger counts plus the drops the SDK
// reported is what the application logged; the records it kept carry the daemon's marks and pass the
// daemon's sampler as they came; a policy switched at the daemon reaches the SDK by its long-poll and
// changes what it keeps. (The daemon runs in this process, the application in its own.)
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Store } from '../../../store/store.js';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../../../test/support/daemon.js';
import { attr, readFileExport } from '../../../test/support/file_output.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkDir = path.resolve(here, '..');
const repo = path.resolve(sdkDir, '../..');
const SERVICE = 'sdk-shop';

const CONFIG = `${OTLP_RECEIVER}processors:
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

/** Builds and packs the SDK, and installs the tarball in an application directory beside the repository's modules. */
function installPackedSdk(): string {
  const app = path.join(repo, 'test-artifacts', 'sdk-js-app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(path.join(app, 'node_modules', '@logsift', 'sdk'), { recursive: true });
  execFileSync(process.execPath, [path.join(sdkDir, 'build.js')], { stdio: 'inherit' });
  execFileSync('npm', ['pack', '--silent', '--pack-destination', app], { cwd: sdkDir });
  const tarball = readdirSync(app).find((f) => f.endsWith('.tgz'))!;
  execFileSync('tar', ['-xzf', path.join(app, tarball), '-C', path.join(app, 'node_modules', '@logsift', 'sdk'), '--strip-components=1']);
  copyFileSync(path.join(here, 'app.mjs'), path.join(app, 'app.mjs'));
  return app;
}

class App {
  readonly #events: Array<Record<string, unknown>> = [];
  readonly #waiters: Array<() => void> = [];
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      this.#events.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }
  /** The first event (after those already taken) that matches; waits for it. */
  async next(match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const at = this.#events.findIndex(match);
      if (at >= 0) return this.#events.splice(at, 1)[0]!;
      if (this.child.exitCode !== null) throw new Error(`the app exited (${this.child.exitCode}) before the event`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }
}

describe('the JavaScript SDK, packed, in an application, against a real daemon', () => {
  let d: TestDaemon;
  let appDir: string;
  before(async () => {
    appDir = installPackedSdk();
    d = await startDaemon(CONFIG);
  });
  after(async () => {
    await d?.stop();
  });

  it('the ledger plus the reported drops is what the app logged; a policy switched at the daemon changes what the SDK keeps', async () => {
    const endpoint = `http://127.0.0.1:${d.telemetryPort}`;
    const putPolicy = async (severity_keep: Record<string, number>, reasoning: string) => {
      const response = await fetch(`${endpoint}/api/v1/policies/${SERVICE}?force=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: SERVICE, version: 0, mode: 'static', severity_keep, pattern_keep: {}, budget: { records_per_second: null, bytes_per_second: null, keep_fraction: null, scope: 'service' }, first_k_per_window: 1, keep_rules: [], anomaly_boost: { keep: 1, cooldown_seconds: 60 }, reasoning }),
      });
      assert.equal(response.status, 201, await response.text());
    };
    await putPolicy({ UNSPECIFIED: 0.1, TRACE: 0.01, DEBUG: 0.02, INFO: 0.1, WARN: 0.5, ERROR: 1, FATAL: 1 }, 'little of the chatter');
    const child = spawn(process.execPath, ['app.mjs'], {
      cwd: appDir,
      env: { ...process.env, SERVICE, LOGSIFT_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: d.httpUrl, OTEL_BLRP_SCHEDULE_DELAY: '50', POLICY_FILE: path.join(appDir, 'policy.json') },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const app = new App(child);

    assert.equal((await app.next((e) => e.event === 'policy')).version, 1);
    await app.next((e) => e.event === 'ready');
    app.send('log 3000');
    await app.next((e) => e.event === 'logged');
    // A policy that keeps everything, switched at the daemon: the SDK hears of it through its long-poll.
    await putPolicy({ UNSPECIFIED: 1, TRACE: 1, DEBUG: 1, INFO: 1, WARN: 1, ERROR: 1, FATAL: 1 }, 'keep everything');
    const policy = await app.next((e) => e.event === 'policy');
    assert.equal(policy.version, 2);
    app.send('switch 400');
    await app.next((e) => e.event === 'logged');
    app.send('stop');
    const stopped = await app.next((e) => e.event === 'stopped');
    assert.equal(stopped.logged, 3400);
    assert.equal(stopped.failures, 0, stderr);
    assert.equal(stopped.unreported, 0, stderr);

    const stats = (await (await fetch(`${endpoint}/api/v1/patterns/stats/${SERVICE}`)).json()) as { seen: number; kept: number; instances: unknown[] };
    assert.equal(stats.instances.length, 2, 'the app and its pino worker each report');
    assert.equal(stats.seen, 3400, 'the SDKs report every record logged');
    await d.daemon.stop();
    const out = readFileExport(path.join(d.dir, 'out.jsonl'));
    const store = new Store(path.join(d.dir, 'logsift.db'), 'normal');
    const ledger = store.ledger(SERVICE);
    store.close();
    const arrived = ledger.reduce((n, r) => n + r.seen, 0);
    assert.equal(arrived, stats.kept, 'every record the SDKs kept reached the daemon');
    assert.equal(arrived + (stats.seen - stats.kept), 3400, 'the ledger plus the reported drops is what the app logged');
    // pino's worker takes its lines when it gets to them, maybe after the switch: the share is judged on the others.
    const channelOf = (r: (typeof out)[number]) => (attr(r.record.attributes, 'channel') as { stringValue: string } | undefined)?.stringValue;
    const before = out.filter((r) => channelOf(r) !== 'pino' && !String(r.record.body?.stringValue ?? '').startsWith('after-switch')).length;
    assert.ok(before < 0.25 * 2000, `the SDK dropped noise at the source (${before} of the 2000 records logged before the switch outside pino)`);
    assert.ok(before > 200, 'every error, and some of the rest');
    assert.equal(out.length, arrived, 'the daemon passed what was sampled upstream as it came');
    const counted = out.reduce((n, r) => n + Number((attr(r.record.attributes, 'logsift.sample_count') as { intValue: string }).intValue), 0);
    assert.ok(counted <= 3400 && counted > 3000, `sample counts carry the drops (${counted})`);
    const errors = out.filter((r) => r.record.severityNumber === 17).length;
    assert.equal(errors, 340, 'every error kept');
    const afterSwitch = out.filter((r) => String(r.record.body?.stringValue ?? '').startsWith('after-switch'));
    assert.equal(afterSwitch.length, 400, 'after the switch the SDK keeps everything, as the new policy says');
  });
});
