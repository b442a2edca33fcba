// The daemon the alert tests run: OTLP in, signature → ratestats (1-minute windows, so a minute's spike is one
// window) → anomaly → sampler (what it keeps while an anomaly is open is the alert's sample lines), nothing out,
// and the alerts extension with the settings a test gives (YAML lines, indented under `alerts:`); plus the
// traffic they send: a steady pattern from release 1.4.0, then release 1.5.0 and a spike of it.
import assert from 'node:assert/strict';
import { OTLP_RECEIVER, type TestDaemon } from './daemon.js';
import { checkoutOrders } from './payloads.js';

const W = 60_000;

export function alertsDaemonConfig(alertsSettings: string[], signature = '{}', dataDir?: string): string {
  return `${OTLP_RECEIVER}processors:
  signature: ${signature}
  ratestats: { window: 1m }
  anomaly: {}
  sampler: { window: 1m }
exporters:
  nop: {}
extensions:
  alerts:
${alertsSettings.map((line) => `    ${line}`).join('\n')}
service:
${dataDir ? `  data_dir: "${dataDir}"\n` : ''}  extensions: [alerts]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`;
}

export async function sendOrders(daemon: TestDaemon, n: number, seed: number, version = '1.5.0'): Promise<void> {
  const response = await fetch(daemon.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: checkoutOrders(n, seed, version) as Uint8Array<ArrayBuffer> });
  assert.equal(response.status, 200);
}

/**
 * Ten windows of 40 orders (the detector's warm-up), then `spike` orders at once in the eleventh (found early,
 * as they arrive, and boosted), and on to its end, where it is judged whole and announced.
 */
export async function steadyThenSpike(daemon: TestDaemon, fake: { tickAsync(ms: number): Promise<unknown> }, spike = 800): Promise<void> {
  for (let window = 0; window < 10; window++) {
    await sendOrders(daemon, 40, window, '1.4.0');
    await fake.tickAsync(W);
  }
  await sendOrders(daemon, spike, 10, '1.5.0');
  await fake.tickAsync(W);
}
