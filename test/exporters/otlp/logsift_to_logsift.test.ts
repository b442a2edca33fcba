// The otlp_grpc and otlp_http exporters, with another logsift as the OTLP backend: an SDK's records cross
// both daemons intact; with the downstream daemon not yet up, the upstream one queues and retries until it is.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { attr, readFileExport } from '../../support/file_output.js';
import { SeverityNumber, sdkExporter, sdkProvider, spanContext } from '../../support/otel_clients.js';
import { freePort } from '../../support/ports.js';

function downstreamConfig(grpcPort: number, httpPort: number): string {
  return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: "127.0.0.1:${grpcPort}" }
      http: { endpoint: "127.0.0.1:${httpPort}" }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`;
}

function upstreamConfig(exporter: string): string {
  return `${OTLP_RECEIVER}exporters:
  ${exporter}
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [${exporter.split(':')[0]}] }
`;
}

async function waitForFile(d: TestDaemon, run: string, count: number) {
  for (;;) {
    const mine = readFileExport(path.join(d.dir, 'out.jsonl')).filter((r) => attr(r.resource, 'test.run')?.stringValue === run);
    if (mine.length >= count) return mine;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function retries(d: TestDaemon, exporter: string): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
  return Number(new RegExp(`logsift_exporter_retries_total\\{exporter="${exporter}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
}

describe('logsift → logsift over OTLP', () => {
  const daemons: TestDaemon[] = [];
  after(async () => {
    for (const d of daemons.reverse()) await d.stop();
  });

  for (const [type, block] of [
    ['otlp_grpc', (grpc: number) => `otlp_grpc: { endpoint: "127.0.0.1:${grpc}", retry_on_failure: { initial_interval: 20ms, max_interval: 100ms } }`],
    ['otlp_http', (_grpc: number, http: number) => `otlp_http: { endpoint: "http://127.0.0.1:${http}", retry_on_failure: { initial_interval: 20ms, max_interval: 100ms } }`],
  ] as const) {
    it(`${type}: records cross two daemons intact, and wait out the downstream daemon being down`, async () => {
      const [grpcPort, httpPort] = [await freePort(), await freePort()];
      const upstream = await startDaemon(upstreamConfig(block(grpcPort, httpPort)));
      daemons.push(upstream);

      // Downstream not up yet: the upstream daemon acknowledges (queued) and keeps retrying.
      const run = `${type}-chain`;
      const client = sdkProvider(sdkExporter('http/protobuf', upstream, false), { 'service.name': 'chained', 'test.run': run });
      for (let i = 0; i < 10; i++) {
        client.logger.emit({
          body: `hop ${i}`,
          severityNumber: SeverityNumber.ERROR,
          attributes: { hop: i },
          context: spanContext('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'),
        });
      }
      await client.flush();
      await client.shutdown();
      // Downstream comes up only once the upstream daemon has tried and failed (its queue sends in batches, so
      // the first attempt follows the flush timeout, not the answer).
      while (!(await retries(upstream, type))) await new Promise((resolve) => setTimeout(resolve, 20));

      const downstream = await startDaemon(downstreamConfig(grpcPort, httpPort));
      daemons.push(downstream);
      const got = await waitForFile(downstream, run, 10);
      assert.equal(got.length, 10);
      for (const { resource, record } of got) {
        assert.equal(attr(resource, 'service.name')?.stringValue, 'chained');
        assert.equal(record.severityNumber, 17);
        assert.equal(record.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
        assert.equal(record.spanId, '00f067aa0ba902b7');
        assert.match(String(record.body?.stringValue), /^hop \d$/);
        assert.deepEqual(attr(record.attributes, 'hop'), { intValue: String(Number(String(record.body?.stringValue).slice(4))) });
      }
    });
  }
});
