// Does logsift read what the OpenTelemetry Collector's kafka exporter writes, and does the Collector's kafka
// receiver read what logsift's writes (issue 15)? A real broker (test/support/kafka_broker.ts), a Collector
// built with its own kafka components (bench/interop/build_collector.sh, Go and the module proxy), and two
// logsift daemons, for each encoding (otlp_proto, otlp_json):
//   SDK → Collector (otlp → kafka exporter) → topic → logsift (kafka receiver) → file
//   SDK → logsift (otlp → kafka exporter) → topic → Collector (kafka receiver → otlphttp) → logsift (otlp) → file
// Every record must arrive once, its body, severity and attributes as sent. Skipped, saying so, without Go.
// Last line: JSON.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';
import { startDaemon, type TestDaemon } from '../test/support/daemon.js';
import { attr, readFileExport } from '../test/support/file_output.js';
import { KAFKA_VERSION, startKafka } from '../test/support/kafka_broker.js';
import { sdkExporter, sdkProvider, SeverityNumber } from '../test/support/otel_clients.js';
import { freePort } from '../test/support/ports.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const COLLECTOR = path.join(HERE, 'interop', '.build', 'otelcol-kafka', 'otelcol-kafka');
const RECORDS = 500;
const ENCODINGS = ['otlp_proto', 'otlp_json'] as const;

