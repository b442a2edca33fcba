// SIGTERM while requests are in flight: receivers stop taking new data, every request already accepted is
// answered once the backend took it, and the process exits 0. Past the deadline nothing is claimed as sent.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { startCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { PosthogStandin } from '../support/posthog_standin.js';

async function configFile(posthog: string, shutdownTimeout: string): Promise<{ file: string; httpPort: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-life-'));
  const [grpcPort, httpPort, telemetryPort] = [await freePort(), await freePort(), await freePort()];
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort} }
      http: { endpoint: 127.0.0.1:${httpPort} }
exporters:
  posthog: { endpoint: ${posthog}, api_key: phc_lifecycle }
service:
  data_dir: ${dir}
  shutdown_timeout: ${shutdownTimeout}
  telemetry: { metrics: { address: 127.0.0.1:${telemetryPort} } }
  pipelines:
    logs: { receivers: [otlp], exporters: [posthog] }
`);
  return { file, httpPort };
}

function send(httpPort: number, request: number, records: number): Promise<number> {
  const logRecords = Array.from({ length: records }, (_, i) => ({ body: { stringValue: `r${request}-${i}` } }));
  return fetch(`http://127.0.0.1:${httpPort}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] }),
  }).then(
    async (res) => {
      await res.arrayBuffer();
      return res.status;
    },
    () => -1, // connection refused or reset: not acknowledged, which is allowed
  );
}

describe('graceful shutdown', () => {
  const standin = new PosthogStandin();
  afterEach(async () => {
    standin.gate = undefined;
    standin.received.length = 0;
    await standin.stop();
  });

  it('SIGTERM with requests in flight: each is answered 200 after its records reached the backend; exit 0', async () => {
    let release!: () => void;
    standin.gate = new Promise((resolve) => (release = resolve));
    const { file, httpPort } = await configFile(await standin.start(), '30s');
    const daemon = await startCli(['run', '--config', file]);

    const inflight = Array.from({ length: 20 }, (_, i) => send(httpPort, i, 50));
    while (standin.received.length < 20) await once(standin, 'received');

    const shuttingDown = new Promise<void>((resolve) => daemon.child.stderr!.on('data', () => daemon.logs().includes('shutting down') && resolve()));
    daemon.child.kill('SIGTERM');
    await shuttingDown;
    assert.equal(await send(httpPort, 99, 1), -1, 'a stopped receiver takes no new connections');

    release();
    const statuses = await Promise.all(inflight);
    assert.deepEqual(statuses, Array(20).fill(200), 'every in-flight request was answered once delivered');
    assert.equal(await daemon.exited, 0);
    assert.equal(standin.records, 20 * 50);
    assert.match(daemon.logs(), /"drained":true/);
  });

  it('past the shutdown deadline the daemon exits 0 without acknowledging what it could not deliver', async () => {
    standin.gate = new Promise(() => undefined); // the backend never answers
    const { file, httpPort } = await configFile(await standin.start(), '300ms');
    const daemon = await startCli(['run', '--config', file]);
    const inflight = Array.from({ length: 5 }, (_, i) => send(httpPort, i, 10));
    while (standin.received.length < 5) await once(standin, 'received');
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
    const statuses = await Promise.all(inflight);
    assert.ok(statuses.every((s) => s !== 200), `no request may be acknowledged: ${statuses}`);
    assert.match(daemon.logs(), /shutdown deadline passed before every batch was acknowledged/);
  });
});
