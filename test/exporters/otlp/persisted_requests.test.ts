// A persistent queue sends what it stored as stored (exporters/helper/queued_payload.ts): requests queued
// together leave as one OTLP request — their stored bytes concatenated, which protobuf reads as one message
// with every resource_logs entry — in order, with every field intact.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { decodeExportRequest, type PbExportRequest } from '../../../proto/otlp.js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../../support/daemon.js';

describe('otlp_http from a persistent queue', () => {
  const received: PbExportRequest[] = [];
  const sink = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(decodeExportRequest(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  let d: TestDaemon | undefined;
  after(async () => {
    await d?.stop();
    await new Promise((resolve) => sink.close(resolve));
  });

  it('sends requests queued together as one, every record intact', async () => {
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const port = (sink.address() as AddressInfo).port;
    const daemon = await startDaemon(`${OTLP_RECEIVER}exporters:
  otlp_http:
    endpoint: http://127.0.0.1:${port}
    compression: none
    sending_queue: { persistent: true, num_consumers: 1, batch: { flush_timeout: 2s, min_size: 15 } }
service:
  data_dir: "{{DIR}}"
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [otlp_http] }
`);
    d = daemon;
    for (const service of ['cart', 'billing', 'search']) {
      const res: Response = await fetch(daemon.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceLogs: [{
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeLogs: [{ logRecords: Array.from({ length: 5 }, (_, i) => ({ body: { stringValue: `${service} ${i}` }, severityNumber: 9, attributes: [{ key: 'n', value: { intValue: String(i) } }] })) }],
          }],
        }),
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    while (received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received.length, 1, 'one request for the three queued ones');
    const groups = received[0]!.resourceLogs ?? [];
    assert.deepEqual(groups.map((g) => g.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue), ['cart', 'billing', 'search']);
    for (const g of groups) {
      const service = g.resource!.attributes![0]!.value!.stringValue;
      const records = g.scopeLogs!.flatMap((sl) => sl.logRecords ?? []);
      assert.deepEqual(records.map((r) => r.body?.stringValue), [0, 1, 2, 3, 4].map((i) => `${service} ${i}`));
      assert.deepEqual(records.map((r) => Number(r.attributes?.[0]?.value?.intValue)), [0, 1, 2, 3, 4]);
    }
  });
});
