// The tuner as a new user meets it: the embedded default configuration (rules provider, a round every five
// minutes), a real daemon on a fake clock, steady traffic over OTLP — one service through the OpenTelemetry
// JS SDK, one sending what older Python SDKs send for records logged outside a span (a trace id of zeros).
// Within three rounds each service has a change accepted, and what the live sampler keeps is near the
// target. (Before the fix the zero-trace service kept 0.1% of its records, its rounds asked for a budget
// of 1, and the replays judged nothing.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CONFIG_PATH } from '../../pipeline/load_config.js';
import { Store } from '../../store/store.js';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { SeverityNumber, sdkExporter, sdkProvider } from '../support/otel_clients.js';

const TEMPLATES = [
  (i: number) => `GET /api/items/${i} 200 in ${i % 40}ms`,
  (i: number) => `cache miss for key product:${i}:price`,
  (i: number) => `user ${i % 977} logged in from 10.0.${i % 200}.${i % 250}`,
  (i: number) => `order ${i} shipped to warehouse ${i % 12}`,
  (i: number) => `query took ${i % 300} ms rows=${i % 50}`,
];

/** The embedded default, on the test's ports and data dir. */
function defaultConfig(): string {
  return readFileSync(DEFAULT_CONFIG_PATH, 'utf8')
    .replace('${env:LOGSIFT_OTLP_GRPC_ENDPOINT:-127.0.0.1:4317}', '"{{GRPC}}"')
    .replace('${env:LOGSIFT_OTLP_HTTP_ENDPOINT:-127.0.0.1:4318}', '"{{HTTP}}"')
    .replace('${env:LOGSIFT_DATA_DIR:-./data}', '{{DIR}}')
    .replace('${env:LOGSIFT_TUNER_PROVIDER:-rules}', 'rules')
    .replace('service:\n', 'service:\n  data_dir: {{DIR}}\n  telemetry: { metrics: { address: "{{TELEMETRY}}" } }\n');
}

