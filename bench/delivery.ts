// Delivery costs, measured side by side in one run: intake throughput with the sending queue in memory versus
// persistent (SQLite, default sync policy `full`), and how long a 100k-record persistent backlog takes to
// drain once the backend comes back. The backend is a sink in this process. Last line: JSON summary.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeExportRequest } from '../proto/otlp.js';
import { Store, type SyncPolicy } from '../store/store.js';
import { startDaemonProcess } from './daemon_process.js';
import { runLoad } from './load_generator.js';
import { realisticBodies } from './realistic_batch.js';

const RECORDS_PER_BATCH = 1000;
const BACKLOG_RECORDS = 100_000;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 8000);

/** An OTLP/HTTP backend: 200 `{}` when up (counting records when asked), 503 when down. */
class Sink {
  up = true;
  countRecords = false;
  records = 0;
  lastRecordAt = 0;
  readonly #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!this.up) {
        res.writeHead(503, { 'retry-after': '1' }).end();
        return;
      }
      if (this.countRecords) {
        for (const rl of decodeExportRequest(Buffer.concat(chunks)).resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) this.records += sl.logRecords?.length ?? 0;
        this.lastRecordAt = performance.now();
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function exporterYaml(sink: string, persistent: boolean): string {
  return `  otlp_http:
    endpoint: ${sink}
    compression: none
    sending_queue: { persistent: ${persistent}, queue_size: 400000, num_consumers: 4 }
    retry_on_failure: { initial_interval: 200ms, max_interval: 1s }`;
}

async function intakeThroughput(sink: string, persistent: boolean, bodies: Buffer[]) {
  const daemon = await startDaemonProcess({ exportersYaml: exporterYaml(sink, persistent), exporterIds: ['otlp_http'] });
  const load = await runLoad({ port: daemon.httpPort, bodies, recordsPerBody: RECORDS_PER_BATCH, concurrency: 8, warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
  await daemon.stop();
  return load;
}

async function backlogRecovery(sink: Sink, sinkUrl: string, bodies: Buffer[]): Promise<number> {
  sink.up = false;
  const daemon = await startDaemonProcess({ exportersYaml: exporterYaml(sinkUrl, true), exporterIds: ['otlp_http'] });
  for (let i = 0; i < BACKLOG_RECORDS / RECORDS_PER_BATCH; i++) {
    const res = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: bodies[i % bodies.length]! as Uint8Array<ArrayBuffer>,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`backlog request refused: ${res.status}`);
  }
  sink.records = 0;
  sink.countRecords = true;
  const backUp = performance.now();
  sink.up = true;
  while (sink.records < BACKLOG_RECORDS) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (sink.lastRecordAt - backUp) / 1000;
  await daemon.stop();
  return seconds;
}

/** Mean milliseconds the event loop spends in one durable enqueue of a 1000-record batch, per sync policy. */
function commitMs(sync: SyncPolicy, bodies: Buffer[]): number {
  const store = new Store(path.join(mkdtempSync(path.join(os.tmpdir(), 'logsift-commit-')), 'q.db'), sync);
  const n = 200;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) store.enqueue('bench', RECORDS_PER_BATCH, bodies[i % bodies.length]!);
  const ms = (performance.now() - t0) / n;
  store.close();
  return Number(ms.toFixed(3));
}

const bodies = realisticBodies(32, RECORDS_PER_BATCH);
const sink = new Sink();
const sinkUrl = await sink.start();
// Alternate the two modes so drift on the machine hits both alike.
const memory = [await intakeThroughput(sinkUrl, false, bodies)];
const persistent = [await intakeThroughput(sinkUrl, true, bodies)];
memory.push(await intakeThroughput(sinkUrl, false, bodies));
persistent.push(await intakeThroughput(sinkUrl, true, bodies));
const recovery = await backlogRecovery(sink, sinkUrl, bodies);
await sink.stop();

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const memoryRate = mean(memory.map((m) => m.acceptedRecordsPerS));
const persistentRate = mean(persistent.map((m) => m.acceptedRecordsPerS));
const summary = {
  bench: 'delivery',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  exporter: 'otlp_http, no compression, 4 consumers, to an in-process sink',
  sync_policy: 'full',
  records_per_s_memory: Math.round(memoryRate),
  records_per_s_persistent: Math.round(persistentRate),
  persistent_ratio: Number((persistentRate / memoryRate).toFixed(3)),
  p99_ms_memory: Math.max(...memory.map((m) => m.histogram.getValueAtPercentile(99))) / 1000,
  p99_ms_persistent: Math.max(...persistent.map((m) => m.histogram.getValueAtPercentile(99))) / 1000,
  refused_requests: memory.concat(persistent).reduce((n, m) => n + m.refused, 0),
  enqueue_ms_full: commitMs('full', bodies),
  enqueue_ms_normal: commitMs('normal', bodies),
  backlog_records: BACKLOG_RECORDS,
  backlog_recovery_s: Number(recovery.toFixed(2)),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
