// `logsift analyze` through the real bin: plain log lines (times and levels read from them) and OTLP/JSON
// traffic replayed through the chain; the report's counts checked against what the files hold and against
// `logsift replay` of the same traffic, its money against the prices, its losses against the invariants.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LogRecordType } from '../../proto/otlp.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';
import { lineSeverity, lineTime } from '../../proto/text_traffic.js';
import { runCli } from '../support/cli.js';

const START = Date.UTC(2026, 10, 23, 8, 0, 0);
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN'];

/** Two hours of an app's log: an access line every second, a few other lines, an ERROR every ten minutes. */
function appLog(): { text: string; lines: number; errors: number } {
  const lines: string[] = [];
  let errors = 0;
  for (let s = 0; s < 2 * 3600; s++) {
    const at = new Date(START + s * 1000).toISOString().replace('T', ' ').replace('Z', '');
    lines.push(`${at} ${LEVELS[s % 5]} http: GET /api/items/${s % 977} answered 200 in ${s % 83} ms`);
    if (s % 7 === 0) lines.push(`${at} INFO cache: miss for key product:${s}:price, refilled in ${s % 13} ms`);
    if (s % 600 === 0) {
      lines.push(`${at} ERROR payments: charge ${s} failed: card_declined`);
      errors += 1;
    }
  }
  return { text: `${lines.join('\n')}\n`, lines: lines.length, errors };
}

interface ServiceReport {
  service: string;
  records_seen: number;
  records_kept: number;
  bytes_seen: number;
  bytes_kept: number;
  errors_seen: number;
  errors_kept: number;
  pattern_windows: number;
  pattern_windows_kept: number;
  cost_span: { without: number | null; with: number | null; saved: number | null };
  patterns: Array<{ template: string | null; records: number; error_share: number }>;
}

/** Protobuf sizes of the records in a traffic file (the file exporter's format). */
function trafficBytes(file: string): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    for (const rl of decodeJsonExportRequest(line).resourceLogs ?? []) {
      for (const r of rl.scopeLogs?.flatMap((sl) => sl.logRecords ?? []) ?? []) {
        records += 1;
        bytes += LogRecordType.encode(r as never).finish().byteLength;
      }
    }
  }
  return { records, bytes };
}

