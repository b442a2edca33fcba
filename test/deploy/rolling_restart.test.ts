// A rolling restart under load, with the drain protocol the Kubernetes manifests use (deploy/helm/logsift):
// two gateways behind one client that balances over the ready ones, as a Service does. Each in turn leaves the
// rotation (its endpoint removed, what preStop waits for), is stopped while requests are still in flight
// (SIGTERM: it answers them, sends what it queued and exits) and is replaced by a new one. 100,000 records
// across two restarts: every one reaches an exporter once, and nothing is refused without a retry hint.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readFileExport } from '../support/file_output.js';
import { startDaemon, type TestDaemon } from '../support/daemon.js';

const GATEWAY = `
receivers:
  otlp:
    protocols:
      http: { endpoint: "{{HTTP}}" }
processors:
  batch: { timeout: 20ms }
exporters:
  file: { path: "{{DIR}}/out.jsonl", sending_queue: { enabled: true, persistent: true } }
service:
  data_dir: "{{DIR}}"
  shutdown_timeout: 20s
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [file] }
`;

const BATCHES = 1000;
const PER_BATCH = 100;
const IN_FLIGHT = 6;

function request(from: number): string {
  return JSON.stringify({
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeLogs: [{ logRecords: Array.from({ length: PER_BATCH }, (_, i) => ({ timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), severityNumber: 9, body: { stringValue: `record ${from + i}` } })) }] }],
  });
}

describe('a rolling restart of two gateways under load', () => {
  it('loses nothing and refuses nothing without a retry hint', async () => {
    const retired: TestDaemon[] = [];
    let ready: TestDaemon[] = [await startDaemon(GATEWAY), await startDaemon(GATEWAY)];
    const inFlight = new Map<TestDaemon, Set<Promise<void>>>();
    let turn = 0;
    let acknowledged = 0;
    let refusedWithHint = 0;
    const refusedWithoutHint: string[] = [];
    /** Per restart, the requests in flight to the pod when it left the endpoints (all answered). */
    const completedDuringStop: number[] = [];

    /** Sends one batch to a ready gateway, again elsewhere when refused, until one accepts it. */
    const send = async (batch: number): Promise<void> => {
      const body = request(batch * PER_BATCH);
      for (;;) {
        const target = ready[turn++ % ready.length]!;
        const calls = inFlight.get(target) ?? new Set();
        inFlight.set(target, calls);
        let answer: Response | undefined;
        let failure = '';
        const call = (async () => {
          try {
            answer = await fetch(target.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            await answer.arrayBuffer();
          } catch (error) {
            failure = `${String(error)} ${String((error as { cause?: unknown }).cause)}`;
          }
        })();
        calls.add(call);
        await call;
        calls.delete(call);
        if (answer?.ok) {
          acknowledged += 1;
          return;
        }
        if (answer && (answer.status === 503 || answer.status === 429) && answer.headers.get('retry-after')) refusedWithHint += 1;
        else refusedWithoutHint.push(answer ? `${answer.status}` : failure);
      }
    };

    /**
     * What a rolling update does to one pod: out of the endpoints; preStop waits while the requests already
     * sent to it are answered (the manifests wait drain.endpointsSeconds; here, for those very requests);
     * SIGTERM: it stops, sending what it queued; a new one takes its place.
     */
    const restart = async (old: TestDaemon) => {
      ready = ready.filter((d) => d !== old);
      retired.push(old);
      const answered = [...(inFlight.get(old) ?? [])];
      await Promise.all(answered);
      assert.equal(await old.daemon.stop(), true, 'the gateway drained within its shutdown_timeout');
      completedDuringStop.push(answered.length);
      ready = [...ready, await startDaemon(GATEWAY)];
    };

    let next = 0;
    const restarts: Array<Promise<void>> = [];
    const worker = async () => {
      while (next < BATCHES) {
        const batch = next++;
        if (batch === 250) restarts.push(restart(ready[0]!));
        if (batch === 650) restarts.push(restart(ready[0]!));
        await send(batch);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await Promise.all(restarts);
    const all = [...retired, ...ready];
    for (const d of ready) await d.daemon.stop();

    assert.deepEqual(refusedWithoutHint, [], 'nothing refused without a retry hint');
    assert.equal(acknowledged, BATCHES);
    assert.equal(retired.length, 2);
    const bodies = all.flatMap((d) => readFileExport(path.join(d.dir, 'out.jsonl')).map((r) => String(r.record.body?.stringValue)));
    assert.equal(new Set(bodies).size, BATCHES * PER_BATCH, 'every record reached an exporter');
    assert.equal(bodies.length, BATCHES * PER_BATCH, 'and only once');
    // Each stopped gateway had taken records before it stopped: the drain is what the test exercised.
    for (const d of retired) assert.ok(readFileExport(path.join(d.dir, 'out.jsonl')).length > 0);
    process.stderr.write(`rolling restart: ${refusedWithHint} refusals with a retry hint; requests answered after their gateway left the endpoints: ${completedDuringStop.join(', ')}\n`);
  });
});
