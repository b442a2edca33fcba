// Throughput of the daemon (its own process) fed by this process over loopback with OTLP/HTTP protobuf
// batches of 1000 records, through a pass-through pipeline to the nop exporter; beside it, in the same run,
// the floor: decoding and re-encoding the same batches with protobufjs in-process. Last line: JSON summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { decodeExportRequest, encodeExportRequest } from '../proto/otlp.js';
import { freePort } from '../test/support/ports.js';
import { realisticBodies } from './realistic_batch.js';

const RECORDS_PER_BATCH = 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);
const BIN = fileURLToPath(new URL('../cmd/logsift.js', import.meta.url));

async function startDaemon(): Promise<{ pid: number; port: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-'));
  const [grpc, port, telemetry] = [await freePort(), await freePort(), await freePort()];
  const config = path.join(dir, 'bench.yaml');
  writeFileSync(config, `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpc} }
      http: { endpoint: 127.0.0.1:${port} }
exporters:
  nop:
service:
  data_dir: ${dir}
  telemetry: { logs: { level: warn }, metrics: { address: 127.0.0.1:${telemetry} } }
  pipelines:
    logs: { receivers: [otlp], exporters: [nop] }
`);
  const child = spawn(process.execPath, [BIN, 'run', '--config', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  // Ready when the telemetry server says so.
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${telemetry}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function load(port: number, bodies: Buffer[]): Promise<{ recordsPerS: number; histogram: hdr.Histogram }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const post = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });

  let measuring = false;
  let sent = 0;
  const started = Date.now();
  let measureStart = 0;
  const worker = async (w: number) => {
    for (let i = w; ; i += CONCURRENCY) {
      const now = Date.now();
      if (!measuring && now - started >= WARMUP_MS) {
        measuring = true;
        measureStart = now;
      }
      if (measuring && now - measureStart >= MEASURE_MS) return;
      const t0 = process.hrtime.bigint();
      await post(bodies[i % bodies.length]!);
      if (measuring) {
        histogram.recordValue(Number((process.hrtime.bigint() - t0) / 1000n)); // microseconds
        sent += RECORDS_PER_BATCH;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  agent.destroy();
  return { recordsPerS: sent / (MEASURE_MS / 1000), histogram };
}

function floor(bodies: Buffer[]): number {
  const until = Date.now() + MEASURE_MS / 2;
  let records = 0;
  for (let i = 0; Date.now() < until; i++) {
    const decoded = decodeExportRequest(bodies[i % bodies.length]!);
    encodeExportRequest(decoded);
    records += RECORDS_PER_BATCH;
  }
  return records / (MEASURE_MS / 2 / 1000);
}

const bodies = realisticBodies(32, RECORDS_PER_BATCH);
const daemon = await startDaemon();
const { recordsPerS, histogram } = await load(daemon.port, bodies);
const rss = peakRssMb(daemon.pid);
await daemon.stop();
const floorPerS = floor(bodies);

const summary = {
  bench: 'throughput',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  batch_records: RECORDS_PER_BATCH,
  batch_bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length),
  concurrency: CONCURRENCY,
  records_per_s: Math.round(recordsPerS),
  floor_records_per_s: Math.round(floorPerS),
  ratio_to_floor: Number((recordsPerS / floorPerS).toFixed(3)),
  p50_ms: histogram.getValueAtPercentile(50) / 1000,
  p99_ms: histogram.getValueAtPercentile(99) / 1000,
  peak_rss_mb: Math.round(rss),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
