// SIGTERM while requests are in flight: receivers stop taking new data, every request already accepted is
// answered once the backend took it, and the process exits 0. Past the deadline nothing is claimed as sent
// that was not; queued batches the backend did not take are saved and sent at the next start.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { startCli } from '../support/cli.js';
import { writeConfigFile } from '../support/config_file.js';
import { PosthogStandin } from '../support/posthog_standin.js';

function configFile(posthog: string, shutdownTimeout: string, queue: string, dir?: string) {
  return writeConfigFile(
    {
      exporters: `  posthog: { endpoint: ${posthog}, api_key: phc_lifecycle, sending_queue: ${queue}, timeout: 1s, retry_on_failure: { initial_interval: 20ms, max_interval: 100ms } }`,
      service: `  shutdown_timeout: ${shutdownTimeout}`,
      pipeline: { exporters: ['posthog'] },
    },
    dir,
  );
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
    const { file, httpPort } = await configFile(await standin.start(), '30s', '{ enabled: false }');
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

  it('without a queue, past the deadline nothing undelivered is acknowledged', async () => {
    standin.gate = new Promise(() => undefined); // the backend never answers
    const { file, httpPort } = await configFile(await standin.start(), '300ms', '{ enabled: false }');
    const daemon = await startCli(['run', '--config', file]);
    const inflight = Array.from({ length: 5 }, (_, i) => send(httpPort, i, 10));
    while (standin.received.length < 5) await once(standin, 'received');
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
    const statuses = await Promise.all(inflight);
    assert.ok(statuses.every((s) => s !== 200), `no request may be acknowledged: ${statuses}`);
    assert.match(daemon.logs(), /shutdown deadline passed before every batch was acknowledged/);
  });

  it('with the backend down at shutdown, the in-memory queue is saved and sent at the next start', async () => {
    standin.gate = new Promise(() => undefined);
    const host = await standin.start();
    const first = await configFile(host, '300ms', '{ enabled: true }');
    const daemon = await startCli(['run', '--config', first.file]);
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => send(first.httpPort, i, 25)));
    assert.deepEqual(statuses, Array(8).fill(200), 'queued, so acknowledged');
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
    assert.match(daemon.logs(), /the rest is saved in the store and will be sent at the next start/);

    // The backend is back: a new run of the daemon on the same data dir delivers the saved batches.
    standin.gate = undefined;
    standin.received.length = 0;
    const second = await configFile(host, '5s', '{ enabled: true }', first.dir);
    const restarted = await startCli(['run', '--config', second.file]);
    const expected = new Set(Array.from({ length: 8 }, (_, r) => Array.from({ length: 25 }, (_, i) => `r${r}-${i}`)).flat());
    const seen = new Set<string>();
    for (;;) {
      for (const req of standin.received) for (const rl of req.request.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) seen.add(String(r.body?.stringValue));
      if (seen.size >= expected.size) break;
      await once(standin, 'received');
    }
    assert.deepEqual([...seen].sort(), [...expected].sort());
    restarted.child.kill('SIGTERM');
    assert.equal(await restarted.exited, 0);
  });
});
