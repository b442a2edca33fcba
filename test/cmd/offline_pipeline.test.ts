// The offline pipeline (replay, `policy propose --input`) runs the first pipeline's content processors and
// leaves out those that declare they only shape delivery — by what the factory says, not by type name.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../../cmd/components.js';
import { loadConfig } from '../../cmd/load_config.js';
import { OfflinePipeline } from '../../cmd/offline_pipeline.js';

describe('offline pipeline', () => {
  it('runs the embedded default\'s content processors and leaves out batch', async () => {
    const registry = builtinRegistry();
    const loaded = loadConfig(undefined, registry);
    assert.ok(loaded.kind === 'loaded');
    const chain = loaded.config.pipelines[0]!.processors;
    assert.ok(chain.includes('batch'), `the default chain: ${chain}`);
    const offline = new OfflinePipeline(loaded.config, registry, mkdtempSync(path.join(os.tmpdir(), 'logsift-offline-')), () => undefined);
    const deliveryOnly = chain.filter((id) => registry.get('processor', loaded.config.processors.get(id)!.type)?.placement?.deliveryOnly);
    assert.deepEqual(deliveryOnly, ['batch']);
    assert.equal(offline.processors.length, chain.length - 1);
    offline.store.close();
  });
});
