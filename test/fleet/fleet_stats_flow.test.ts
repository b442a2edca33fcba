// A gateway that sees none of a service's records and three sidecars that see all of them, unevenly, on
// loopback, every daemon's timers on one fake clock: the sidecars report their completed windows; the
// gateway sums them, knows the replicas and their shares, and its tuner's round replays over the fleet's
// windows; a policy with a per-service rate budget runs on each sidecar cut to its share, the parts adding up
// to the budget; windows completed while the gateway is away reach it once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExportLogsServiceRequest, encodeExportRequest, type PbExportRequest } from '../../proto/otlp.js';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { freePort } from '../support/ports.js';
import { untilTurns as until } from '../support/io_turns.js';

const W = 60_000;

type Described = { seen: number; patterns: number; replicas: number; windows: number; instances: Array<{ instance: string; seen: number; share: number }> };
type SourceState = { hash: string | null; budget_share: { replicas: number; share: number } | null; budget_in_force: { records_per_second: number | null } | null };
type SidecarView = { services: SourceState[]; stats: { backlog: number; sent: number; dropped: number; connected: boolean } };

/** `n` records of service api: request lines, one in ten a payment failure at ERROR. */
function traffic(n: number, seed: number): Buffer {
  const request = ExportLogsServiceRequest.fromObject({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
      scopeLogs: [{
        logRecords: Array.from({ length: n }, (_, i) => (i % 10 === 9
          ? { severityNumber: 17, severityText: 'ERROR', body: { stringValue: `payment ${seed * 1000 + i} failed: card declined` } }
          : { severityNumber: 9, severityText: 'INFO', body: { stringValue: `GET /api/items/${seed * 1000 + i} 200 in ${i % 50}ms` } })),
      }],
    }],
  }) as unknown as PbExportRequest;
  return Buffer.from(encodeExportRequest(request));
}

const gatewayConfig = (telemetry: number) => `${OTLP_RECEIVER}processors:
  signature: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  tuner: { provider: rules, interval: 1h }
service:
  data_dir: "{{DIR}}"
  extensions: [tuner]
  telemetry: { metrics: { address: "127.0.0.1:${telemetry}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

const sidecarConfig = (gateway: string, instance: string) => `${OTLP_RECEIVER}processors:
  signature: { catalog: { flush_interval: 5s } }
  sampler:
    ledger: { flush_interval: 5s }
exporters:
  nop: {}
extensions:
  policy_source:
    endpoint: "${gateway}"
    services: [api]
    instance: ${instance}
    retry: { initial_interval: 1s, max_interval: 4s }
    report: { interval: 5s }
service:
  data_dir: "{{DIR}}"
  extensions: [policy_source]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

