// Throughput of the daemon (its own process) fed by this process over loopback with OTLP/HTTP protobuf
// batches of 1000 records, through a pass-through pipeline to the nop exporter, then again with the signature
// processor; beside them, in the same run, the floor: decoding and re-encoding the same batches with
// protobufjs in-process. Last line: JSON summary.
import os from 'node:os';
import { ExportLogsServiceRequest } from '../proto/otlp.js';
import { startDaemonProcess } from './daemon_process.js';
import { runLoad } from './load_generator.js';
import { realisticBodies } from './realistic_batch.js';

const RECORDS_PER_BATCH = 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);

function floor(bodies: Buffer[]): number {
  const until = Date.now() + MEASURE_MS / 2;
  let records = 0;
  for (let i = 0; Date.now() < until; i++) {
    // protobufjs itself, as every Node OTLP stack does it (logsift's own reader and writer are what is measured).
    ExportLogsServiceRequest.encode(ExportLogsServiceRequest.decode(bodies[i % bodies.length]!)).finish();
    records += RECORDS_PER_BATCH;
  }
  return records / (MEASURE_MS / 2 / 1000);
}

const bodies = realisticBodies(32, RECORDS_PER_BATCH);
const loadOptions = { bodies, recordsPerBody: RECORDS_PER_BATCH, concurrency: CONCURRENCY, warmupMs: WARMUP_MS, measureMs: MEASURE_MS };
const daemon = await startDaemonProcess({ exportersYaml: '  nop:', exporterIds: ['nop'] });
const load = await runLoad({ port: daemon.httpPort, ...loadOptions });
const rss = daemon.peakRssMb();
await daemon.stop();
// The same, with the signature processor (the embedded default runs it): what pattern tagging costs.
const signed = await startDaemonProcess({ exportersYaml: '  nop:', exporterIds: ['nop'], processorsYaml: '  signature:', processorIds: ['signature'] });
const signedLoad = await runLoad({ port: signed.httpPort, ...loadOptions });
await signed.stop();
// And the full default chain: signature, rate statistics, anomaly detection, sampling.
const chain = ['signature', 'ratestats', 'anomaly', 'sampler'];
const CHAIN_YAML = process.env.BENCH_CHAIN_YAML;
const full = await startDaemonProcess({ exportersYaml: '  nop:', exporterIds: ['nop'], processorsYaml: CHAIN_YAML ?? chain.map((p) => `  ${p}:`).join('\n'), processorIds: chain });
const fullLoad = await runLoad({ port: full.httpPort, ...loadOptions });
await full.stop();
const floorPerS = floor(bodies);

const summary = {
  bench: 'throughput',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  batch_records: RECORDS_PER_BATCH,
  batch_bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length),
  concurrency: CONCURRENCY,
  records_per_s: Math.round(load.acceptedRecordsPerS),
  floor_records_per_s: Math.round(floorPerS),
  ratio_to_floor: Number((load.acceptedRecordsPerS / floorPerS).toFixed(3)),
  p50_ms: load.histogram.getValueAtPercentile(50) / 1000,
  p99_ms: load.histogram.getValueAtPercentile(99) / 1000,
  peak_rss_mb: Math.round(rss),
  records_per_s_with_signature: Math.round(signedLoad.acceptedRecordsPerS),
  signature_ratio: Number((signedLoad.acceptedRecordsPerS / load.acceptedRecordsPerS).toFixed(3)),
  p99_ms_with_signature: signedLoad.histogram.getValueAtPercentile(99) / 1000,
  records_per_s_full_chain: Math.round(fullLoad.acceptedRecordsPerS),
  full_chain_ratio: Number((fullLoad.acceptedRecordsPerS / load.acceptedRecordsPerS).toFixed(3)),
  p99_ms_full_chain: fullLoad.histogram.getValueAtPercentile(99) / 1000,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
