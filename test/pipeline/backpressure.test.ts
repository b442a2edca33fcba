// Backpressure: past the in-flight bound, or with the sending queue full, both transports refuse with a
// retry hint (HTTP 429 + Retry-After, gRPC RESOURCE_EXHAUSTED + RetryInfo) instead of buffering; once the
// backend catches up, data is taken again. Also the acknowledgement rule without a queue: a request is
// answered only after the exporter delivered it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { RetryInfo, RpcStatus } from '../../proto/otlp.js';
import { logsServiceDefinition } from '../../proto/logs_service_definition.js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../support/daemon.js';
import { PosthogStandin } from '../support/posthog_standin.js';
import { sampleProtobuf } from '../support/payloads.js';

function post(d: TestDaemon, records: number): Promise<Response> {
  return fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: sampleProtobuf(records) as Uint8Array<ArrayBuffer> });
}

function config(host: string, queue: string, limits: string, processors = ''): string {
  return `${OTLP_RECEIVER}${processors ? `processors:\n  ${processors}: {}\n` : ''}exporters:
  posthog: { endpoint: "${host}", api_key: phc_backpressure, sending_queue: ${queue}, retry_on_failure: { initial_interval: 10ms } }
service:
  limits: ${limits}
  shutdown_timeout: 1s
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [${processors}], exporters: [posthog] }
`;
}

async function assertRefusedOnBothTransports(d: TestDaemon, reason: RegExp): Promise<void> {
  const refused = await post(d, 60);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '7');
  const status = RpcStatus.decode(new Uint8Array(await refused.arrayBuffer())) as unknown as { code: number; message: string };
  assert.equal(status.code, 8);
  assert.match(status.message, reason);

  const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
  const client = new Client(`127.0.0.1:${d.grpcPort}`, grpc.credentials.createInsecure()) as unknown as {
    Export(b: Buffer, cb: (e: grpc.ServiceError | null) => void): void;
    close(): void;
  };
  const error = await new Promise<grpc.ServiceError | null>((resolve) => client.Export(sampleProtobuf(60), resolve));
  client.close();
  assert.equal(error?.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.match(error!.details, reason);
  const details = RpcStatus.decode(error!.metadata.get('grpc-status-details-bin')[0] as Buffer) as unknown as { details: Array<{ type_url: string; value: Uint8Array }> };
  assert.equal(details.details[0]!.type_url, 'type.googleapis.com/google.rpc.RetryInfo');
  const retry = RetryInfo.toObject(RetryInfo.decode(details.details[0]!.value), { longs: Number }) as { retryDelay: { seconds: number } };
  assert.equal(retry.retryDelay.seconds, 7);
}

describe('backpressure without a sending queue', () => {
  const standin = new PosthogStandin();
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(config(await standin.start(), '{ enabled: false }', '{ max_inflight_records: 100, retry_after: 7s }'));
  });
  after(async () => {
    await d.stop();
    await standin.stop();
  });

  it('answers only after the exporter delivered, and refuses past the in-flight bound', async () => {
    let release!: () => void;
    standin.gate = new Promise((resolve) => (release = resolve));
    let answered = false;
    const first = post(d, 60).then((res) => ((answered = true), res));
    await once(standin, 'received');
    assert.equal(answered, false, 'the client is not answered while the backend has not accepted');
    await assertRefusedOnBothTransports(d, /too much data in flight/);
    release();
    standin.gate = undefined;
    assert.equal((await first).status, 200);
    assert.equal((await post(d, 60)).status, 200, 'once the backlog cleared, data is taken again');
  });

  it('exposes the outcome on /metrics and health on /healthz and /readyz', async () => {
    const base = `http://127.0.0.1:${d.telemetryPort}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /logsift_receiver_accepted_log_records_total\{receiver="otlp",transport="http"\} 120/);
    assert.match(metrics, /logsift_receiver_refused_log_records_total\{receiver="otlp",transport="http",reason="inflight_limit"\} 60/);
    assert.match(metrics, /logsift_receiver_refused_log_records_total\{receiver="otlp",transport="grpc",reason="inflight_limit"\} 60/);
    assert.match(metrics, /logsift_exporter_sent_log_records_total\{exporter="posthog"\} 120/);
    assert.match(metrics, /logsift_inflight_log_records 0/);
  });
});

describe('backpressure from a full sending queue', () => {
  const standin = new PosthogStandin();
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(config(await standin.start(), '{ queue_size: 100, num_consumers: 1 }', '{ retry_after: 7s }', 'signature'));
  });
  after(async () => {
    standin.gate = undefined;
    await d.stop();
    await standin.stop();
  });

  it('a full queue makes both transports refuse; when the backend catches up, data is taken again', async () => {
    let release!: () => void;
    standin.gate = new Promise((resolve) => (release = resolve));
    assert.equal((await post(d, 60)).status, 200, 'queued: answered at once');
    await once(standin, 'received');
    await assertRefusedOnBothTransports(d, /sending queue is full/);
    const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_exporter_queue_size_log_records\{exporter="posthog"\} 60/);
    assert.match(metrics, /logsift_exporter_enqueue_failed_log_records_total\{exporter="posthog"\} 120/);
    assert.match(metrics, /logsift_receiver_refused_log_records_total\{receiver="otlp",transport="http",reason="queue_full"\} 60/);
    // Refused at the door: no processor counted what the client will send again.
    assert.match(metrics, /logsift_processor_incoming_log_records_total\{processor="signature",pipeline="logs"\} 60\n/);
    release();
    standin.gate = undefined;
    await standin.waitForRecords(60);
    assert.equal((await post(d, 60)).status, 200);
    await standin.waitForRecords(120);
  });
});
