// A gateway and three sidecars on loopback, every daemon's timers on one fake clock that stands still unless a
// test moves it: a policy accepted at the gateway reaches every sidecar by long-poll alone (no time passes) and
// each reports it applied; with the gateway down the sidecars keep the policy in force, and report again once
// it is back (a restarted gateway has forgotten them); a sidecar restarted while the gateway is away samples
// on the policy it kept on disk. Against a stand-in gateway: a policy a sidecar cannot apply is reported
// `failed` with the reason, and the one in force stays.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';
import { fakeClock } from '../support/fake_clock.js';
import { freePort } from '../support/ports.js';
import { sampleProtobuf } from '../support/payloads.js';
import { untilTurns as until } from '../support/io_turns.js';

type SourceState = { source: string; hash: string | null; version: number | null; connected: boolean; last_error: string | null; last_report: { status: string; error?: string } | null };
type Listing = { hash: string; summary: Record<string, number>; instances: Array<{ instance: string; status: string; current: boolean }> };

const gatewayConfig = (telemetry: number, dir: string) => `${OTLP_RECEIVER}processors:
  signature: {}
  sampler:
    ledger: { flush_interval: 1h }
exporters:
  nop: {}
extensions:
  tuner: { provider: rules, interval: 1h }
service:
  data_dir: "${dir}"
  extensions: [tuner]
  telemetry: { metrics: { address: "127.0.0.1:${telemetry}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

const sidecarConfig = (gateway: string, instance: string, dir: string) => `${OTLP_RECEIVER}processors:
  signature: {}
  sampler:
    ledger: { flush_interval: 1h }
exporters:
  nop: {}
extensions:
  policy_source:
    endpoint: "${gateway}"
    services: [api]
    wait: 30s
    instance: ${instance}
    retry: { initial_interval: 1s, max_interval: 4s }
service:
  data_dir: "${dir}"
  extensions: [policy_source]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