describe('the tuner, live, on the default configuration', () => {
  const { fake, clock } = fakeClock();
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(defaultConfig(), { clock });
    const client = sdkProvider(sdkExporter('http/protobuf', d, false), { 'service.name': 'shop' });
    let n = 0;
    const legacyBatch = () =>
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'legacy' } }] },
            scopeLogs: [{ logRecords: Array.from({ length: 200 }, (_, k) => ({ body: { stringValue: TEMPLATES[k % 5]!(n++) }, severityNumber: 9, severityText: 'INFO', traceId: '0'.repeat(32), spanId: '0'.repeat(16) })) }],
          },
        ],
      });
    // Sixteen minutes of traffic, 40 records a second per service sent every five seconds (three rounds fall
    // in it: at about 5, 10 and 15 minutes). Sent side by side, as an SDK and an older client would.
    for (let second = 0; second < 16 * 60; second += 5) {
      for (let k = 0; k < 200; k++) client.logger.emit({ body: TEMPLATES[k % 5]!(n++), severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
      const [, res] = await Promise.all([client.flush(), fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: legacyBatch() })]);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      fake.tick(5000);
      // A round replays the tape in chunks, yielding to the event loop between them (a turn every 2,048
      // records, two replays a round): let it finish before time moves on. With the rules provider a round
      // does no I/O, so turns alone settle it — five turns were too few for a full tape, and the round then
      // ran on into the next tick (a rejected or skipped round, once in a few runs).
      for (let turn = 0; turn < 1000; turn++) await new Promise((resolve) => setImmediate(resolve));
    }
    await client.shutdown();
  });
  after(() => d.stop());

  it('accepts a change within three rounds for SDK traffic and for records with a zero trace id', async () => {
    const metrics = async () => (await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text());
    const accepted = async () => Number(/logsift_tuner_rounds_total\{provider="rules",outcome="accepted"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
    const text = await metrics();
    assert.ok((await accepted()) >= 2, `accepted rounds: ${text.split('\n').filter((l) => l.startsWith('logsift_tuner_rounds_total')).join(' | ')}`);
    for (const service of ['shop', 'legacy']) {
      const policy = (await (await fetch(`http://127.0.0.1:${d.telemetryPort}/api/v1/policies/${service}`)).json()) as { version: number };
      assert.ok(policy.version >= 1, `${service}: a change went live (${JSON.stringify(policy)})`);
    }
    // What each service's sampler kept over the last five minutes, from the ledger in the daemon's store.
    const store = new Store(path.join(d.dir, 'logsift.db'), 'normal');
    try {
      for (const service of ['shop', 'legacy']) {
        const rows = store.ledger(service).filter((r) => r.window_start >= clock.now() - 5 * 60_000);
        const share = rows.reduce((a, r) => a + r.kept, 0) / rows.reduce((a, r) => a + r.seen, 0);
        assert.ok(share > 0.02 && share < 0.1, `${service}: the live sampler keeps ${share.toFixed(4)} against a 5% target`);
      }
    } finally {
      store.close();
    }
  });

  it('a posted policy goes live only when its replay accepts it, or forced (recorded); PATCH changes some fields; the list names the services', async () => {
    const api = `http://127.0.0.1:${d.telemetryPort}/api/v1/policies`;
    const list = (await (await fetch(api)).json()) as { services: Array<{ service: string; version: number }> };
    assert.deepEqual(list.services.map((s) => s.service).filter((s) => ['legacy', 'shop'].includes(s)), ['legacy', 'shop']);
    const before = (await (await fetch(`${api}/shop`)).json()) as { version: number; budget: { keep_fraction: number } };
    const post = (body: object, query = '', method = 'POST') => fetch(`${api}/shop${query}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Keeping 90% misses the 5% cost target over the recent traffic: refused, nothing changes.
    const loose = { ...before, budget: { ...before.budget, keep_fraction: 0.9 }, reasoning: 'keep nearly everything' };
    const refused = await post(loose);
    assert.equal(refused.status, 422);
    const verdict = (await refused.json()) as { accepted: boolean; reason: string };
    assert.equal(verdict.accepted, false);
    assert.match(verdict.reason, /cost target/);
    assert.equal(((await (await fetch(`${api}/shop`)).json()) as { version: number }).version, before.version, 'the refused policy is not live');
    // Forced: live, and recorded as forced in its history.
    const forced = await post(loose, '?force=true');
    assert.equal(forced.status, 201);
    const forcedBody = (await forced.json()) as { forced: boolean; version: number; policy: { budget: { keep_fraction: number } } };
    assert.equal(forcedBody.forced, true);
    const history = (await (await fetch(`${api}/shop/history`)).json()) as { versions: Array<{ version: number; reasoning: string }>; rejections: Array<{ reason: string }> };
    assert.match(history.versions.find((v) => v.version === forcedBody.version)!.reasoning, /^forced past the replay's verdict \(.*cost target.*\): keep nearly everything$/);
    assert.ok(history.rejections.some((r) => /cost target/.test(r.reason)), 'the refusal is in the history too');
    // A partial update: only the budget, merged over the policy in force; the replay accepts it. (The forced
    // policy was itself clamped to 4× the one before it, which the rules tuner set from what the live sampler
    // kept — a little different each run: the new fraction stays within one step of it, or the guard would
    // clamp it.)
    const wanted = Math.max(0.04, Number((forcedBody.policy.budget.keep_fraction / 4 + 0.001).toFixed(4)));
    const patched = await post({ budget: { keep_fraction: wanted } }, '', 'PATCH');
    assert.equal(patched.status, 201, await patched.clone().text());
    const live = (await (await fetch(`${api}/shop`)).json()) as { version: number; budget: { keep_fraction: number }; first_k_per_window: number };
    assert.equal(live.budget.keep_fraction, wanted, JSON.stringify(await patched.clone().json()).slice(0, 3000));
    assert.equal(live.first_k_per_window, 1, 'the fields not given stay as they were');
    assert.ok(live.version > forcedBody.version);
  });
});
