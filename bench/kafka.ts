// Records/s through Kafka into logsift (the full default chain to `otlp_http`, persistent queue) beside the
// direct OTLP/HTTP path into the same chain, in one run, to the same sink (bench/peer/sink.ts). A real Apache
// Kafka broker is started (test/support/kafka_broker.ts: Java 17 and Maven). The topic is filled first with
// the realistic generator's 1000-record requests (a fifth ERROR; `BENCH_ERR` to change), one request a
// message; then a logsift reads it from the start and the rate is taken between 10% and 90% of the records,
// from the daemon's own accepted-records counter. Then a burst: a fresh topic produced to at a base rate
// (BENCH_KAFKA_BASE records/s, default 20,000), ten times that for BENCH_KAFKA_BURST_S seconds (default 10),
// and the base rate again, while a fresh logsift consumes it; the consumer's lag — records produced (acked by
// the broker) less records logsift accepted — is sampled every 250 ms: its peak, and how long after the burst
// it takes to fall back under one second of base traffic. Last line: JSON.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin, Producer } from '@platformatic/kafka';
import { startKafka } from '../test/support/kafka_broker.js';
import { freePort } from '../test/support/ports.js';
import { runLoad } from './load_generator.js';
import { realisticBodies } from './realistic_batch.js';

const MESSAGES = Number(process.env.BENCH_KAFKA_MESSAGES ?? 600);
const BASE = Number(process.env.BENCH_KAFKA_BASE ?? 20_000);
const BURST_S = Number(process.env.BENCH_KAFKA_BURST_S ?? 10);
const RECORDS = 1000;
const ERR = process.env.BENCH_ERR ? Number(process.env.BENCH_ERR) : undefined;
const CHAIN = ['signature', 'ratestats', 'anomaly', 'sampler'];
const BIN = fileURLToPath(new URL('../bin/logsift.js', import.meta.url));

const sinkChild = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./peer/sink.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'ignore'] });
const sinkPort = await new Promise<number>((resolve) => sinkChild.stdout!.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))));

const broker = await startKafka({ partitions: 8 });
const topic = 'bench_logs';
const admin = new Admin({ clientId: 'bench', bootstrapBrokers: [broker.bootstrap] });
await admin.createTopics({ topics: [topic], partitions: 8, replicas: 1 });
await admin.close();
const bodies = realisticBodies(32, RECORDS, ERR);
const producer = new Producer({ clientId: 'bench', bootstrapBrokers: [broker.bootstrap], acks: -1 });
// A 1000-record request is ~280 KB: three a send stay under the broker's 1 MB a batch.
for (let m = 0; m < MESSAGES; m += 3) {
  await producer.send({ messages: Array.from({ length: Math.min(3, MESSAGES - m) }, (_, i) => ({ topic, key: Buffer.from(`k${(m + i) % 64}`), value: bodies[(m + i) % bodies.length]! })) });
}
await producer.close();

