// The insights extension on a real daemon: records over three past days go through the chain (on record
// time), the ledger is flushed on the daemon's fake clock, and /api/v1/insights answers per day with what was
// seen (as sent by the client, in protobuf bytes), what was kept (as logsift sent it), and both in dollars at
// the configured prices — each figure checked against what the test sent and what the exporter wrote.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExportLogsServiceRequest, LogRecordType, encodeExportRequest } from '../../proto/otlp.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';
import { fakeClock } from '../support/fake_clock.js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../support/daemon.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26);
// Per day: records of one INFO line (most dropped) and two ERRORs (always kept).
const PER_DAY = [300, 200, 100];

function record(time: number, i: number, severity = 9) {
  return {
    timeUnixNano: String(BigInt(time) * 1_000_000n),
    severityNumber: severity,
    body: { stringValue: severity >= 17 ? `payment ${i} failed: card declined` : `GET /cart/${i} answered 200 in ${i % 90} ms` },
    attributes: [{ key: 'http.route', value: { stringValue: '/cart' } }],
    traceId: Buffer.alloc(16, (i % 250) + 1),
  };
}

describe('insights extension', () => {
  const { fake, clock } = fakeClock();
  let d: TestDaemon;
  // What the test sent, per day: records and their protobuf sizes as a client encodes them.
  const sent = PER_DAY.map(() => ({ records: 0, bytes: 0 }));

  before(async () => {
    d = await startDaemon(
      `${OTLP_RECEIVER}processors:
  signature:
  sampler: { time: record, policy: { mode: static, severity_keep: { INFO: 0.1 }, first_k_per_window: 1 } }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
extensions:
  insights: { vendor: datadog, prices: { per_gb: 1000000, per_million_records: 1000 }, days: 3 }
service:
  data_dir: "{{DIR}}"
  extensions: [insights]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, sampler], exporters: [file] }
`,
      { clock },
    );
    const post = async (records: object[]) => {
      const request = ExportLogsServiceRequest.fromObject({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] }, scopeLogs: [{ logRecords: records }] }] });
      const res = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(encodeExportRequest(request as never)) });
      assert.equal(res.status, 200);
    };
    for (const [k, count] of PER_DAY.entries()) {
      const dayStart = NOW - (PER_DAY.length - k) * DAY;
      const records = [
        ...Array.from({ length: count }, (_, i) => record(dayStart + 3_600_000 + i * 1000, i)),
        record(dayStart + 7_200_000, 1, 17),
        record(dayStart + 7_300_000, 2, 17),
      ];
      for (const r of records) {
        sent[k]!.records += 1;
        sent[k]!.bytes += LogRecordType.encode(LogRecordType.fromObject(r)).finish().byteLength;
      }
      await post(records);
    }
    // A record of today closes each pattern's last window of yesterday; the flush timer then saves the rows.
    await post([record(NOW + 1000, 9), record(NOW + 2000, 9, 17)]);
    fake.tick(10_000);
  });
  after(() => d.stop());

  const get = async (suffix: string) => fetch(`http://127.0.0.1:${d.telemetryPort}/api/v1/insights${suffix}`);

  it('answers per day what was seen and kept, in records, protobuf bytes and dollars', async () => {
    const res = await get('/cart');
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      from: string;
      to: string;
      vendor: { name: string; source: string; read: string };
      days: Array<{ day: string; records_seen: number; records_kept: number; bytes_seen: number; bytes_kept: number; cost_without: number; cost_with: number; saved: number; reduction: number; errors_seen: number; errors_kept: number; pattern_windows: number; pattern_windows_kept: number }>;
      totals: { records_seen: number; saved: number };
      top_patterns: Array<{ template: string | null; records_seen: number }>;
      month: { bytes_seen: number; backtest: unknown };
    };
    assert.deepEqual([body.from, body.to], ['2026-11-23', '2026-11-26']);
    assert.equal(body.vendor.name, 'datadog');
    assert.ok(body.vendor.source.includes('datadoghq.com') && body.vendor.read, 'the preset names its source and date');
    // What the file exporter wrote, per day: the kept records as logsift sent them, read as OTLP/JSON.
    const kept = PER_DAY.map(() => ({ records: 0, bytes: 0 }));
    for (const line of readFileSync(path.join(d.dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean)) {
      for (const rl of decodeJsonExportRequest(line).resourceLogs ?? []) {
        for (const r of rl.scopeLogs?.flatMap((sl) => sl.logRecords ?? []) ?? []) {
          const k = Math.floor((Number(BigInt(String(r.timeUnixNano)) / 1_000_000n) - (NOW - PER_DAY.length * DAY)) / DAY);
          if (k < 0 || k >= PER_DAY.length) continue;
          kept[k]!.records += 1;
          kept[k]!.bytes += LogRecordType.encode(r as never).finish().byteLength;
        }
      }
    }
    assert.equal(body.days.length, 3);
    for (const [k, day] of body.days.entries()) {
      assert.equal(day.records_seen, sent[k]!.records, `${day.day}: records seen`);
      assert.equal(day.bytes_seen, sent[k]!.bytes, `${day.day}: bytes as the client sent them`);
      assert.equal(day.records_kept, kept[k]!.records, `${day.day}: records kept`);
      assert.equal(day.bytes_kept, kept[k]!.bytes, `${day.day}: bytes as logsift sent them`);
      assert.ok(day.records_kept >= 3 && day.records_kept < day.records_seen / 4, `${day.day}: ${day.records_kept} kept of ${day.records_seen}`);
      // At $1,000,000 a GB and $1,000 a million records, a record and a byte each cost a thousandth of a dollar.
      assert.equal(day.cost_without, Number(((sent[k]!.bytes + sent[k]!.records) / 1000).toFixed(2)), `${day.day}: cost without`);
      assert.equal(day.cost_with, Number(((kept[k]!.bytes + kept[k]!.records) / 1000).toFixed(2)), `${day.day}: cost with`);
      assert.equal(day.saved, Number((day.cost_without - day.cost_with).toFixed(2)));
      assert.equal(day.reduction, Number((1 - kept[k]!.bytes / sent[k]!.bytes).toFixed(4)));
      assert.deepEqual([day.errors_seen, day.errors_kept], [2, 2], `${day.day}: the two ERRORs sent, both kept`);
      assert.ok(day.pattern_windows > 0 && day.pattern_windows_kept === day.pattern_windows, `${day.day}: every pattern-window kept`);
    }
    assert.equal(body.totals.records_seen, sent.reduce((n, s) => n + s.records, 0));
    assert.ok(body.top_patterns[0]!.template?.startsWith('GET /cart/'), `the costliest pattern is the access line: ${body.top_patterns[0]!.template}`);
    assert.equal(body.top_patterns[0]!.records_seen, 600);
    assert.ok(body.month.bytes_seen > 0);
    assert.equal(body.month.backtest, null, 'three days are too few to backtest');
  });

  it('sums every service on /api/v1/insights', async () => {
    const body = (await (await get('')).json()) as { services: Array<{ service: string; records_seen: number }>; totals: { records_seen: number } };
    assert.deepEqual(body.services.map((s) => [s.service, s.records_seen]), [['cart', 606]]);
    assert.equal(body.totals.records_seen, 606);
  });

  it('refuses what it cannot answer: another method, a span out of range', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${d.telemetryPort}/api/v1/insights/cart`, { method: 'POST' })).status, 405);
    assert.equal((await get('/cart?days=0')).status, 400);
    assert.equal((await get('/cart?days=91')).status, 400);
    const narrower = (await (await get('/cart?days=1')).json()) as { days: unknown[] };
    assert.equal(narrower.days.length, 1);
  });
});
