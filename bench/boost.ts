// The boost's cost and what it keeps, on fifteen minutes of one service's traffic (five patterns, 40
// records/s each, a batch a second, timestamps spread), replayed through the embedded default's processors
// (`signature → ratestats (10 s) → anomaly → sampler (1 min) → batch`) on record time. Four runs side by side:
// the traffic as it is (the baseline), with a 30-second ×8 spike of one pattern at 7:00, with a two-minute
// lull at 10:00, and with both. Reported per run: the reduction, what the boost kept, the spike's records
// kept (kept or brought back) beside the spike's excess (its records beyond the usual rate: what the boost
// is for — the usual share under a spike is sampled as usual). Issue 11's aim: ≥ 90% reduction with the
// spike, the spike kept, and a lull that costs nothing. Last line: JSON.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replayCommand } from '../cmd/replay.js';
import { decodeJsonExportRequest, exportRequestJson } from '../proto/otlp_json.js';
import { random } from './draws.js';
import { SAMPLE_REASON_ATTRIBUTE } from '../processors/sampler/sample_attributes.js';

const START = Date.UTC(2026, 10, 26, 9, 0, 0);
const SPIKE = { from: START + 7 * 60_000, to: START + 7 * 60_000 + 30_000 };
const LULL = { from: START + 10 * 60_000, to: START + 12 * 60_000 };
const PATTERNS = [
  (i: number) => `GET /api/items/${i} 200 in ${i % 40}ms`,
  (i: number) => `cache miss for key product:${i}:price`,
  (i: number) => `user ${i % 977} logged in from 10.0.${i % 200}.${i % 250}`,
  (i: number) => `order ${i} shipped to warehouse ${i % 12}`,
  (i: number) => `query took ${i % 300} ms rows=${i % 50}`,
];
const SPIKED = 1;
const USUAL_PER_SECOND = 40;
const SPIKE_FACTOR = 8;

interface Variant {
  spike: boolean;
  lull: boolean;
}

function traffic(file: string, v: Variant): { records: number; spike: number } {
  const uniform = random(7);
  const lines: string[] = [];
  let records = 0;
  let spike = 0;
  for (let second = 0; second < 15 * 60; second++) {
    const t0 = START + second * 1000;
    if (v.lull && t0 >= LULL.from && t0 < LULL.to) continue;
    const logRecords: unknown[] = [];
    PATTERNS.forEach((body, k) => {
      const spiking = v.spike && k === SPIKED && t0 >= SPIKE.from && t0 < SPIKE.to;
      for (let i = 0; i < (spiking ? SPIKE_FACTOR * USUAL_PER_SECOND : USUAL_PER_SECOND); i++) {
        logRecords.push({ body: { stringValue: body(records++) }, severityNumber: 9, timeUnixNano: String(BigInt(t0 + Math.floor(uniform() * 1000)) * 1_000_000n) });
        if (spiking) spike += 1;
      }
    });
    const request = decodeJsonExportRequest(JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeLogs: [{ logRecords }] }] }));
    lines.push(JSON.stringify(exportRequestJson(request)));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { records, spike };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-boost-'));
const config = path.join(dir, 'config.yaml');
writeFileSync(config, `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats:
  anomaly:
  sampler:
  batch:
exporters:
  nop:
service:
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler, batch], exporters: [nop] }
`);

async function run(name: string, v: Variant) {
  const input = path.join(dir, `${name}.jsonl`);
  const out = path.join(dir, name);
  const sent = traffic(input, v);
  const started = performance.now();
  if ((await replayCommand({ config, input, out })) !== 0) throw new Error(`replay of ${name} failed`);
  const seconds = (performance.now() - started) / 1000;
  let kept = 0;
  let boosted = 0;
  let spikeKept = 0;
  for (const line of readFileSync(path.join(out, 'kept.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const request = JSON.parse(line) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body?: { stringValue?: string }; timeUnixNano: string; attributes?: Array<{ key: string; value: { stringValue?: string } }> }> }> }> };
    for (const r of request.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords))) {
      kept += 1;
      const reason = r.attributes?.find((a) => a.key === SAMPLE_REASON_ATTRIBUTE)?.value.stringValue;
      if (reason === 'boost') boosted += 1;
      const t = Number(BigInt(r.timeUnixNano) / 1_000_000n);
      if (r.body?.stringValue?.startsWith('cache miss') && t >= SPIKE.from && t < SPIKE.to && v.spike) spikeKept += 1;
    }
  }
  const anomalies = readFileSync(path.join(out, 'anomalies.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { kind: string }).kind);
  // The spike's excess: its records beyond the pattern's usual 40/s over the same 30 s.
  const excess = v.spike ? sent.spike - USUAL_PER_SECOND * ((SPIKE.to - SPIKE.from) / 1000) : 0;
  return { records: sent.records, reduction: Number((1 - kept / sent.records).toFixed(4)), boost_kept: boosted, spike_records: sent.spike, spike_excess: excess, spike_kept: spikeKept, anomalies, records_per_s: Math.round(sent.records / seconds) };
}

const baseline = await run('baseline', { spike: false, lull: false });
const spike = await run('spike', { spike: true, lull: false });
const lull = await run('lull', { spike: false, lull: true });
const both = await run('both', { spike: true, lull: true });
for (const [name, r] of Object.entries({ baseline, spike, lull, both })) process.stdout.write(`${name.padEnd(9)} ${JSON.stringify(r)}\n`);
process.stdout.write(
  `${JSON.stringify({
    bench: 'boost',
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
    baseline_reduction: baseline.reduction,
    spike_reduction: spike.reduction,
    spike_records_kept_share: Number((spike.spike_kept / spike.spike_records).toFixed(4)),
    spike_kept_over_excess: Number((spike.spike_kept / spike.spike_excess).toFixed(4)),
    spike_boost_kept: spike.boost_kept,
    lull_reduction: lull.reduction,
    lull_boost_kept: lull.boost_kept,
    lull_anomalies: lull.anomalies,
    both_reduction: both.reduction,
    replay_records_per_s: Math.min(baseline.records_per_s, spike.records_per_s, lull.records_per_s, both.records_per_s),
  })}\n`,
);
