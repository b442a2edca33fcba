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
import { DEFAULT_CONFIG_PATH } from '../../config/load.js';
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
  });
  after(() => d.stop());

  it('accepts a change within three rounds for SDK traffic and for records with a zero trace id', async () => {
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
    const metrics = async () => (await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text());
    const accepted = async () => Number(/logsift_tuner_rounds_total\{provider="rules",outcome="accepted"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
    // Sixteen minutes of traffic, 40 records a second per service sent every five seconds (three rounds fall
    // in it: at about 5, 10 and 15 minutes). Sent side by side: each answer waits for the batch processor.
    for (let second = 0; second < 16 * 60; second += 5) {
      for (let k = 0; k < 200; k++) client.logger.emit({ body: TEMPLATES[k % 5]!(n++), severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
      const [, res] = await Promise.all([client.flush(), fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: legacyBatch() })]);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      fake.tick(5000);
      // A round replays the tape in chunks, yielding to the event loop between them: let it finish.
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    }
    await client.shutdown();
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
});