if (!existsSync(COLLECTOR)) {
  process.stderr.write('building the interop OpenTelemetry Collector (bench/interop/build_collector.sh, several minutes cold)…\n');
  const build = spawnSync('bash', [path.join(HERE, 'interop', 'build_collector.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0 || !existsSync(COLLECTOR)) {
    const reason = build.status === 3 ? 'Go is not installed: the Collector cannot be built' : `building the Collector failed (exit ${build.status})`;
    console.log(JSON.stringify({ bench: 'interop_kafka', skipped: reason }));
    process.exit(build.status === 3 ? 0 : 1);
  }
}

const broker = await startKafka({ partitions: 2 });
const admin = new Admin({ clientId: 'interop', bootstrapBrokers: [broker.bootstrap] });
await admin.createTopics({ topics: ENCODINGS.flatMap((e) => [`from_collector_${e}`, `from_logsift_${e}`]), partitions: 2, replicas: 1 });
await admin.close();

const daemons: TestDaemon[] = [];
const collectors: Array<() => Promise<void>> = [];
const results: Record<string, { collector_to_logsift: string; logsift_to_collector: string }> = {};

/** Sends RECORDS records through the real SDK, each with a sequence number, a severity and an attribute. */
async function emit(httpPort: number, tag: string): Promise<void> {
  const client = sdkProvider(sdkExporter('http/protobuf', { httpPort, grpcPort: 0 }, false), { 'service.name': `interop-${tag}` });
  for (let i = 0; i < RECORDS; i++) client.logger.emit({ body: `${tag} record ${i}`, severityNumber: i % 7 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO, attributes: { seq: i, tag } });
  await client.flush();
  await client.shutdown();
}

/** What arrived: each record once, as sent? */
function check(file: string, tag: string): string {
  const records = readFileExport(file);
  const bodies = records.map((r) => String(r.record.body?.stringValue));
  const expected = Array.from({ length: RECORDS }, (_, i) => `${tag} record ${i}`);
  const missing = expected.filter((b) => !bodies.includes(b)).length;
  const extra = bodies.length - new Set(bodies).size;
  const mangled = records.filter((r) => {
    const seq = Number(/record (\d+)$/.exec(String(r.record.body?.stringValue))?.[1]);
    const severity = seq % 7 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO;
    return Number(attr(r.record.attributes, 'seq')?.intValue) !== seq || attr(r.record.attributes, 'tag')?.stringValue !== tag || r.record.severityNumber !== severity || attr(r.resource, 'service.name')?.stringValue !== `interop-${tag}`;
  }).length;
  return missing === 0 && extra === 0 && mangled === 0 ? `${RECORDS}/${RECORDS} once, as sent` : `FAILED: ${missing} missing, ${extra} twice, ${mangled} changed`;
}

async function startCollector(config: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-interop-'));
  const file = path.join(dir, 'collector.yaml');
  writeFileSync(file, config);
  const child = spawn(COLLECTOR, ['--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  collectors.push(async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 60_000;
  while (!/Everything is ready/.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the Collector did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitFor(file: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (!existsSync(file) || readFileExport(file).length < count)) await new Promise((resolve) => setTimeout(resolve, 200));
  // A little longer, so that a record delivered twice would be seen.
  await new Promise((resolve) => setTimeout(resolve, 2000));
}

try {
  for (const encoding of ENCODINGS) {
    // Collector → Kafka → logsift.
    const collectorOtlp = await freePort();
    const sink = await startDaemon(`receivers:
  kafka: { brokers: ["${broker.bootstrap}"], group_id: interop_${encoding}, initial_offset: earliest, logs: { topics: [from_collector_${encoding}], encoding: ${encoding} } }
  otlp: { protocols: { http: { endpoint: "{{HTTP}}" } } }
exporters:
  file/from_kafka: { path: "{{DIR}}/from_kafka.jsonl" }
  file/from_collector: { path: "{{DIR}}/from_collector.jsonl" }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs/kafka: { receivers: [kafka], exporters: [file/from_kafka] }
    logs/otlp: { receivers: [otlp], exporters: [file/from_collector] }
`);
    daemons.push(sink);
    const producer = await startDaemon(`receivers:
  otlp: { protocols: { http: { endpoint: "{{HTTP}}" } } }
exporters:
  kafka: { brokers: ["${broker.bootstrap}"], logs: { topic: from_logsift_${encoding}, encoding: ${encoding} } }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [kafka] }
`);
    daemons.push(producer);
    await startCollector(`receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${collectorOtlp}" } } }
  kafka:
    brokers: ["${broker.bootstrap}"]
    group_id: otelcol_${encoding}
    initial_offset: earliest
    logs: { topics: [from_logsift_${encoding}], encoding: ${encoding} }
exporters:
  kafka:
    brokers: ["${broker.bootstrap}"]
    logs: { topic: from_collector_${encoding}, encoding: ${encoding} }
  otlphttp:
    endpoint: "http://127.0.0.1:${sink.httpPort}"
    compression: none
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    logs/in: { receivers: [otlp], exporters: [kafka] }
    logs/out: { receivers: [kafka], exporters: [otlphttp] }
`);
    await emit(collectorOtlp, `c2l-${encoding}`);
    await emit(producer.httpPort, `l2c-${encoding}`);
    const fromKafka = path.join(sink.dir, 'from_kafka.jsonl');
    const fromCollector = path.join(sink.dir, 'from_collector.jsonl');
    await waitFor(fromKafka, RECORDS);
    await waitFor(fromCollector, RECORDS);
    results[encoding] = { collector_to_logsift: check(fromKafka, `c2l-${encoding}`), logsift_to_collector: check(fromCollector, `l2c-${encoding}`) };
    console.log(`${encoding}: Collector → Kafka → logsift: ${results[encoding].collector_to_logsift}; logsift → Kafka → Collector: ${results[encoding].logsift_to_collector}`);
  }
} finally {
  for (const stop of collectors) await stop();
  for (const d of daemons) await d.stop();
  await broker.stop();
}
const ok = Object.values(results).every((r) => !r.collector_to_logsift.startsWith('FAILED') && !r.logsift_to_collector.startsWith('FAILED'));
console.log(JSON.stringify({ bench: 'interop_kafka', collector: 'v0.165.0 (kafkaexporter, kafkareceiver)', kafka: KAFKA_VERSION, records_each_way: RECORDS, results, ok }));
process.exit(ok ? 0 : 1);
