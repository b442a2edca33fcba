// The offline pipeline (replay, `policy propose --input`) runs the first pipeline's content processors and
// leaves out those that declare they only shape delivery — by what the factory says, not by type name.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../../cmd/components.js';
import { parseConfigText } from '../../pipeline/load_config.js';
import { OfflinePipeline } from '../../cmd/offline_pipeline.js';

const CONFIG = `
receivers:
  otlp:
    protocols:
      http:
processors:
  memory_limiter: { limit_mib: 512 }
  signature:
  ratestats:
  anomaly:
  sampler:
  batch:
exporters:
  nop:
service:
  pipelines:
    logs: { receivers: [otlp], processors: [memory_limiter, signature, ratestats, anomaly, sampler, batch], exporters: [nop] }
`;

describe('offline pipeline', () => {
  it('runs the content processors of a gateway-like chain and leaves out memory_limiter and batch', async () => {
    const registry = builtinRegistry();
    const loaded = parseConfigText(CONFIG, registry, {});
    assert.ok(loaded.kind === 'loaded', JSON.stringify(loaded));
    const chain = loaded.config.pipelines[0]!.processors;
    const offline = new OfflinePipeline(loaded.config, registry, mkdtempSync(path.join(os.tmpdir(), 'logsift-offline-')), () => undefined);
    const deliveryOnly = chain.filter((id) => registry.get('processor', loaded.config.processors.get(id)!.type)?.placement?.deliveryOnly);
    assert.deepEqual(deliveryOnly, ['memory_limiter', 'batch']);
    assert.equal(offline.processors.length, chain.length - 2);
    offline.store.close();
  });
});
