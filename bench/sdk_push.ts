// The real OpenTelemetry JS SDK, with its default BatchLogRecordProcessor (queue 2,048, batches of 512, a
// flush every second, one export at a time), logging 20,000 records a second for a minute through the
// daemon's embedded default configuration over OTLP/HTTP protobuf. The figure that matters is what the SDK
// itself reports dropping (its `otel.sdk.processor.log.processed` counter with error.type queue_full): an
// SDK whose exports are answered slowly drops records before logsift ever sees them. Last line: JSON.
import os from 'node:os';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { startDefaultDaemon } from './daemon_process.js';

const RATE = Number(process.env.BENCH_SDK_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_SDK_SECONDS ?? 60);
const TICK_MS = 10;

const daemon = await startDefaultDaemon();
const { httpPort } = daemon;

const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'sdk-push' }),
  processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${httpPort}/v1/logs` }), selfObsMeterProvider: meterProvider })],
});
const logger = provider.getLogger('bench');

const LINES = [
  (i: number) => `GET /api/orders/${i % 5000} 200 in ${i % 90}ms`,
  (i: number) => `cache miss for key product:${i % 20000}:price`,
  (i: number) => `user ${i % 977} logged in from 10.0.${i % 200}.${i % 250}`,
  (i: number) => `query took ${i % 300} ms rows=${i % 50}`,
];
let emitted = 0;
const started = Date.now();
while (Date.now() - started < SECONDS * 1000) {
  // Paced against the clock: each tick emits what the rate owes since the start.
  const due = Math.floor(((Date.now() - started) / 1000) * RATE);
  for (; emitted < due; emitted++) logger.emit({ body: LINES[emitted % 4]!(emitted), severityNumber: emitted % 200 === 0 ? 17 : 9, severityText: emitted % 200 === 0 ? 'ERROR' : 'INFO' });
  await new Promise((resolve) => setTimeout(resolve, TICK_MS));
}
const elapsedS = (Date.now() - started) / 1000;
await provider.forceFlush();
await reader.forceFlush();
let dropped = 0;
let exportedOk = 0;
let failed = 0;
for (const resource of metrics.getMetrics()) {
  for (const scope of resource.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'otel.sdk.processor.log.processed') continue;
      for (const point of metric.dataPoints) {
        const error = point.attributes['error.type'];
        const value = point.value as number;
        if (error === 'queue_full') dropped += value;
        else if (error === undefined) exportedOk += value;
        else failed += value;
      }
    }
  }
}
await provider.shutdown();
await meterProvider.shutdown();
await daemon.stop();

process.stdout.write(
  `${JSON.stringify({
    bench: 'sdk_push',
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
    target_records_per_s: RATE,
    achieved_records_per_s: Math.round(emitted / elapsedS),
    seconds: Number(elapsedS.toFixed(1)),
    emitted,
    dropped_in_sdk: dropped,
    exported_ok: exportedOk,
    export_failed: failed,
  })}\n`,
);
