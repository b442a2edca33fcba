// The JavaScript SDK end to end, as a user gets it: the package built and packed (npm pack), installed in a
// small application that logs through winston, pino (its transport, in a worker thread) and the
// OpenTelemetry logger to a real daemon on loopback (test/support/sdk_app.ts holds the run every SDK is held
// to: ledger plus reported drops equal what the app logged; a policy switched at the daemon reaches the SDK
// by its long-poll and changes what it keeps).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDaemon, type TestDaemon } from '../../../test/support/daemon.js';
import { SDK_DAEMON_CONFIG, SdkApp, runSdkApp } from '../../../test/support/sdk_app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkDir = path.resolve(here, '..');
const repo = path.resolve(sdkDir, '../..');

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

describe('the JavaScript SDK, packed, in an application, against a real daemon', () => {
  let d: TestDaemon;
  let appDir: string;
  before(async () => {
    appDir = installPackedSdk();
    d = await startDaemon(SDK_DAEMON_CONFIG);
  });
  after(async () => {
    await d?.stop();
  });

  it('the ledger plus the reported drops is what the app logged; a policy switched at the daemon changes what the SDK keeps', async () => {
    const service = 'sdk-js-shop';
    const start = () =>
      new SdkApp(
        spawn(process.execPath, ['app.mjs'], {
          cwd: appDir,
          env: { ...process.env, SERVICE: service, LOGSIFT_ENDPOINT: `http://127.0.0.1:${d.telemetryPort}`, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: d.httpUrl, OTEL_BLRP_SCHEDULE_DELAY: '50', POLICY_FILE: path.join(appDir, 'policy.json') },
        }),
      );
    await runSdkApp(d, start, { service, before: 3000, after: 400, reporters: 2, lateChannel: 'pino' });
  });
});
