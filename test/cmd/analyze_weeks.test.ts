// `logsift analyze` on three generated weeks (bursty per minute, a daily and a weekly cycle, no deploys):
// the month ahead is projected with the weekly cycle learned and its backtest — each of the last days
// predicted from the days before — within 10% at p90; and the savings it reports are what `logsift replay`
// of the same traffic keeps.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LogRecordType } from '../../proto/otlp.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';
import { runCli } from '../support/cli.js';

// A Monday.
const START = Date.UTC(2026, 10, 2, 0, 0, 0);
const DAYS = 21;
const CONFIG = `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
processors:
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler: { window: 10m }
exporters:
  nop: {}
service:
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`;

/**
 * Records per minute: 6 at the afternoon peak, a fifth of it at night, weekends at half; each minute's
 * count Poisson around that times a log-normal factor (variance well above the mean, as real counts).
 */
function weeks(): string {
  let seed = 12345;
  const uniform = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const poisson = (mean: number) => {
    let [k, p] = [0, Math.exp(-mean)];
    let s = p;
    const u = uniform();
    while (u > s && k < 200) {
      k += 1;
      p *= mean / k;
      s += p;
    }
    return k;
  };
  const lines: string[] = [];
  for (let m = 0; m < DAYS * 1440; m++) {
    const t = START + m * 60_000;
    const hour = (m % 1440) / 60;
    const day = new Date(t).getUTCDay();
    const mean = 6 * (0.2 + 0.8 * Math.sin((Math.PI * Math.max(0, hour - 4)) / 20) ** 2) * (day === 0 || day === 6 ? 0.5 : 1) * Math.exp(0.5 * normal() - 0.125);
    const n = poisson(mean);
    if (n === 0) continue;
    const records = Array.from({ length: n }, (_, i) => ({
      timeUnixNano: String(BigInt(t + Math.floor((i * 60_000) / n)) * 1_000_000n),
      severityNumber: (m + i) % 997 === 0 ? 17 : 9,
      body: { stringValue: (m + i) % 997 === 0 ? `order ${m} failed: timeout` : i % 3 === 0 ? `GET /orders/${m % 500} answered 200 in ${i * 7} ms` : `worker ${i % 4} flushed ${m % 90} rows` },
      traceId: (m * 16 + i + 1).toString(16).padStart(32, '0'),
    }));
    lines.push(JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeLogs: [{ logRecords: records }] }] }));
  }
  return `${lines.join('\n')}\n`;
}

function protobufBytes(file: string): number {
  let bytes = 0;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    for (const rl of decodeJsonExportRequest(line).resourceLogs ?? []) {
      for (const r of rl.scopeLogs?.flatMap((sl) => sl.logRecords ?? []) ?? []) bytes += LogRecordType.encode(r as never).finish().byteLength;
    }
  }
  return bytes;
}

describe('logsift analyze over generated weeks', () => {
  it('projects the month with the weekly cycle, backtested within 10% at p90, and its savings are what a replay keeps', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-weeks-'));
    const traffic = path.join(dir, 'weeks.jsonl');
    writeFileSync(traffic, weeks());
    // Ten-minute windows: at a few records a minute, one-minute windows would keep nearly all (the first of each pattern).
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, CONFIG);
    const analysed = await runCli(['analyze', '--input', traffic, '--config', config, '--no-tuner', '--vendor', 'datadog', '--json', '--html', path.join(dir, 'report.html')]);
    assert.equal(analysed.code, 0, analysed.stderr);
    type Projection = { cost_without: number | null; cost_with: number | null; days: number; weekly_pattern: boolean; daily_bytes_seen: number[]; backtest: { days: number; p50_error: number; p90_error: number } | null; bytes_seen: number; bytes_interval: [number, number] | null };
    const [orders] = (JSON.parse(analysed.stdout) as { services: Array<{ records_seen: number; records_kept: number; bytes_kept: number; reduction: number; projection: Projection | null; cost_span: { saved: number } }> }).services;
    const p = orders!.projection!;
    assert.equal(p.daily_bytes_seen.length, DAYS, 'every whole day of the span');
    assert.equal(p.weekly_pattern, true, 'two weeks and more: the weekend learned');
    assert.equal(p.backtest!.days, 7);
    assert.ok(p.backtest!.p90_error <= 0.1, `each of the last 7 days predicted within ${(p.backtest!.p90_error * 100).toFixed(1)}% at p90`);
    const [low, high] = p.bytes_interval!;
    assert.ok(low < p.bytes_seen && p.bytes_seen < high);
    // The month ahead is about 30 of the days behind, weekends included.
    const mean = p.daily_bytes_seen.reduce((a, b) => a + b, 0) / DAYS;
    assert.ok(Math.abs(p.bytes_seen / (mean * p.days) - 1) < 0.15, `${p.bytes_seen} against ${mean * p.days}`);
    assert.ok(p.cost_with! < p.cost_without!, 'the month ahead costs less with logsift');
    assert.ok(readFileSync(path.join(dir, 'report.html'), 'utf8').includes(`${(p.backtest!.p90_error * 100).toFixed(1)}% at p90`), 'the HTML report says the projection and its backtest');

    const replayed = await runCli(['replay', '--config', config, '--input', traffic, '--out', path.join(dir, 'replay')]);
    assert.equal(replayed.code, 0, replayed.stderr);
    const summary = JSON.parse(replayed.stdout.trim().split('\n').pop()!) as { records_in: number; records_kept: number };
    assert.equal(orders!.records_seen, summary.records_in);
    assert.equal(orders!.records_kept, summary.records_kept, 'records kept as a replay keeps them');
    const keptBytes = protobufBytes(path.join(dir, 'replay', 'kept.jsonl'));
    assert.ok(Math.abs(orders!.bytes_kept / keptBytes - 1) <= 0.02, `bytes kept within 2% of the replay's (${orders!.bytes_kept} against ${keptBytes})`);
    assert.ok(orders!.reduction > 0.5 && orders!.cost_span.saved > 0, 'bytes and money saved');

    // On these short lines most kept bytes are logsift's own attributes; the report says so and how to shed
    // them, and shedding them saves what it says.
    const report = JSON.parse(analysed.stdout) as { attribute_options: string[]; services: Array<{ bytes_kept: number; records_kept: number; added_bytes_estimate: number }> };
    assert.equal(report.attribute_options.length, 3);
    assert.ok(report.services[0]!.added_bytes_estimate > report.services[0]!.bytes_kept / 2);
    const compact = path.join(dir, 'compact.yaml');
    writeFileSync(compact, CONFIG.replace('signature: {}', 'signature: { attributes: { template: "" } }').replace('sampler: { window: 10m }', 'sampler: { window: 10m, attributes: { sample_rate: false, sample_reason: false } }'));
    const shed = await runCli(['analyze', '--input', traffic, '--config', compact, '--no-tuner', '--json']);
    const lean = JSON.parse(shed.stdout) as typeof report;
    assert.deepEqual(lean.attribute_options, []);
    assert.equal(lean.services[0]!.records_kept, report.services[0]!.records_kept, 'the same records kept');
    assert.ok(lean.services[0]!.bytes_kept < report.services[0]!.bytes_kept * 0.6, `${lean.services[0]!.bytes_kept} bytes kept against ${report.services[0]!.bytes_kept}`);
  });
});