async function daemon(receivers: string, receiverId: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-kafka-'));
  const telemetry = await freePort();
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `receivers:
${receivers}
processors:
${CHAIN.map((p) => `  ${p}:`).join('\n')}
exporters:
  otlp_http: { endpoint: "http://127.0.0.1:${sinkPort}", sending_queue: { persistent: true } }
service:
  data_dir: "${dir}"
  storage: { sync: normal }
  limits: { max_inflight_records: 200000 }
  telemetry: { logs: { level: warn }, metrics: { address: "127.0.0.1:${telemetry}" } }
  pipelines:
    logs: { receivers: [${receiverId}], processors: [${CHAIN.join(', ')}], exporters: [otlp_http] }
`,
  );
  const child = spawn(process.execPath, ['--max-semi-space-size=32', BIN, 'run', '--config', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  while (!(await fetch(`http://127.0.0.1:${telemetry}/readyz`).then((r) => r.ok, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    accepted: async () => {
      const text = await (await fetch(`http://127.0.0.1:${telemetry}/metrics`)).text();
      return [...text.matchAll(/^logsift_receiver_accepted_log_records_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Through Kafka: the rate between 10% and 90% of the topic.
const total = MESSAGES * RECORDS;
const viaKafka = await daemon(`  kafka: { brokers: ["${broker.bootstrap}"], group_id: bench, initial_offset: earliest, logs: { topic: ${topic} } }`, 'kafka');
let from: { at: number; n: number } | undefined;
let to: { at: number; n: number } | undefined;
const deadline = Date.now() + 300_000;
while (!to && Date.now() < deadline) {
  const n = await viaKafka.accepted();
  const at = performance.now();
  if (!from && n >= total * 0.1) from = { at, n };
  if (from && n >= total * 0.9) to = { at, n };
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await viaKafka.stop();
const kafkaRate = from && to ? Math.round(((to.n - from.n) * 1000) / (to.at - from.at)) : 0;

// Directly: 8 connections of the same requests over OTLP/HTTP, closed loop.
const httpPort = await freePort();
const direct = await daemon(`  otlp:\n    protocols:\n      http: { endpoint: "127.0.0.1:${httpPort}" }`, 'otlp');
const load = await runLoad({ port: httpPort, bodies, recordsPerBody: RECORDS, concurrency: 8, warmupMs: 3000, measureMs: 10_000 });
await direct.stop();

// A 10× burst: base for 10 s, ten times the base for BURST_S, base for 40 s; lag sampled every 250 ms.
const burstTopic = 'bench_burst';
const burstAdmin = new Admin({ clientId: 'bench', bootstrapBrokers: [broker.bootstrap] });
await burstAdmin.createTopics({ topics: [burstTopic], partitions: 8, replicas: 1 });
await burstAdmin.close();
const consumer = await daemon(`  kafka: { brokers: ["${broker.bootstrap}"], group_id: bench_burst, initial_offset: earliest, logs: { topic: ${burstTopic} } }`, 'kafka');
const burstProducer = new Producer({ clientId: 'bench-burst', bootstrapBrokers: [broker.bootstrap], acks: -1 });
const phases = [
  { until: 10_000, rate: BASE },
  { until: 10_000 + BURST_S * 1000, rate: 10 * BASE },
  { until: 10_000 + BURST_S * 1000 + 40_000, rate: BASE },
];
const burstEnd = phases[1]!.until;
const start = performance.now();
let due = 0;
let produced = 0;
let sentMessages = 0;
let inFlight = 0;
const samples: Array<{ t: number; lag: number; produced: number }> = [];
let nextSample = 0;
for (;;) {
  const t = performance.now() - start;
  const phase = phases.find((p) => t < p.until);
  if (!phase) break;
  due += (phase.rate * 50) / 1000 / RECORDS;
  // Whole messages now due, three to a send (under the broker's 1 MB a batch), at most 32 sends in flight.
  while (due >= 1 && inFlight < 32) {
    const n = Math.min(3, Math.floor(due));
    due -= n;
    inFlight += 1;
    const first = sentMessages;
    sentMessages += n;
    void burstProducer
      .send({ messages: Array.from({ length: n }, (_, i) => ({ topic: burstTopic, key: Buffer.from(`k${(first + i) % 64}`), value: bodies[(first + i) % bodies.length]! })) })
      .then(() => (produced += n * RECORDS), (error: unknown) => console.error('produce failed', error))
      .finally(() => (inFlight -= 1));
  }
  if (t >= nextSample) {
    samples.push({ t, lag: Math.max(0, produced - (await consumer.accepted())), produced });
    nextSample += 250;
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - ((performance.now() - start) - t))));
}
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
await burstProducer.close();
await consumer.stop();
const peak = samples.reduce((m, s) => (s.lag > m.lag ? s : m), { t: 0, lag: 0 });
const drained = samples.find((s) => s.t > burstEnd && s.lag < BASE);
// What the producer (on the same two cores) managed during the burst: acked records over its span.
const inBurst = samples.filter((s) => s.t >= phases[0]!.until && s.t <= burstEnd);
const burstRate = inBurst.length > 1 ? Math.round(((inBurst[inBurst.length - 1]!.produced - inBurst[0]!.produced) * 1000) / (inBurst[inBurst.length - 1]!.t - inBurst[0]!.t)) : null;
const burst = {
  base_records_per_s: BASE,
  burst_records_per_s: 10 * BASE,
  burst_seconds: BURST_S,
  burst_produced_records_per_s: burstRate,
  produced_records: produced,
  peak_lag_records: peak.lag,
  peak_lag_at_s: Number((peak.t / 1000).toFixed(1)),
  drained_s_after_burst: drained ? Number(((drained.t - burstEnd) / 1000).toFixed(1)) : null,
  lag_at_end_records: samples[samples.length - 1]?.lag ?? null,
};
console.log(`burst: ${BASE} → ${10 * BASE} records/s asked (${burstRate} produced) for ${BURST_S} s: peak lag ${peak.lag} records at ${burst.peak_lag_at_s} s; under 1 s of base traffic ${burst.drained_s_after_burst ?? 'never'} s after the burst`);

sinkChild.kill('SIGTERM');
await broker.stop();
console.log(
  JSON.stringify({
    bench: 'kafka',
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
    records: total,
    through_kafka_records_per_s: kafkaRate,
    direct_otlp_records_per_s: Math.round(load.acceptedRecordsPerS),
    direct_refused_requests: load.refused,
    ratio: load.acceptedRecordsPerS > 0 ? Math.round((kafkaRate / load.acceptedRecordsPerS) * 100) / 100 : null,
    burst,
  }),
);