describe('sidecars following a gateway', { timeout: 60_000 }, () => {
  const { fake, clock } = fakeClock();
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-fleet-'));
    dirs.push(dir);
    return dir;
  };
  let gatewayPort: number;
  let gatewayDir: string;
  let gateway: TestDaemon | undefined;
  const sidecars: Array<{ d: TestDaemon; dir: string; name: string }> = [];
  const gatewayUrl = () => `http://127.0.0.1:${gatewayPort}`;

  const startGateway = async () => {
    gateway = await startDaemon(gatewayConfig(gatewayPort, gatewayDir), { clock });
  };
  const startSidecar = async (name: string, dir: string) => ({ d: await startDaemon(sidecarConfig(gatewayUrl(), name, dir), { clock }), dir, name });
  const statusAtGateway = async () => (await (await fetch(`${gatewayUrl()}/api/v1/policies/api/status`)).json()) as Listing;
  const sidecarState = async (d: TestDaemon) => ((await (await fetch(`http://127.0.0.1:${d.telemetryPort}/api/v1/policy_source`)).json()) as { services: SourceState[] }).services[0]!;
  const change = async (reasoning: string) => {
    const policy = (await (await fetch(`${gatewayUrl()}/api/v1/policies/api`)).json()) as Record<string, unknown>;
    const response = await fetch(`${gatewayUrl()}/api/v1/policies/api?force=true`, { method: 'POST', body: JSON.stringify({ ...policy, reasoning }) });
    assert.equal(response.status, 201);
    return { hash: response.headers.get('etag')!.replaceAll('"', ''), version: ((await response.json()) as { version: number }).version };
  };
  const allApplied = (hash: string) => (listing: Listing) => listing.hash === hash && listing.summary.applied === 3 && listing.summary.behind === 0;

  before(async () => {
    gatewayPort = await freePort();
    gatewayDir = tempDir();
    await startGateway();
    // The gateway meets service "api", so it has a policy to hand out.
    const sent = await fetch(gateway!.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: sampleProtobuf(5) as Uint8Array<ArrayBuffer> });
    assert.equal(sent.status, 200);
    for (const name of ['sidecar-1', 'sidecar-2', 'sidecar-3']) sidecars.push(await startSidecar(name, tempDir()));
  });
  after(async () => {
    for (const s of sidecars) await s.d.stop();
    await gateway?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reaches every sidecar by long-poll as soon as the gateway accepts it, each reporting it applied', async () => {
    const first = (await (await fetch(`${gatewayUrl()}/api/v1/policies/api`)).headers.get('etag'))!.replaceAll('"', '');
    await until('the sidecars picked up the first policy', statusAtGateway, allApplied(first));
    const before = fake.now;
    const { hash, version } = await change('for the whole fleet');
    const listing = await until('every sidecar applied the change', statusAtGateway, allApplied(hash));
    assert.equal(fake.now, before, 'no time passed: the long-polls carried it');
    assert.deepEqual(listing.instances.map((i) => i.instance), ['sidecar-1', 'sidecar-2', 'sidecar-3']);
    for (const { d } of sidecars) {
      const state = await sidecarState(d);
      assert.deepEqual([state.source, state.hash, state.version, state.connected], ['gateway', hash, version, true]);
    }
  });

  it('keeps the policy in force while the gateway is away, and reports again once it is back', async () => {
    const { hash, version } = await change('before the outage');
    await until('applied before the outage', statusAtGateway, allApplied(hash));
    await gateway!.daemon.stop();
    gateway = undefined;
    for (const { d, name } of sidecars) {
      const state = await until(`${name} noticed the gateway is away`, () => sidecarState(d), (s) => !s.connected);
      assert.deepEqual([state.source, state.hash, state.version], ['gateway', hash, version], 'the policy in force stays');
      assert.ok(state.last_error, 'and says why it is not connected');
    }
    await startGateway();
    const fresh = await statusAtGateway();
    assert.equal(fresh.instances.length, 0, 'a restarted gateway has forgotten its consumers');
    // The sidecars' next try is at most the retry's max_interval (4s) away, plus its jitter.
    await fake.tickAsync(5_000);
    await until('every sidecar reported again', statusAtGateway, allApplied(hash));
  });

  it('starts a sidecar on the policy it kept on disk while the gateway is away', async () => {
    const { hash, version } = await change('kept on disk');
    await until('applied before the restart', statusAtGateway, allApplied(hash));
    const restarted = sidecars.shift()!;
    await restarted.d.daemon.stop();
    await gateway!.daemon.stop();
    gateway = undefined;
    const again = await startSidecar(restarted.name, restarted.dir);
    sidecars.push(again);
    const state = await until('the restarted sidecar has tried the gateway', () => sidecarState(again.d), (s) => s.last_error !== null);
    assert.deepEqual([state.source, state.hash, state.version, state.connected], ['last_known_good', hash, version, false]);
    await startGateway();
  });
});

describe('a policy a sidecar cannot apply', { timeout: 30_000 }, () => {
  const reports: Array<{ status: string; error?: string; hash: string }> = [];
  let served: { body: unknown; etag: string } = { body: {}, etag: '"x"' };
  const gateway = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: string; hash: string });
        res.writeHead(204).end();
      } else if (req.headers['if-none-match'] === served.etag) {
        // Held as a real gateway would: answered when the test closes the server.
      } else {
        res.writeHead(200, { 'content-type': 'application/json', etag: served.etag }).end(JSON.stringify(served.body));
      }
    });
  });
  let sidecar: TestDaemon;
  let dir: string;

  before(async () => {
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-fleet-'));
  });
  after(async () => {
    await sidecar?.stop();
    gateway.closeAllConnections();
    gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports failed with the reason, and the policy in force stays', async () => {
    served = { body: { service: 'api', version: 4, mode: 'sometimes' }, etag: '"bad"' };
    sidecar = await startDaemon(sidecarConfig(`http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, 'sidecar-x', dir), {});
    const report = (await until('the sidecar reported', async () => reports[0], (r) => r !== undefined))!;
    assert.equal(report.status, 'failed');
    assert.equal(report.hash, 'bad');
    assert.match(report.error ?? '', /refused by this instance: .*mode/);
    const state = ((await (await fetch(`http://127.0.0.1:${sidecar.telemetryPort}/api/v1/policy_source`)).json()) as { services: SourceState[] }).services[0]!;
    assert.deepEqual([state.source, state.version, state.last_report?.status], ['none', null, 'failed'], 'nothing was applied');
  });
});
