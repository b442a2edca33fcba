// The Python SDK, as a user gets it: built with `pip wheel`, installed with its OpenTelemetry dependencies in
// a virtual environment of its own; its own tests run there (pytest: the shared vectors, the fault tests),
// and a small application of it logging through stdlib logging and structlog is run against a real daemon
// on loopback and held to what every SDK is held to (test/support/sdk_app.ts).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { PYTHON_SDK_DIR, installPythonSdk } from '../support/python_sdk_env.js';
import { SDK_DAEMON_CONFIG, SdkApp, runSdkApp } from '../support/sdk_app.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sdkDir = PYTHON_SDK_DIR;
let python = '';

describe('the Python SDK', () => {
  let d: TestDaemon;
  before(async () => {
    python = installPythonSdk();
    d = await startDaemon(SDK_DAEMON_CONFIG);
  });
  after(async () => {
    await d?.stop();
  });

  it('passes its own tests against the installed wheel: the shared vectors, the faults', () => {
    const run = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', path.join(sdkDir, 'tests')], { cwd: path.join(repo, 'test-artifacts'), encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, / passed/);
    assert.doesNotMatch(run.stdout, /skipped/);
  });

  it('in an application against a real daemon: the ledger plus the reported drops is what it logged; a switched policy changes what it keeps', async () => {
    const service = 'sdk-py-shop';
    const policyFile = path.join(repo, 'test-artifacts', 'python-sdk-policy.json');
    // A policy kept by an earlier run would be the app's first: it starts without one.
    rmSync(policyFile, { force: true });
    const start = () =>
      new SdkApp(
        spawn(python, [path.join(sdkDir, 'tests', 'e2e_app.py')], {
          cwd: path.join(repo, 'test-artifacts'),
          env: { ...process.env, SERVICE: service, LOGSIFT_ENDPOINT: `http://127.0.0.1:${d.telemetryPort}`, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: d.httpUrl, OTEL_BLRP_SCHEDULE_DELAY: '50', POLICY_FILE: policyFile },
        }),
      );
    await runSdkApp(d, start, { service, before: 3000, after: 400, reporters: 1 });
  });
});
