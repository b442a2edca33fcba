// Time to first insight (issue 14): how long `logsift analyze` takes to print its report on a day of logs,
// read back from PostHog (the read-back stand-in, answering each query after DELAY_MS as a real instance
// takes time to), beside the same day from a local file — in one run, so the figure is a ratio and the
// read-back's own cost shows. The day is the workload generator's: four services, bursty (gamma–Poisson
// per minute, clumped), a daily cycle and deploys that move levels, incidents injected.
// Env: MINUTES (1440), PER_MINUTE (peak records a service and minute, 600), DELAY_MS (250), RUNS (1).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJsonExportRequest } from '../proto/otlp_json.js';
import { PosthogQueryStandin, isoMicros, type StoredLogRow } from '../test/support/posthog_query_standin.js';
import { uuidOf } from '../test/support/posthog_rows.js';
import { START, generateWorkload } from './workload.js';

const MINUTES = Number(process.env.MINUTES ?? 1440);
const PER_MINUTE = Number(process.env.PER_MINUTE ?? 600);
const DELAY_MS = Number(process.env.DELAY_MS ?? 250);
const RUNS = Number(process.env.RUNS ?? 1);
const BIN = fileURLToPath(new URL('../bin/logsift.js', import.meta.url));
const KEY = 'phx_bench_first_insight';

function text(value: { stringValue?: string | null; intValue?: unknown; doubleValue?: number | null; boolValue?: boolean | null } | null | undefined): string {
  if (!value) return '';
  if (value.stringValue != null) return value.stringValue;
  return String(value.intValue ?? value.doubleValue ?? value.boolValue ?? '');
}

/** The traffic file's records as PostHog would hold them. */
function asRows(file: string): StoredLogRow[] {
  const rows: StoredLogRow[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    for (const rl of decodeJsonExportRequest(line).resourceLogs ?? []) {
      const resource = Object.fromEntries((rl.resource?.attributes ?? []).map((a) => [a.key, text(a.value)]));
      for (const sl of rl.scopeLogs ?? []) {
        for (const r of sl.logRecords ?? []) {
          const n = rows.length;
          const hex = (bytes: Uint8Array | null | undefined) => (bytes && bytes.length > 0 ? Buffer.from(bytes).toString('hex') : '');
          rows.push({
            uuid: uuidOf(n),
            us: Number(BigInt(String(r.timeUnixNano)) / 1000n),
            body: text(r.body),
            severity_text: r.severityText ?? '',
            severity_number: r.severityNumber ?? 0,
            service_name: resource['service.name'] ?? '',
            resource_attributes: resource,
            attributes: Object.fromEntries((r.attributes ?? []).map((a) => [a.key, text(a.value)])),
            trace_id: hex(r.traceId),
            span_id: hex(r.spanId),
          });
        }
      }
    }
  }
  return rows;
}

function timeCli(args: string[], env: Record<string, string>): Promise<{ seconds: number; code: number | null; stdout: string; stderr: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code, stdout, stderr }));
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-first-insight-'));
try {
  const traffic = path.join(dir, 'day.jsonl');
  const generated = generateWorkload(traffic, MINUTES, PER_MINUTE);
  const rows = asRows(traffic);
  const standin = new PosthogQueryStandin(rows);
  standin.keys.set(KEY, ['logs:read']);
  standin.delayMs = DELAY_MS;
  const host = await standin.start();
  const range = ['--from', isoMicros(START * 1000), '--to', isoMicros((START + MINUTES * 60_000) * 1000)];
  const runs: Array<{ file_s: number; posthog_s: number; ratio: number; pages: number }> = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const local = await timeCli(['analyze', '--input', traffic, '--json'], {});
      if (local.code !== 0) throw new Error(`analyze --input failed: ${local.stderr}`);
      const before = standin.served.length;
      const remote = await timeCli(['analyze', '--posthog', host, '--project', '1', ...range, '--out', path.join(dir, `out-${run}`), '--json'], { LOGSIFT_POSTHOG_KEY: KEY });
      if (remote.code !== 0) throw new Error(`analyze --posthog failed: ${remote.stderr}`);
      const [a, b] = [JSON.parse(local.stdout) as { input: { records: number } }, JSON.parse(remote.stdout) as { input: { records: number } }];
      if (a.input.records !== rows.length || b.input.records !== rows.length) throw new Error(`records: file ${a.input.records}, PostHog ${b.input.records}, generated ${rows.length}`);
      const pages = standin.served.length - before;
      runs.push({ file_s: Number(local.seconds.toFixed(1)), posthog_s: Number(remote.seconds.toFixed(1)), ratio: Number((remote.seconds / local.seconds).toFixed(2)), pages });
      process.stderr.write(`run ${run + 1}: from the file ${local.seconds.toFixed(1)} s, from PostHog ${remote.seconds.toFixed(1)} s (${pages} queries at ${DELAY_MS} ms)\n`);
    }
  } finally {
    await standin.stop();
  }
  const worst = Math.max(...runs.map((r) => r.posthog_s));
  console.log(JSON.stringify({ bench: 'first_insight', minutes: MINUTES, records: rows.length, services: new Set(rows.map((r) => r.service_name)).size, incidents: generated.incidents.length, query_delay_ms: DELAY_MS, runs, worst_posthog_s: worst, target_s: 300, within_target: worst < 300 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