describe('logsift analyze', () => {
  it('reads times and levels from plain lines', () => {
    assert.equal(lineTime('2026-11-23 08:00:01,250 INFO x', 2026), Date.UTC(2026, 10, 23, 8, 0, 1, 250));
    assert.equal(lineTime('[2026-11-23T08:00:01.5+01:00] x', 2026), Date.UTC(2026, 10, 23, 7, 0, 1, 500));
    assert.equal(lineTime('Jun 14 15:16:01 combo sshd[19939]: x', 2026), Date.UTC(2026, 5, 14, 15, 16, 1));
    assert.equal(lineTime('17/06/09 20:10:40 INFO x', 2026), Date.UTC(2017, 5, 9, 20, 10, 40));
    assert.equal(lineTime('081109 203615 148 INFO x', 2026), Date.UTC(2008, 10, 9, 20, 36, 15));
    assert.equal(lineTime('[Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6', 2026), Date.UTC(2005, 11, 4, 4, 47, 44));
    assert.equal(lineTime('03-17 16:13:38.811  1702  2395 D WindowManager: x', 2026), Date.UTC(2026, 2, 17, 16, 13, 38, 811));
    assert.equal(lineTime('- 1117838570 2005.06.03 R02-M1-N0 RAS KERNEL INFO x', 2026), 1_117_838_570_000);
    assert.equal(lineTime('1131566461 x', 2026), 1_131_566_461_000);
    assert.equal(lineTime('1234 x', 2026), undefined, 'a short number is no time');
    assert.equal(lineTime('9999999999 x', 2026), undefined, 'nor one past 2100');
    assert.equal(lineTime('no time here', 2026), undefined);
    assert.deepEqual(['03-17 16:13:38.811  1702  2395 E Tag: x', '03-17 16:13:38.811  1702  2395 W Tag: ERROR', '03-17 16:13:38.811  1702  2395 V Tag: x'].map(lineSeverity), [17, 13, 1]);
    assert.deepEqual(['x ERROR y', '[error] y', 'WARN y', 'a connection error', 'FATAL', 'nothing'].map(lineSeverity), [17, 17, 13, 9, 21, 9]);
  });

  it('on plain text: every line and every ERROR counted, all ERRORs kept, money at the given prices', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-'));
    const log = appLog();
    const input = path.join(dir, 'app.log');
    writeFileSync(input, log.text);
    const out = path.join(dir, 'out');
    const result = await runCli(['analyze', '--input', input, '--service', 'shop', '--vendor', 'datadog', '--price-per-gb', '1000000', '--json', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { input: { format: string; records: number; lines_with_time: number }; services: ServiceReport[] };
    assert.equal(report.input.format, 'text');
    assert.equal(report.input.records, log.lines);
    assert.equal(report.input.lines_with_time, log.lines);
    const [shop] = report.services;
    assert.equal(shop!.service, 'shop');
    assert.equal(shop!.records_seen, log.lines);
    assert.deepEqual([shop!.errors_seen, shop!.errors_kept], [log.errors, log.errors], 'every ERROR seen and kept');
    assert.equal(shop!.pattern_windows_kept, shop!.pattern_windows, 'every pattern in every window kept');
    assert.ok(shop!.records_kept < log.lines / 5, `${shop!.records_kept} kept of ${log.lines}`);
    // Seen bytes are the records as the replay read them (the converted traffic kept under --out).
    assert.deepEqual({ records: shop!.records_seen, bytes: shop!.bytes_seen }, trafficBytes(path.join(out, 'traffic.jsonl')));
    // $1,000,000 a GB (a thousandth of a dollar a byte) and Datadog's $1.70 a million records.
    const expect = (bytes: number, records: number) => Number((bytes / 1000 + (records / 1e6) * 1.7).toFixed(2));
    assert.equal(shop!.cost_span.without, expect(shop!.bytes_seen, shop!.records_seen));
    assert.equal(shop!.cost_span.with, expect(shop!.bytes_kept, shop!.records_kept));
    const payments = shop!.patterns.find((p) => p.template?.includes('payments: charge'));
    assert.ok(payments && payments.error_share === 1, 'the ERROR line is a pattern of its own, all errors');
    const text = await runCli(['analyze', '--input', input, '--service', 'shop']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /ERROR and above +12 +12 +100\.0%/);
    assert.match(text.stdout, /per-GB rate is not public/, 'PostHog\'s price is not assumed');
  });

  it('on OTLP/JSON traffic: what it reports kept is what `logsift replay` keeps of the same traffic', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-'));
    const traffic = path.join(dir, 'traffic.jsonl');
    const lines: string[] = [];
    for (let m = 0; m < 60; m++) {
      const records = Array.from({ length: 200 }, (_, i) => ({
        timeUnixNano: String(BigInt(START + m * 60_000 + i * 300) * 1_000_000n),
        severityNumber: i === 0 ? 17 : 9,
        body: { stringValue: i === 0 ? `job ${m} failed after ${i} retries` : `worker ${i % 16} processed batch ${m * 200 + i} in ${i % 70} ms` },
        // Trace ids make the sampler's draws the same in both runs (they hash the trace id).
        traceId: (m * 200 + i + 1).toString(16).padStart(32, '0'),
      }));
      lines.push(JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'jobs' } }] }, scopeLogs: [{ logRecords: records }] }] }));
    }
    writeFileSync(traffic, `${lines.join('\n')}\n`);
    const analyzed = await runCli(['analyze', '--input', traffic, '--json']);
    assert.equal(analyzed.code, 0, analyzed.stderr);
    const [jobs] = (JSON.parse(analyzed.stdout) as { services: ServiceReport[] }).services;
    const replayed = await runCli(['replay', '--input', traffic, '--out', path.join(dir, 'replay')]);
    assert.equal(replayed.code, 0, replayed.stderr);
    const summary = JSON.parse(replayed.stdout.trim().split('\n').pop()!) as { records_in: number; records_kept: number };
    assert.deepEqual([jobs!.records_seen, jobs!.records_kept], [summary.records_in, summary.records_kept]);
    assert.deepEqual([jobs!.records_seen, jobs!.bytes_seen], [12_000, trafficBytes(traffic).bytes], 'bytes seen as the traffic holds them');
    assert.equal(jobs!.bytes_kept, trafficBytes(path.join(dir, 'replay', 'kept.jsonl')).bytes, 'bytes kept as replay wrote them');
    assert.deepEqual([jobs!.errors_seen, jobs!.errors_kept], [60, 60]);
  });

  it('what-ifs: the same lines under one tuner round and under a policy file, each measured as the config\'s policy is', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-'));
    const log = appLog();
    const input = path.join(dir, 'app.log');
    writeFileSync(input, log.text);
    const loose = path.join(dir, 'loose.yaml');
    writeFileSync(loose, 'policy:\n  budget: { keep_fraction: 0.3 }\n');
    const tight = path.join(dir, 'tight.json');
    writeFileSync(tight, JSON.stringify({ budget: { keep_fraction: 0.01 }, first_k_per_window: 1 }));
    const result = await runCli(['analyze', '--input', input, '--service', 'shop', '--policy', loose, '--policy', tight, '--json']);
    assert.equal(result.code, 0, result.stderr);
    type Choice = { name: string; policies: Array<{ service: string; budget: { keep_fraction: number } }>; services: ServiceReport[]; notes: string[] };
    const report = JSON.parse(result.stdout) as { services: ServiceReport[]; what_if: Choice[] };
    assert.deepEqual(report.what_if.map((w) => w.name), ['config', 'tuner', loose, tight]);
    const [config, tuner, looser, tighter] = report.what_if.map((w) => w.services[0]!);
    const [shop] = report.services;
    assert.deepEqual([config!.records_kept, config!.bytes_kept], [shop!.records_kept, shop!.bytes_kept], 'the config\'s what-if is the report itself');
    assert.equal(report.what_if[2]!.policies[0]!.budget.keep_fraction, 0.3);
    assert.ok(looser!.records_kept > 4 * config!.records_kept, `a 30% budget keeps far more (${looser!.records_kept} against ${config!.records_kept})`);
    // A 1% budget sits at the floor (every ERROR, the first record of each pattern and window), as the config's nearly does here.
    assert.ok(tighter!.records_kept <= config!.records_kept * 1.05 && tighter!.records_kept < looser!.records_kept / 4, `a 1% budget keeps no more (${tighter!.records_kept})`);
    assert.ok(tighter!.records_kept >= tighter!.pattern_windows, 'and not below the floor');
    assert.ok(report.what_if[1]!.notes[0]!.startsWith('shop: '), 'the tuner says why');
    for (const choice of [config, tuner, looser, tighter]) {
      assert.equal(choice!.records_seen, log.lines);
      assert.deepEqual([choice!.errors_kept, choice!.pattern_windows_kept], [log.errors, choice!.pattern_windows], 'every choice keeps every ERROR and every pattern-window');
    }
    const text = await runCli(['analyze', '--input', input, '--service', 'shop', '--policy', loose]);
    assert.match(text.stdout, /what if +records kept/);
    assert.match(text.stdout, new RegExp(`${loose.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +[\\d,]+ \\(`));
    const skipped = await runCli(['analyze', '--input', input, '--service', 'shop', '--no-tuner', '--json']);
    assert.deepEqual((JSON.parse(skipped.stdout) as { what_if: Choice[] }).what_if.map((w) => w.name), ['config']);
  });

  it('--ledger: a daemon\'s ledger read afterwards reports what a replay of the same traffic reports', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-'));
    const log = appLog();
    const input = path.join(dir, 'app.log');
    writeFileSync(input, log.text);
    const out = path.join(dir, 'out');
    const analysed = await runCli(['analyze', '--input', input, '--service', 'shop', '--no-tuner', '--json', '--out', out]);
    assert.equal(analysed.code, 0, analysed.stderr);
    // The replay's store is a daemon's data_dir as the sampler left it.
    const dataDir = path.join(out, 'replay');
    const range = ['--from', new Date(START - 3_600_000).toISOString(), '--to', new Date(START + 4 * 3_600_000).toISOString()];
    const fromLedger = await runCli(['analyze', '--ledger', ...range, '--json'], { LOGSIFT_DATA_DIR: dataDir });
    assert.equal(fromLedger.code, 0, fromLedger.stderr);
    const [a] = (JSON.parse(analysed.stdout) as { services: ServiceReport[] }).services;
    const report = JSON.parse(fromLedger.stdout) as { input: { format: string }; services: ServiceReport[] };
    const [b] = report.services;
    assert.equal(report.input.format, 'ledger');
    const figures = (s: ServiceReport) => [s.records_seen, s.records_kept, s.bytes_seen, s.bytes_kept, s.errors_seen, s.errors_kept, s.pattern_windows, s.pattern_windows_kept];
    assert.deepEqual(figures(b!), figures(a!), 'the ledger\'s own counts, ERRORs included, are the replay\'s');
    assert.deepEqual([b!.errors_seen, b!.errors_kept], [log.errors, log.errors]);
    // A range before the traffic holds nothing.
    const empty = await runCli(['analyze', '--ledger', '--from', '2020-01-01T00:00:00Z', '--to', '2020-01-02T00:00:00Z', '--json'], { LOGSIFT_DATA_DIR: dataDir });
    assert.equal(empty.code, 1);
    const missing = await runCli(['analyze', '--ledger'], { LOGSIFT_DATA_DIR: path.join(dir, 'nowhere') });
    assert.match(missing.stderr, /no ledger at/);
  });

  it('a policy file with mistakes is refused with each one and its path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-'));
    const input = path.join(dir, 'app.log');
    writeFileSync(input, appLog().text);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'policy:\n  budget: { keep_fraction: 3 }\n  first_k_per_window: -1\n');
    const result = await runCli(['analyze', '--input', input, '--policy', bad]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /bad\.yaml: policy\.budget\.keep_fraction/);
    assert.match(result.stderr, /bad\.yaml: policy\.first_k_per_window/);
    const extra = path.join(dir, 'extra.yaml');
    writeFileSync(extra, 'policy: {}\nexporters: {}\n');
    assert.match((await runCli(['analyze', '--input', input, '--policy', extra])).stderr, /unknown keys exporters/);
  });

  it('refuses what it cannot do with a clear message', async () => {
    const bad = await runCli(['analyze', '--input', '/nonexistent/file', '--vendor', 'acme']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown vendor acme/);
    const format = await runCli(['analyze', '--input', '/nonexistent/file', '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be auto, otlp or text/);
  });
});
