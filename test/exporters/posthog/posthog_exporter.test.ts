// The posthog exporter against a stand-in that follows PostHog's capture contract: what a real SDK sends
// arrives decoded and intact, gzip'd protobuf with a bearer token, service.name always set, split under
// 2 MiB; a record over the limit is dead-lettered rather than retried forever.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fromKeyValues } from '../../../pipeline/any_value.js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { sdkExporter, sdkProvider, SeverityNumber, spanContext } from '../../support/otel_clients.js';
import { POSTHOG_LIMIT, PosthogStandin } from '../../support/posthog_standin.js';

const TOKEN = 'phc_testprojecttoken0123456789';

function pipelineTo(host: string): string {
  return `${OTLP_RECEIVER}exporters:
  posthog:
    endpoint: ${host}
    api_key: ${TOKEN}
    retry_on_failure: { initial_interval: 10ms, max_interval: 50ms }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [posthog] }
`;
}

function allRecords(standin: PosthogStandin) {
  return standin.received.flatMap((r) =>
    (r.request.resourceLogs ?? []).flatMap((rl) =>
      (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((record) => ({ resource: fromKeyValues(rl.resource?.attributes), record }))),
    ),
  );
}

async function postJson(url: string, body: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('posthog exporter', () => {
  const standin = new PosthogStandin();
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(pipelineTo(await standin.start()));
  });
  after(async () => {
    await d.stop();
    await standin.stop();
  });
  beforeEach(() => {
    standin.received.length = 0;
    standin.scripted.length = 0;
  });

  it('delivers what a real SDK sent, as gzip protobuf with the project token', async () => {
    const client = sdkProvider(sdkExporter('grpc', d, false), { 'service.name': 'checkout', 'deployment.environment': 'prod' });
    for (let i = 0; i < 40; i++) {
      client.logger.emit({
        body: `payment ${i} captured`,
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        attributes: { 'payment.id': `p-${i}`, amount: i * 1.5 },
        context: spanContext('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'),
      });
    }
    await client.flush();
    await client.shutdown();
    await standin.waitForRecords(40);

    const got = allRecords(standin);
    assert.equal(got.length, 40);
    for (const r of standin.received) {
      assert.equal(r.token, TOKEN);
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(r.headers['content-encoding'], 'gzip');
      assert.equal(r.headers['content-type'], 'application/x-protobuf');
    }
    const bodies = got.map((g) => g.record.body?.stringValue).sort();
    assert.deepEqual(bodies, Array.from({ length: 40 }, (_, i) => `payment ${i} captured`).sort());
    for (const { resource, record } of got) {
      assert.equal(resource['service.name'], 'checkout');
      assert.equal(resource['deployment.environment'], 'prod');
      assert.equal(record.severityNumber, 13);
      assert.equal(Buffer.from(record.traceId!).toString('hex'), '0af7651916cd43dd8448eb211c80319c');
      assert.equal(Buffer.from(record.spanId!).toString('hex'), 'b7ad6b7169203331');
      assert.match(String(fromKeyValues(record.attributes)['payment.id']), /^p-\d+$/);
    }
  });

  it('sets service.name on resources that lack it', async () => {
    const res = await postJson(d.httpUrl, {
      resourceLogs: [
        { resource: { attributes: [{ key: 'host.name', value: { stringValue: 'web-1' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'no service here' } }] }] },
      ],
    });
    assert.equal(res.status, 200);
    await standin.waitForRecords(1);
    const [got] = allRecords(standin);
    assert.equal(got?.resource['service.name'], 'unknown_service');
    assert.equal(got?.resource['host.name'], 'web-1');
  });

  it('splits a large batch into requests under 2 MiB, losing and reordering nothing', async () => {
    const filler = 'x'.repeat(1000);
    const logRecords = Array.from({ length: 4000 }, (_, i) => ({ body: { stringValue: `${i} ${filler}` } }));
    const res = await postJson(d.httpUrl, {
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bulk' } }] }, scopeLogs: [{ logRecords }] }],
    });
    assert.equal(res.status, 200);
    await standin.waitForRecords(4000);
    assert.ok(standin.received.length >= 3, `4 MB of records need at least 3 requests, got ${standin.received.length}`);
    for (const r of standin.received) assert.ok(r.decodedBytes <= 1536 * 1024, `request of ${r.decodedBytes} bytes is over the configured 1.5 MiB`);
    assert.deepEqual(allRecords(standin).map((g) => Number(g.record.body!.stringValue!.split(' ')[0])), logRecords.map((_, i) => i));
  });

  it('a 503 is retried until PostHog takes the batch', async () => {
    standin.scripted.push(503, 502);
    const res = await postJson(d.httpUrl, { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'during outage' } }] }] }] });
    assert.equal(res.status, 200, 'queued: the client is answered once the batch is in the sending queue');
    await standin.waitForRecords(1);
    assert.equal(allRecords(standin)[0]?.record.body?.stringValue, 'during outage');
  });

  it('a record that alone exceeds the limit is dead-lettered once, not retried', async () => {
    const attemptsBefore = standin.attempts.length;
    const res = await postJson(d.httpUrl, {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'y'.repeat(POSTHOG_LIMIT + 10) } }] }] }],
    });
    assert.equal(res.status, 200);
    const metricsUrl = `http://127.0.0.1:${d.telemetryPort}/metrics`;
    let metrics = '';
    while (!/logsift_exporter_dead_lettered_log_records_total\{exporter="posthog",reason="permanent"\} 1/.test(metrics)) {
      metrics = await (await fetch(metricsUrl)).text();
    }
    assert.equal(standin.attempts.length, attemptsBefore, 'never sent: it could not fit any request');
  });
});

describe('posthog stand-in follows the contract', () => {
  const standin = new PosthogStandin();
  let base: string;
  before(async () => {
    base = await standin.start();
  });
  after(() => standin.stop());

  it('answers 401 for personal keys and over-long tokens, 413 over 2 MiB, 400 for garbage, 200 {} otherwise', async () => {
    const post = (query: string, body: Uint8Array, headers: Record<string, string> = {}) =>
      fetch(`${base}/i/v1/logs${query}`, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer> });
    const ok = new TextEncoder().encode(JSON.stringify({ resourceLogs: [] }));
    assert.equal((await post('', ok, { authorization: 'Bearer phx_personal' })).status, 401);
    assert.equal((await post(`?token=phc_${'a'.repeat(70)}`, ok)).status, 401);
    assert.equal((await post('', ok)).status, 401);
    assert.equal((await post('?token=phc_x', gzipSync(Buffer.alloc(POSTHOG_LIMIT + 1, 0x20)))).status, 413);
    const bad = await post('?token=phc_x', new TextEncoder().encode('not otlp at all {'));
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^Failed to decode/);
    const good = await post('?token=phc_x&compression=gzip', gzipSync(ok));
    assert.equal(good.status, 200);
    assert.deepEqual(await good.json(), {});
  });
});
