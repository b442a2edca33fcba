// Per-tenant ingest limits on the OTLP receiver: each sender (its bearer token, else its address) has its
// own bucket of records per second; past it, 429 with Retry-After (gRPC: RESOURCE_EXHAUSTED) — while another
// sender is not held back — and the bucket refills on the daemon's clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { sampleProtobuf } from '../support/payloads.js';

const A = 'tenant-a-token-0123456789';
const B = 'tenant-b-token-0123456789';

describe('per-tenant ingest limits', { timeout: 60_000 }, () => {
  const { fake, clock } = fakeClock();
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startDaemon(`receivers:
  otlp:
    ingest_limit: { records_per_second: 10, burst: 20 }
    protocols:
      http: { endpoint: "{{HTTP}}", auth: { authenticator: bearertokenauth } }
exporters:
  nop: {}
extensions:
  bearertokenauth: { tokens: [${A}, ${B}] }
service:
  extensions: [bearertokenauth]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [nop] }
`, { clock });
  });
  after(() => daemon?.stop());

  const send = (token: string, records: number) =>
    fetch(daemon.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${token}` }, body: sampleProtobuf(records) as Uint8Array<ArrayBuffer> });

  it('holds a sender to its records per second, apart from the others', async () => {
    assert.equal((await send(A, 20)).status, 200, 'the burst');
    const over = await send(A, 5);
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '1');
    assert.equal((await send(B, 20)).status, 200, 'another sender has a bucket of its own');
    fake.tick(1_000);
    assert.equal((await send(A, 10)).status, 200, 'refilled at 10 a second');
    assert.equal((await send(A, 1)).status, 429);
    const metrics = await (await fetch(`http://127.0.0.1:${daemon.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_receiver_refused_requests_total\{[^}]*reason="tenant_limit"[^}]*\} 2/);
  });
});
