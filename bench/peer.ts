// logsift beside the OpenTelemetry Collector (v0.161.0, built from the Go module proxy by
// bench/peer/build_collector.sh), under the same load in the same run: 8 connections POSTing 1000-record
// OTLP/HTTP protobuf batches as fast as each peer answers. Two pipelines:
//   pass_through — otlp → nop, on both;
//   chain        — Collector: otlp → probabilistic_sampler (5%, hash_seed) → batch → otlphttp;
//                  logsift: otlp → signature → ratestats → anomaly → sampler → otlp_http with a persistent
//                  queue (storage.sync: normal), batching after the answer (sending_queue.batch).
//   chain_1pct_errors — the chain again, on traffic where 1% of records are ERROR instead of 20% (logsift
//                  keeps every ERROR: with a fifth of the records at ERROR it exports a quarter of them, the
//                  Collector a twentieth; production services log a percent or two at ERROR).
// Both export to the same sink process. Then, for each, the latency one client sees with one 512-record
// request in flight (an SDK's default batch) while the load runs at half that peer's maximum.
// Where Go is missing the Collector cannot be built: the run says so and prints a summary marked skipped.
// Last line: JSON summary (figures per run, ratios logsift / Collector).
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type * as hdr from 'hdr-histogram-js';
import { startDaemonProcess } from './daemon_process.js';
import { runLoad, type LoadResult } from './load_generator.js';
import { ensureCollector, startCollector } from './peer/collector_process.js';
import { realisticBodies } from './realistic_batch.js';

const RECORDS_PER_BATCH = 1000;
const PROBE_RECORDS = 512;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const CHAIN = ['signature', 'ratestats', 'anomaly', 'sampler'];

const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`;
const built = ensureCollector();
if (!built.ok) {
  process.stderr.write(`bench:peer skipped: ${built.reason}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'peer', machine, skipped: built.reason })}\n`);
  process.exit(0);
}

async function startSink(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./peer/sink.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { port, stop: async () => (child.kill('SIGTERM'), await exited) };
}

interface Peer {
  httpPort: number;
  stop(): Promise<void>;
  peakRssMb(): number;
}

const bodies = realisticBodies(32, RECORDS_PER_BATCH);
const probeBodies = realisticBodies(16, PROBE_RECORDS);
const ms = (h: hdr.Histogram, p: number) => h.getValueAtPercentile(p) / 1000;

async function measure(start: () => Promise<Peer>, bodies: Buffer[]) {
  const peer = await start();
  try {
    const max: LoadResult = await runLoad({ port: peer.httpPort, bodies, recordsPerBody: RECORDS_PER_BATCH, concurrency: CONCURRENCY, warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
    const halfRate = max.acceptedRecordsPerS / RECORDS_PER_BATCH / 2;
    const [, probe] = await Promise.all([
      runLoad({ port: peer.httpPort, bodies, recordsPerBody: RECORDS_PER_BATCH, concurrency: CONCURRENCY, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, requestsPerS: halfRate }),
      runLoad({ port: peer.httpPort, bodies: probeBodies, recordsPerBody: PROBE_RECORDS, concurrency: 1, warmupMs: WARMUP_MS, measureMs: MEASURE_MS }),
    ]);
    return {
      records_per_s: Math.round(max.acceptedRecordsPerS),
      refused: max.refused,
      p50_ms: ms(max.histogram, 50),
      p99_ms: ms(max.histogram, 99),
      probe_p50_ms: ms(probe.histogram, 50),
      probe_p99_ms: ms(probe.histogram, 99),
      peak_rss_mb: Math.round(peer.peakRssMb()),
    };
  } finally {
    await peer.stop();
  }
}

const sink = await startSink();
const sinkUrl = `http://127.0.0.1:${sink.port}`;
const chain = {
  collector: () =>
    startCollector(
      ['processors:', '  probabilistic_sampler: { sampling_percentage: 5, mode: hash_seed }', '  batch:', 'exporters:', `  otlp_http: { endpoint: "${sinkUrl}" }`].join('\n'),
      '      processors: [probabilistic_sampler, batch]\n      exporters: [otlp_http]',
    ),
  logsift: () =>
    startDaemonProcess({
      processorsYaml: CHAIN.map((p) => `  ${p}:`).join('\n'),
      processorIds: CHAIN,
      exportersYaml: `  otlp_http: { endpoint: "${sinkUrl}", sending_queue: { persistent: true } }`,
      exporterIds: ['otlp_http'],
      serviceYaml: '  storage: { sync: normal }',
    }),
};
const cases = {
  pass_through: {
    bodies,
    collector: () => startCollector('exporters:\n  nop:', '      exporters: [nop]'),
    logsift: () => startDaemonProcess({ exportersYaml: '  nop:', exporterIds: ['nop'] }),
  },
  chain: { ...chain, bodies },
  chain_1pct_errors: { ...chain, bodies: realisticBodies(32, RECORDS_PER_BATCH, 0.01) },
};

const runs: Array<Record<string, unknown>> = [];
for (let run = 1; run <= RUNS; run++) {
  const figures: Record<string, unknown> = { run };
  for (const [name, peers] of Object.entries(cases)) {
    const collector = await measure(peers.collector, peers.bodies);
    const logsift = await measure(peers.logsift, peers.bodies);
    figures[name] = { collector, logsift, throughput_ratio: Number((logsift.records_per_s / collector.records_per_s).toFixed(3)) };
    process.stderr.write(`run ${run} ${name}: Collector ${collector.records_per_s} rec/s, logsift ${logsift.records_per_s} rec/s; probe p50/p99 Collector ${collector.probe_p50_ms}/${collector.probe_p99_ms} ms, logsift ${logsift.probe_p50_ms}/${logsift.probe_p99_ms} ms\n`);
  }
  runs.push(figures);
}
await sink.stop();

const summary = {
  bench: 'peer',
  machine,
  collector: 'otelcol v0.161.0 (bench/peer/builder-config.yaml)',
  batch_records: RECORDS_PER_BATCH,
  probe_records: PROBE_RECORDS,
  concurrency: CONCURRENCY,
  runs,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
