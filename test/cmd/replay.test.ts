// `logsift replay`: a half hour of traffic with a spike, replayed offline on its own timestamps, gives
// kept.jsonl (every ERROR in it, far fewer records), anomalies.jsonl (the spike) and an exact ledger.jsonl.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { exportRequestJson } from '../../proto/otlp_json.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';
import { runCli } from '../support/cli.js';
import { readFileExport } from '../support/file_output.js';
import { SAMPLE_RATE_ATTRIBUTE, SAMPLE_REASON_ATTRIBUTE } from '../../processors/sampler/sample_attributes.js';

const START = Date.UTC(2026, 10, 26, 9, 0, 0);

function minuteOfTraffic(minute: number): string {
  const records: Array<{ body: string; severity: number; offsetMs: number }> = [];
  for (let i = 0; i < 100; i++) records.push({ body: `GET /api/items/${minute * 100 + i} 200 in ${i % 40}ms`, severity: 9, offsetMs: i * 500 });
  const cacheMisses = minute === 20 ? 2000 : 20;
  for (let i = 0; i < cacheMisses; i++) records.push({ body: `cache miss for key product:${i}:price`, severity: 9, offsetMs: (i * 29) % 60_000 });
  records.push({ body: `payment ${minute} failed: card_declined`, severity: 17, offsetMs: 30_000 });
  const request = decodeJsonExportRequest(JSON.stringify({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
      scopeLogs: [{ logRecords: records.map((r) => ({ body: { stringValue: r.body }, severityNumber: r.severity, timeUnixNano: String(BigInt(START + minute * 60_000 + r.offsetMs) * 1_000_000n) })) }],
    }],
  }));
  return JSON.stringify(exportRequestJson(request));
}

describe('logsift replay', () => {
  it('replays traffic offline into kept records, anomalies and a ledger', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-replay-'));
    const traffic = path.join(dir, 'traffic.jsonl');
    writeFileSync(traffic, Array.from({ length: 30 }, (_, m) => minuteOfTraffic(m)).join('\n') + '\n');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m, retro: { window: 2m, max_per_pattern: 5000 } }
  batch:
exporters:
  nop:
service:
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler, batch], exporters: [nop] }
`);
    const out = path.join(dir, 'out');
    const result = await runCli(['replay', '--config', config, '--input', traffic, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as { records_in: number; records_kept: number; record_reduction: number; anomalies: number };
    const total = 30 * 121 + 1980;
    assert.equal(summary.records_in, total);

    const kept = readFileExport(path.join(out, 'kept.jsonl'));
    const reason = (r: (typeof kept)[number]) => r.record.attributes?.find((a) => a.key === SAMPLE_REASON_ATTRIBUTE)?.value.stringValue;
    assert.equal(kept.filter((r) => r.record.severityNumber === 17).length, 30, 'every ERROR kept');
    const spikeKept = kept.filter((r) => String(r.record.body?.stringValue).startsWith('cache miss') && BigInt(r.record.timeUnixNano!) >= BigInt(START + 20 * 60_000) * 1_000_000n && BigInt(r.record.timeUnixNano!) < BigInt(START + 21 * 60_000) * 1_000_000n);
    assert.equal(spikeKept.length, 2000, 'the spike minute comes back whole: kept, or retro-flushed once the anomaly opened');
    assert.ok(kept.some((r) => reason(r) === 'retro'));
    // Found within its minute: the boost keeps the spike's excess out of its bucket (the rest came back
    // through the retro flush), and the kept records still re-weight to the minute's count.
    assert.ok(spikeKept.filter((r) => reason(r) === 'boost').length > 0, 'the spike was found within its minute and boosted');
    const rate = (r: (typeof kept)[number]) => Number(r.record.attributes?.find((a) => a.key === SAMPLE_RATE_ATTRIBUTE)?.value.doubleValue ?? 1);
    const reweighted = spikeKept.filter((r) => reason(r) !== 'retro').reduce((n, r) => n + rate(r), 0);
    assert.ok(Math.abs(reweighted - 2000) < 400, `kept spike records re-weight to ${reweighted.toFixed(0)} of 2000`);
    const normal = kept.filter((r) => reason(r) !== 'retro' && reason(r) !== 'boost');
    assert.ok(normal.length < 0.1 * total, `kept ${normal.length} of ${total} (besides the boost and the retro flush)`);

    const anomalies = readFileSync(path.join(out, 'anomalies.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; start: number; pattern_id: string });
    assert.ok(anomalies.some((a) => a.kind === 'spike' && a.start === START + 20 * 60_000), JSON.stringify(anomalies));

    const ledger = readFileSync(path.join(out, 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seen: number; kept: number; dropped: number });
    assert.equal(ledger.reduce((n, r) => n + r.seen, 0), total, 'the ledger saw every record');
    for (const row of ledger) assert.equal(row.seen, row.kept + row.dropped);
  });

  it('runs on the embedded default without --config, as run does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-replay-default-'));
    const traffic = path.join(dir, 'traffic.jsonl');
    writeFileSync(traffic, Array.from({ length: 5 }, (_, m) => minuteOfTraffic(m)).join('\n') + '\n');
    const out = path.join(dir, 'out');
    const result = await runCli(['replay', '--input', traffic, '--out', out], { LOGSIFT_DATA_DIR: dir });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as { records_in: number; records_kept: number };
    assert.ok(summary.records_in > 600, JSON.stringify(summary));
    assert.ok(summary.records_kept > 0 && summary.records_kept < summary.records_in, 'the default chain sampled it');
  });
});
