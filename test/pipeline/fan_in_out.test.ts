// Fan-in from several receivers, fan-out to several exporters and pipelines, and the acknowledgement rule
// across them: a client is answered 2xx only when every exporter of every pipeline it feeds accepted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { readFileExport } from '../support/file_output.js';
import { freePort } from '../support/ports.js';
import { PosthogStandin } from '../support/posthog_standin.js';
import { ExportLogsServiceRequest, encodeExportRequest } from '../../proto/otlp.js';

function post(port: number, marker: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: marker } }] }] }] }),
  });
}

const bodies = (d: TestDaemon, file: string) => readFileExport(path.join(d.dir, file)).map((r) => r.record.body?.stringValue).sort();

describe('fan-in and fan-out', () => {
  const standin = new PosthogStandin();
  let d: TestDaemon;
  let secondPort: number;
  before(async () => {
    const host = await standin.start();
    secondPort = await freePort();
    d = await startDaemon(`
receivers:
  otlp:
    protocols: { http: { endpoint: "{{HTTP}}" } }
  otlp/second:
    protocols: { http: { endpoint: "127.0.0.1:${secondPort}" } }
processors:
  batch: { timeout: 5ms }
exporters:
  file/a: { path: "{{DIR}}/a.jsonl" }
  file/b: { path: "{{DIR}}/b.jsonl" }
  file/audit: { path: "{{DIR}}/audit.jsonl" }
  posthog: { endpoint: "${host}", api_key: phc_fanout, sending_queue: { enabled: false }, retry_on_failure: { enabled: false } }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs:
      receivers: [otlp, otlp/second]
      processors: [batch]
      exporters: [file/a, file/b]
    logs/audit:
      receivers: [otlp]
      exporters: [file/audit, posthog]
`);
  });
  after(async () => {
    await d.stop();
    await standin.stop();
  });

  it('records from both receivers reach both exporters of their pipeline; a shared receiver feeds both pipelines', async () => {
    assert.equal((await post(d.httpPort, 'from-first')).status, 200);
    assert.equal((await post(secondPort, 'from-second')).status, 200);
    assert.deepEqual(bodies(d, 'a.jsonl'), ['from-first', 'from-second']);
    assert.deepEqual(bodies(d, 'b.jsonl'), ['from-first', 'from-second']);
    assert.deepEqual(bodies(d, 'audit.jsonl'), ['from-first'], 'the audit pipeline is fed by the first receiver only');
    assert.equal(standin.records, 1);
  });

  it('a record read from protobuf reaches every pipeline whole: attributes, ids, times and body', async () => {
    const request = ExportLogsServiceRequest.fromObject({
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] },
        scopeLogs: [{
          scope: { name: 'cart.http' },
          logRecords: [{
            timeUnixNano: '1795000000000000001',
            severityNumber: 9,
            body: { stringValue: 'from-protobuf' },
            attributes: [{ key: 'http.route', value: { stringValue: '/cart' } }, { key: 'retries', value: { intValue: 2 } }],
            traceId: Buffer.alloc(16, 0xab),
            spanId: Buffer.alloc(8, 0xcd),
          }],
        }],
      }],
    });
    const res = await fetch(`http://127.0.0.1:${d.httpPort}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(encodeExportRequest(request as never)) });
    assert.equal(res.status, 200);
    for (const file of ['a.jsonl', 'audit.jsonl']) {
      const found = readFileExport(path.join(d.dir, file)).find((r) => r.record.body?.stringValue === 'from-protobuf');
      assert.ok(found, `in ${file}`);
      assert.deepEqual(found.record.attributes, [{ key: 'http.route', value: { stringValue: '/cart' } }, { key: 'retries', value: { intValue: '2' } }], `attributes in ${file}`);
      assert.equal(found.record.traceId, 'ab'.repeat(16), `trace id in ${file}`);
      assert.equal(found.record.spanId, 'cd'.repeat(8), `span id in ${file}`);
      assert.equal(found.record.timeUnixNano, '1795000000000000001', `time in ${file}`);
      assert.deepEqual(found.resource, [{ key: 'service.name', value: { stringValue: 'cart' } }], `resource in ${file}`);
    }
  });

  it('one failing exporter in one pipeline fails the whole acknowledgement; the rest still delivered', async () => {
    standin.scripted.push(503);
    const res = await post(d.httpPort, 'posthog-down');
    assert.equal(res.status, 503, 'not every exporter accepted, so the client must retry');
    assert.ok(bodies(d, 'a.jsonl').includes('posthog-down'), 'delivered where it could be (a retry may duplicate it)');
    assert.ok(bodies(d, 'audit.jsonl').includes('posthog-down'));

    assert.equal((await post(secondPort, 'second-unaffected')).status, 200, 'a receiver not feeding that pipeline is unaffected');
  });

  it('counts sent and failed records per exporter, and processor traffic per pipeline', async () => {
    // On its own traffic (what the tests before it sent is read first), so it holds run alone or in any order.
    const metrics = async () => (await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text());
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"/]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const series = {
      failed: 'logsift_exporter_send_failed_log_records_total{exporter="posthog"}',
      sentA: 'logsift_exporter_sent_log_records_total{exporter="file/a"}',
      sentPosthog: 'logsift_exporter_sent_log_records_total{exporter="posthog"}',
      batchIn: 'logsift_processor_incoming_log_records_total{processor="batch",pipeline="logs"}',
    };
    const before = await metrics();
    assert.equal((await post(d.httpPort, 'counted-ok')).status, 200);
    standin.scripted.push(503);
    assert.equal((await post(d.httpPort, 'counted-failed')).status, 503);
    assert.equal((await post(secondPort, 'counted-second')).status, 200);
    const after = await metrics();
    const delta = (name: keyof typeof series) => value(after, series[name]) - value(before, series[name]);
    assert.equal(delta('failed'), 1, 'the record posthog refused');
    assert.equal(delta('sentPosthog'), 1, 'the one it took (the second receiver does not feed it)');
    assert.equal(delta('sentA'), 3);
    assert.equal(delta('batchIn'), 3, 'both receivers feed the logs pipeline');
  });
});
