import { Subject } from 'rxjs';
import { realisticBodies } from './bench/realistic_batch.ts';
import { decodeExportRequest } from './proto/otlp.ts';
import { LogBatch } from './pipeline/batch.ts';
import { Delivery } from './pipeline/ack.ts';
import { PipelineShared } from './pipeline/pipeline_shared.ts';
import { signatureProcessorFactory, defaultSignatureConfig } from './processors/signature/factory.ts';
import { rateStatsProcessorFactory } from './processors/ratestats/factory.ts';
import { anomalyProcessorFactory } from './processors/anomaly/factory.ts';
import { samplerProcessorFactory } from './processors/sampler/factory.ts';
import { testProcessorSettings } from './test/support/settings.ts';
const bodies = realisticBodies(32, 1000);
const shared = new PipelineShared();
const procs = [
  signatureProcessorFactory.create(testProcessorSettings('signature', { shared }), { ...defaultSignatureConfig(), catalog: { enabled: false, flush_interval: '10s' } }),
  rateStatsProcessorFactory.create(testProcessorSettings('ratestats', { shared }), rateStatsProcessorFactory.defaultConfig()),
  anomalyProcessorFactory.create(testProcessorSettings('anomaly', { shared }), anomalyProcessorFactory.defaultConfig()),
  samplerProcessorFactory.create(testProcessorSettings('sampler', { shared }), { ...samplerProcessorFactory.defaultConfig(), ledger: { enabled: false, flush_interval: '10s' } }),
];
for (const p of procs) await p.start();
const input = new Subject<LogBatch>(); let n = 0;
input.pipe(...(procs.map((p) => p.operator) as [any])).subscribe(() => {});
for (let k = 0; k < 3; k++) {
const reqs = Array.from({ length: 300 }, (_, i) => decodeExportRequest(bodies[i % 32]!));
const t0 = performance.now(); n = 0;
for (let i = 0; i < 300; i++) { input.next(LogBatch.fromRequest(reqs[i]!, new Delivery(), 1)); n += 1000; }
console.log('chain only', Math.round(n / ((performance.now() - t0) / 1000)), 'rec/s');
}
for (const p of procs) await p.shutdown();
