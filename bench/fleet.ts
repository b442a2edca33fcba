// How fast a policy reaches a fleet (issue 15): one gateway and three sidecars, each its own process on
// loopback; a policy made live at the gateway (`POST …?force=true`), timed until every sidecar's `applied`
// report for its hash has reached the gateway — which includes the long-poll's answer, the sidecar's checks,
// its write to disk and its report: an upper bound on "in force everywhere". Beside it in the same run, the
// floor: one GET of the policy from the gateway, timed the same way. Last line: JSON.
import hdr from 'hdr-histogram-js';
import { defaultPolicy } from '../policy/policy.js';
import { sampleProtobuf } from '../test/support/payloads.js';
import { startConfigDaemon, type ConfigDaemon } from './daemon_process.js';

const SIDECARS = Number(process.env.BENCH_FLEET_SIDECARS ?? 3);
const CHANGES = Number(process.env.BENCH_FLEET_CHANGES ?? 200);

const gatewayYaml = `receivers:
  otlp: { protocols: { http: { endpoint: "{{HTTP}}" } } }
processors:
  signature: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  tuner: { provider: rules, interval: 1h }
service:
  data_dir: "{{DIR}}"
  extensions: [tuner]
  telemetry: { logs: { level: warn }, metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

const sidecarYaml = (gateway: string, name: string) => `receivers:
  otlp: { protocols: { http: { endpoint: "{{HTTP}}" } } }
processors:
  signature: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  policy_source: { endpoint: "${gateway}", services: [api], instance: ${name}, wait: 30s }
service:
  data_dir: "{{DIR}}"
  extensions: [policy_source]
  telemetry: { logs: { level: warn }, metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [nop] }
`;

const gateway = await startConfigDaemon(gatewayYaml);
const base = `http://127.0.0.1:${gateway.telemetryPort}`;
const sidecars: ConfigDaemon[] = [];
try {
  // The gateway meets service "api", so it has a policy to hand out.
  const sent = await fetch(`http://127.0.0.1:${gateway.httpPort}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: sampleProtobuf(5) as Uint8Array<ArrayBuffer> });
  if (sent.status !== 200) throw new Error(`the gateway answered ${sent.status} to traffic`);
  for (let i = 0; i < SIDECARS; i++) sidecars.push(await startConfigDaemon(sidecarYaml(base, `sidecar-${i + 1}`)));

  type Listing = { hash: string; summary: { applied: number } ; instances: Array<{ hash: string; status: string }> };
  const appliedEverywhere = async (hash: string) => {
    for (;;) {
      const listing = (await (await fetch(`${base}/api/v1/policies/api/status`)).json()) as Listing;
      if (listing.instances.length === SIDECARS && listing.instances.every((i) => i.hash === hash && i.status === 'applied')) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const first = (await fetch(`${base}/api/v1/policies/api`)).headers.get('etag')!.replaceAll('"', '');
  await appliedEverywhere(first);

  const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const propagation = histogram();
  const roundTrip = histogram();
  for (let i = 0; i < CHANGES; i++) {
    const policy = { ...defaultPolicy('api'), budget: { ...defaultPolicy().budget, keep_fraction: 0.04 + (i % 10) / 1000 }, reasoning: `change ${i}` };
    const t0 = performance.now();
    const response = await fetch(`${base}/api/v1/policies/api?force=true`, { method: 'POST', body: JSON.stringify(policy) });
    if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
    await appliedEverywhere(response.headers.get('etag')!.replaceAll('"', ''));
    propagation.recordValue(Math.round((performance.now() - t0) * 1000));
    const t1 = performance.now();
    await (await fetch(`${base}/api/v1/policies/api`)).text();
    roundTrip.recordValue(Math.round((performance.now() - t1) * 1000));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ms = (h: ReturnType<typeof histogram>, q: number) => Number((h.getValueAtPercentile(q) / 1000).toFixed(2));
  const summary = {
    bench: 'fleet',
    sidecars: SIDECARS,
    changes: CHANGES,
    propagation_ms: { p50: ms(propagation, 50), p99: ms(propagation, 99), max: Number((propagation.maxValue / 1000).toFixed(2)) },
    get_round_trip_ms: { p50: ms(roundTrip, 50), p99: ms(roundTrip, 99) },
    p99_ratio: Number((ms(propagation, 99) / Math.max(0.01, ms(roundTrip, 99))).toFixed(1)),
    target_p99_ms: 1000,
  };
  console.log(`policy in force on ${SIDECARS} sidecars (their applied reports at the gateway): p50 ${summary.propagation_ms.p50} ms, p99 ${summary.propagation_ms.p99} ms; one GET beside it: p99 ${summary.get_round_trip_ms.p99} ms`);
  console.log(JSON.stringify(summary));
} finally {
  for (const s of sidecars) await s.stop();
  await gateway.stop();
}
