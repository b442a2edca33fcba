// The control API and the `logsift policy` CLI against a real daemon fed by the OpenTelemetry JS SDK over
// loopback: GET with ETag and If-None-Match → 304, POST validated (400 with every problem) and guarded
// (clamps reported), history, diff and rollback; and a policy swapped many times while the SDK sends loses
// and duplicates nothing: every record is in the ledger once, every kept one is in the output once, and every
// error is kept.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Store } from '../../store/store.js';
import { runCli } from '../support/cli.js';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';
import { attr, readFileExport } from '../support/file_output.js';
import { SeverityNumber, sdkExporter, sdkProvider } from '../support/otel_clients.js';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { SAMPLE_RATE_ATTRIBUTE } from '../../processors/sampler/sample_attributes.js';

const CONFIG = `${OTLP_RECEIVER}processors:
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler:
    ledger: { flush_interval: 1h }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
extensions:
  tuner:
    provider: rules
    interval: 1h
service:
  data_dir: "{{DIR}}"
  extensions: [tuner]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [file] }
`;

describe('control API and policy CLI', () => {
  let d: TestDaemon;
  let api: string;
  let endpoint: string;
  const dirs: string[] = [];
  before(async () => {
    d = await startDaemon(CONFIG);
    dirs.push(d.dir);
    endpoint = `http://127.0.0.1:${d.telemetryPort}`;
    api = `${endpoint}/api/v1/policies`;
  });
  after(async () => {
    await d.daemon.stop();
    for (const dir of [...dirs, d.dir]) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404 for a service it has not seen', async () => {
    const response = await fetch(`${api}/nobody`);
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: string }).error, /no policy for nobody/);
  });

  it('swaps policies under load without losing or duplicating a record, and keeps every error', async () => {
    const client = sdkProvider(sdkExporter('http/protobuf', d, false), { 'service.name': 'checkout' });
    const total = 6000;
    let posted = 0;
    const send = async () => {
      for (let i = 0; i < total; i++) {
        const error = i % 97 === 0;
        client.logger.emit({
          body: error ? `payment failed for order ${i}` : `GET /cart/${i % 50} returned 200 in ${i % 13} ms`,
          severityNumber: error ? SeverityNumber.ERROR : SeverityNumber.INFO,
          attributes: { seq: i },
        });
        if (i % 500 === 499) await client.flush();
      }
      await client.flush();
    };
    const swap = async () => {
      for (let k = 0; k < 12; k++) {
        const body = k % 2 === 0
          ? { mode: 'dynamic', severity_keep: { INFO: 0.1, ERROR: 1, FATAL: 1 }, pattern_keep: {}, budget: { records_per_second: null, bytes_per_second: null, keep_fraction: 0.05, scope: 'service' }, first_k_per_window: 1, keep_rules: [], anomaly_boost: { keep: 1, cooldown_seconds: 300 }, reasoning: `swap ${k}` }
          : { mode: 'static', severity_keep: { INFO: 0.2, ERROR: 1, FATAL: 1 }, pattern_keep: {}, budget: { records_per_second: null, bytes_per_second: null, keep_fraction: null, scope: 'service' }, first_k_per_window: 1, keep_rules: [], anomaly_boost: { keep: 1, cooldown_seconds: 300 }, reasoning: `swap ${k}` };
        const response = await fetch(`${api}/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        assert.equal(response.status, 201, await response.text());
        posted += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all([send(), swap()]);
    await client.shutdown();
    assert.equal(posted, 12);

    const history = (await (await fetch(`${api}/checkout/history`)).json()) as { versions: Array<{ version: number; author: string }> };
    assert.deepEqual(history.versions.map((v) => v.version), Array.from({ length: 13 }, (_, i) => i));
    assert.equal(history.versions[0]!.author, 'config');

    // The ledger is flushed at shutdown: stop the daemon and count.
    await d.daemon.stop();
    const out = readFileExport(path.join(d.dir, 'out.jsonl'));
    const seqs = out.map((r) => Number((attr(r.record.attributes, 'seq') as { intValue: string }).intValue));
    assert.equal(new Set(seqs).size, seqs.length, 'no record exported twice');
    const errors = out.filter((r) => r.record.severityNumber === SeverityNumber.ERROR).length;
    assert.equal(errors, Math.ceil(total / 97), 'every error kept');
    const store = new Store(path.join(d.dir, 'logsift.db'), 'normal');
    const ledger = store.ledger('checkout');
    store.close();
    assert.equal(ledger.reduce((n, r) => n + r.seen, 0), total, 'every record decided once');
    assert.equal(ledger.reduce((n, r) => n + r.kept, 0), out.length, 'the ledger\'s kept records are the exported ones');
    assert.ok(out.length < total / 2, `sampling happened: ${out.length} of ${total} kept`);
    // The swaps reached the sampler: the static policies' INFO records went out at 1 / 0.2.
    const rates = out.filter((r) => r.record.severityNumber === SeverityNumber.INFO).map((r) => (attr(r.record.attributes, SAMPLE_RATE_ATTRIBUTE) as { doubleValue?: number; intValue?: string }));
    assert.ok(rates.some((v) => (v.doubleValue ?? Number(v.intValue)) === 5), 'records kept under the static policy');
    // Restarted on the same data dir, the daemon puts the newest version back.
    d = await startDaemon(CONFIG.replaceAll('{{DIR}}', d.dir));
    endpoint = `http://127.0.0.1:${d.telemetryPort}`;
    api = `${endpoint}/api/v1/policies`;
  });

  it('serves the policy with an ETag, and 304 when it has not changed', async () => {
    const first = await fetch(`${api}/checkout`);
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]{64}"$/, 'the ETag is the policy\'s hash');
    const policy = (await first.json()) as { version: number; reasoning: string };
    assert.equal(policy.version, 12);
    const again = await fetch(`${api}/checkout`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  it('refuses an invalid policy with every problem, and clamps a valid one to the invariants', async () => {
    const bad = await fetch(`${api}/checkout`, { method: 'POST', body: JSON.stringify({ mode: 'sometimes', severity_keep: { INFO: 2 }, extra: 1 }) });
    assert.equal(bad.status, 400);
    const problems = ((await bad.json()) as { problems: string[] }).problems.join('\n');
    assert.match(problems, /mode/);
    assert.match(problems, /extra/);
    const notJson = await fetch(`${api}/checkout`, { method: 'POST', body: '{' });
    assert.equal(notJson.status, 400);

    const current = (await (await fetch(`${api}/checkout`)).json()) as Record<string, unknown>;
    const zeroed = { ...current, severity_keep: { INFO: 0.2, ERROR: 0, FATAL: 0 }, first_k_per_window: 0, reasoning: 'hands off the errors' };
    const stale = await fetch(`${api}/checkout`, { method: 'POST', headers: { 'if-match': `"${'0'.repeat(64)}"` }, body: JSON.stringify(zeroed) });
    assert.equal(stale.status, 412);
    const etag = (await fetch(`${api}/checkout`)).headers.get('etag')!;
    const accepted = await fetch(`${api}/checkout`, { method: 'POST', headers: { 'if-match': etag }, body: JSON.stringify(zeroed) });
    assert.equal(accepted.status, 201);
    const result = (await accepted.json()) as { version: number; policy: { severity_keep: Record<string, number>; first_k_per_window: number }; clamps: Array<{ path: string }> };
    assert.equal(result.version, 13);
    assert.equal(result.policy.severity_keep.ERROR, 1);
    assert.equal(result.policy.first_k_per_window, 1);
    assert.deepEqual(result.clamps.map((c) => c.path).sort(), ['first_k_per_window', 'severity_keep.ERROR', 'severity_keep.FATAL']);
  });

  it('logsift policy show, history, diff and rollback talk to it', async () => {
    const show = await runCli(['policy', 'show', '--service', 'checkout', '--endpoint', endpoint, '--json']);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { version: number }).version, 13);
    const text = await runCli(['policy', 'show', '--service', 'checkout', '--endpoint', endpoint]);
    assert.match(text.stdout, /checkout version 13 \(static\)/);

    const history = await runCli(['policy', 'history', '--service', 'checkout', '--endpoint', endpoint]);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^v0 .* config/m);
    assert.match(history.stdout, /^v13 .* user .*clamps 3/m);

    const diff = await runCli(['policy', 'diff', '1', '2', '--service', 'checkout', '--endpoint', endpoint, '--json']);
    assert.equal(diff.code, 0, diff.stderr);
    const changes = (JSON.parse(diff.stdout) as { changes: Array<{ path: string; a: unknown; b: unknown }> }).changes;
    assert.deepEqual(changes.find((c) => c.path === 'mode'), { path: 'mode', a: 'dynamic', b: 'static' });
    assert.deepEqual(changes.find((c) => c.path === 'budget.keep_fraction'), { path: 'budget.keep_fraction', a: 0.05, b: null });

    const rollback = await runCli(['policy', 'rollback', '1', '--service', 'checkout', '--endpoint', endpoint]);
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /back on version 1's policy as version 14/);
    const now = (await (await fetch(`${api}/checkout`)).json()) as { version: number; mode: string };
    assert.deepEqual([now.version, now.mode], [14, 'dynamic']);

    const missing = await runCli(['policy', 'rollback', '99', '--service', 'checkout', '--endpoint', endpoint]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no version 99/);
  });

  it('logsift policy propose asks the live daemon for a dry-run round', async () => {
    const propose = await runCli(['policy', 'propose', '--service', 'checkout', '--endpoint', endpoint, '--json']);
    assert.equal(propose.code, 0, propose.stderr);
    const result = JSON.parse(propose.stdout) as Record<string, unknown>;
    for (const key of ['candidate', 'accepted', 'clamps', 'replay', 'provider', 'reasoning']) assert.ok(key in result, key);
    assert.equal(result.provider, 'rules');
    const now = (await (await fetch(`${api}/checkout`)).json()) as { version: number };
    assert.equal(now.version, 14, 'a dry run changes nothing');
  });
});
