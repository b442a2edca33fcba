// The signature processor in a running daemon: records from a real SDK leave with logsift.pattern.id and
// logsift.pattern.template; the catalog is saved at shutdown and reloaded by the next daemon on the same data
// dir, which hands out the same ids; attribute names are configurable.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { patternId } from '../../../processors/signature/template_miner.js';
import { Store } from '../../../store/store.js';
import { OTLP_RECEIVER, startDaemon } from '../../support/daemon.js';
import { attr, readFileExport } from '../../support/file_output.js';
import { sdkExporter, sdkProvider } from '../../support/otel_clients.js';

function config(dataDir: string, attributes = ''): string {
  return `${OTLP_RECEIVER}processors:
  signature: { ${attributes} }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
service:
  data_dir: ${dataDir}
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature], exporters: [file] }
`;
}

async function send(d: { httpPort: number; grpcPort: number }, bodies: Array<string | Record<string, string | number>>): Promise<void> {
  const client = sdkProvider(sdkExporter('http/json', d, false), { 'service.name': 'shop' });
  for (const body of bodies) client.logger.emit({ body });
  await client.flush();
  await client.shutdown();
}

const BODIES = [
  'user alice logged in from 10.0.0.1',
  'user bob logged in from 10.0.0.2',
  'user carol logged in from 10.0.0.3',
  'cart 42 has 3 items',
  'cart 43 has 1 items',
];

describe('signature processor', () => {
  it('tags each record with its pattern, persists the catalog, and a restarted daemon keeps the ids', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'logsift-sig-'));
    const first = await startDaemon(config(dataDir));
    await send(first, [...BODIES, { msg: 'checkout done', order: 'o1', total: 12 }, { msg: 'checkout done', order: 'o2', total: 3 }]);
    const out = readFileExport(path.join(first.dir, 'out.jsonl'));
    await first.stop();

    assert.equal(out.length, 7);
    const templates = out.map((r) => attr(r.record.attributes, 'logsift.pattern.template')?.stringValue);
    assert.deepEqual(templates.slice(3, 5), ['cart <*> has <*> items', 'cart <*> has <*> items']);
    assert.equal(templates[5], 'checkout done {msg,order,total}', 'structured bodies sign by message and key set');
    for (const r of out) {
      const id = attr(r.record.attributes, 'logsift.pattern.id')?.stringValue;
      const template = attr(r.record.attributes, 'logsift.pattern.template')?.stringValue;
      assert.equal(id, patternId('shop', String(template)), 'the id is the hash of service and template as tagged');
    }

    const store = new Store(path.join(dataDir, 'logsift.db'), 'normal');
    const catalog = store.patterns('shop');
    store.close();
    const login = catalog.find((p) => p.template === 'user <*> logged in from <*>');
    assert.ok(login, JSON.stringify(catalog));
    assert.equal(login.count, 3);
    assert.equal(catalog.find((p) => p.template === 'cart <*> has <*> items')?.count, 2);

    // A new daemon on the same data dir: the first login line already gets the generalised id.
    const second = await startDaemon(config(dataDir));
    await send(second, ['user dave logged in from 10.0.0.9']);
    const again = readFileExport(path.join(second.dir, 'out.jsonl'));
    await second.stop();
    assert.equal(attr(again[0]!.record.attributes, 'logsift.pattern.id')?.stringValue, login.id);
  });

  it('uses the configured attribute names', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'logsift-sig-'));
    const d = await startDaemon(config(dataDir, 'attributes: { pattern_id: pattern, template: pattern_template }, catalog: { enabled: false }'));
    await send(d, ['disk 3 is 91% full']);
    const [r] = readFileExport(path.join(d.dir, 'out.jsonl'));
    await d.stop();
    assert.equal(attr(r!.record.attributes, 'pattern_template')?.stringValue, 'disk <*> is <*>% full');
    assert.ok(attr(r!.record.attributes, 'pattern')?.stringValue);
    assert.equal(attr(r!.record.attributes, 'logsift.pattern.id'), undefined);
  });

  it('leaves the template off records when its name is empty (the id still groups them; the catalog keeps it)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'logsift-sig-'));
    const d = await startDaemon(config(dataDir, 'attributes: { template: "" }, catalog: { enabled: false }'));
    await send(d, ['disk 3 is 91% full']);
    const [r] = readFileExport(path.join(d.dir, 'out.jsonl'));
    await d.stop();
    assert.deepEqual(r!.record.attributes!.map((a) => a.key), ['logsift.pattern.id']);
  });
});
