// The Go SDK, as a user gets it: its module under sdk/go, its own tests run by `go test` (the shared vectors,
// the handler, the faults), and a small application of it logging through slog is built and run against a
// real daemon on loopback and held to what every SDK is held to (test/support/sdk_app.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { SDK_DAEMON_CONFIG, SdkApp, runSdkApp } from '../support/sdk_app.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sdkDir = path.join(repo, 'sdk', 'go');
const artifacts = path.join(repo, 'test-artifacts');
const app = path.join(artifacts, 'go-sdk-e2eapp');

describe('the Go SDK', () => {
  let d: TestDaemon;
  before(async () => {
    const go = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (go.status !== 0) throw new Error(`the Go SDK's tests need Go 1.26 on the PATH (go version: ${go.error?.message ?? go.stderr})`);
    mkdirSync(artifacts, { recursive: true });
    execFileSync('go', ['build', '-o', app, './internal/e2eapp'], { cwd: sdkDir, stdio: 'inherit' });
    d = await startDaemon(SDK_DAEMON_CONFIG);
  });
  after(async () => {
    await d?.stop();
  });

  it('passes its own tests: the shared vectors, the handler, the faults', () => {
    const run = spawnSync('go', ['test', '-count=1', '-v', './...'], { cwd: sdkDir, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^ok\s/m);
    assert.doesNotMatch(run.stdout, /--- SKIP/);
  });

  it('in an application against a real daemon: the ledger plus the reported drops is what it logged; a switched policy changes what it keeps', async () => {
    const service = 'sdk-go-shop';
    const policyFile = path.join(artifacts, 'go-sdk-policy.json');
    // A policy kept by an earlier run would be the app's first: it starts without one.
    rmSync(policyFile, { force: true });
    const start = () =>
      new SdkApp(
        spawn(app, [], {
          cwd: artifacts,
          env: { ...process.env, SERVICE: service, LOGSIFT_ENDPOINT: `http://127.0.0.1:${d.telemetryPort}`, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: d.httpUrl, OTEL_BLRP_SCHEDULE_DELAY: '50', POLICY_FILE: policyFile },
        }),
      );
    await runSdkApp(d, start, { service, before: 3000, after: 400, reporters: 1 });
  });
});