describe('a gateway tuning on its sidecars\' reports', { timeout: 90_000 }, () => {
  const { fake, clock } = fakeClock();
  let gatewayPort: number;
  let gateway: TestDaemon | undefined;
  const sidecars: TestDaemon[] = [];
  /** Records each sidecar is sent per window: 1 : 2 : 3. */
  const perWindow = [100, 200, 300];
  let sentPerSidecar = [0, 0, 0];
  const gatewayUrl = () => `http://127.0.0.1:${gatewayPort}`;
  const described = async () => {
    const response = await fetch(`${gatewayUrl()}/api/v1/patterns/stats/api`);
    return response.status === 200 ? ((await response.json()) as Described) : undefined;
  };
  const sidecarView = async (d: TestDaemon) => (await (await fetch(`http://127.0.0.1:${d.telemetryPort}/api/v1/policy_source`)).json()) as SidecarView;

  /** One window of traffic into every sidecar, then the clock to the next window (the ledger closes it). */
  const windowOfTraffic = async (seed: number) => {
    for (const [i, d] of sidecars.entries()) {
      const response = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: traffic(perWindow[i]!, seed) as Uint8Array<ArrayBuffer> });
      assert.equal(response.status, 200);
      sentPerSidecar[i]! += perWindow[i]!;
    }
    await fake.tickAsync(W);
  };

  before(async () => {
    // Windows line up with the clock's minutes.
    fake.setSystemTime(Math.ceil(fake.now / W) * W);
    gatewayPort = await freePort();
    gateway = await startDaemon(gatewayConfig(gatewayPort), { clock });
    for (const name of ['sidecar-1', 'sidecar-2', 'sidecar-3']) sidecars.push(await startDaemon(sidecarConfig(gatewayUrl(), name), { clock }));
  });
  after(async () => {
    for (const d of sidecars) await d.stop();
    await gateway?.stop();
  });

  it('sums the sidecars\' windows, knows each replica\'s share, and replays its tuner\'s candidates over them', async () => {
    // Each window closes when it ends (the ledger's flush after it), then a report goes by.
    for (let seed = 0; seed < 7; seed++) await windowOfTraffic(seed);
    const total = sentPerSidecar.reduce((a, b) => a + b, 0);
    const fleet = await until('the gateway has every completed window', described, (d) => d?.seen === total);
    assert.equal(fleet!.replicas, 3);
    assert.equal(fleet!.patterns, 2, 'the request lines and the payment failures, mined alike on every sidecar');
    assert.deepEqual(fleet!.instances.map((i) => [i.instance, i.share]), [['sidecar-1', 0.1667], ['sidecar-2', 0.3333], ['sidecar-3', 0.5]]);

    const outcome = (await (await fetch(`${gatewayUrl()}/api/v1/policies/api/propose`, { method: 'POST' })).json()) as { replay: { current: { records: number; error_records: number } } | null; reason: string };
    assert.ok(outcome.replay, `the round replayed (${outcome.reason})`);
    assert.ok(outcome.replay.current.records > 0.4 * total, 'over the fleet\'s windows: the gateway saw no record of api itself');
    assert.equal(outcome.replay.current.error_records, Math.round(outcome.replay.current.records / 10));
    const policies = (await (await fetch(`${gatewayUrl()}/api/v1/policies`)).json()) as { services: Array<{ service: string }> };
    assert.deepEqual(policies.services.map((s) => s.service), ['api'], 'a service only the fleet reports has a policy to hand out');
  });

  it('runs a per-service rate budget on each sidecar cut to its share', async () => {
    const current = (await (await fetch(`${gatewayUrl()}/api/v1/policies/api`)).json()) as Record<string, unknown>;
    const budget = { records_per_second: 60, bytes_per_second: null, keep_fraction: null, scope: 'service' };
    const response = await fetch(`${gatewayUrl()}/api/v1/policies/api?force=true`, { method: 'POST', body: JSON.stringify({ ...current, budget, reasoning: 'sixty a second for the fleet' }) });
    assert.equal(response.status, 201);
    const hash = response.headers.get('etag')!.replaceAll('"', '');
    const budgets: number[] = [];
    for (const d of sidecars) {
      // The share arrives with a report's answer: a window of traffic and a report interval after it.
      const state = await until('the sidecar runs the budget at its share', async () => {
        const view = await sidecarView(d);
        return view.services[0]!;
      }, (s) => s.hash === hash && s.budget_share !== null && s.budget_in_force?.records_per_second !== 60);
      budgets.push(state.budget_in_force!.records_per_second!);
    }
    assert.deepEqual(budgets.map((b) => Math.round(b * 10) / 10), [10, 20, 30]);
    assert.ok(Math.abs(budgets.reduce((a, b) => a + b, 0) - 60) < 0.1, 'the parts add up to the service\'s budget');
  });

  it('keeps the windows completed while the gateway is away and delivers them once it is back', async () => {
    const before = (await described())!.seen;
    await gateway!.daemon.stop();
    gateway = undefined;
    sentPerSidecar = [0, 0, 0];
    for (let seed = 10; seed < 13; seed++) await windowOfTraffic(seed);
    const waiting = await until('the sidecars hold what they could not send', () => sidecarView(sidecars[2]!), (v) => v.stats.backlog > 0 && !v.stats.connected);
    assert.equal(waiting.stats.dropped, 0);
    gateway = await startDaemon(gatewayConfig(gatewayPort), { clock });
    await fake.tickAsync(5_000);
    // Before the outage's windows the restarted gateway knew nothing; after, it has every window completed since.
    // What the restarted gateway gets is the backlog: the last window before the outage (closed by the outage's
    // first records) and the two windows closed during it — each exactly once, so the sum is exact.
    const window = perWindow.reduce((a, b) => a + b, 0);
    const after = await until('the backlog reached the restarted gateway, once', described, (d) => (d?.seen ?? 0) === 3 * window);
    assert.equal(after!.replicas, 3);
    assert.ok(before > 0);
    for (const d of sidecars) assert.equal((await sidecarView(d)).stats.backlog, 0);
  });
});
