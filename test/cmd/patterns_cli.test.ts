// `logsift patterns mine|list|similar|merges` as a user runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { saveCatalog } from '../../processors/signature/catalog.js';
import { TemplateMiner, patternId } from '../../processors/signature/template_miner.js';
import { Store } from '../../store/store.js';
import { runCli } from '../support/cli.js';

const LINES = [
  'session opened for user alice',
  'session opened for user bob',
  'disk 3 is 91% full',
  'session opened for user carol',
  'session closed for user alice',
];

describe('logsift patterns', () => {
  it('mine prints one {id, template} per input line, in order, as they stand after the whole input', async () => {
    const result = await runCli(['patterns', 'mine'], {}, LINES.join('\n') + '\n');
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; template: string });
    assert.equal(out.length, LINES.length);
    const opened = patternId('unknown_service', 'session opened for user <*>');
    assert.deepEqual(out.map((o) => o.template), [
      'session opened for user <*>',
      'session opened for user <*>',
      'disk <*> is <*>% full',
      'session opened for user <*>',
      'session closed for user alice',
    ]);
    assert.deepEqual(out.map((o) => o.id).filter((id) => id === opened).length, 3, 'the first line resolved to the pattern it generalised into');
  });

  it('mine reads --input and takes --service and the signature settings of --config', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-mine-'));
    const input = path.join(dir, 'bodies.txt');
    writeFileSync(input, LINES.join('\n'));
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, 'receivers:\n  otlp: { protocols: { http: } }\nprocessors:\n  signature: { variable_after: 10 }\nexporters:\n  nop:\nservice:\n  pipelines:\n    logs: { receivers: [otlp], processors: [signature], exporters: [nop] }\n');
    const result = await runCli(['patterns', 'mine', '--input', input, '--service', 'auth', '--config', config]);
    assert.equal(result.code, 0, result.stderr);
    const first = JSON.parse(result.stdout.split('\n')[0]!) as { id: string; template: string };
    assert.equal(first.template, 'session opened for user alice', 'with variable_after 10, three users are not yet a variable');
    assert.equal(first.id, patternId('auth', 'session opened for user alice'));
  });

  it('list, similar and merges read the stored catalog', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-list-'));
    const miner = new TemplateMiner();
    for (const line of ['GET /a 200', 'GET /b 200', 'GET /c 200', 'payment failed for order 7', 'payment done for order 7', 'disk 1 full']) miner.add('web', line.replace(/\/\w/, '/x'));
    for (const line of LINES) miner.add('auth', line);
    const store = new Store(path.join(dir, 'logsift.db'), 'normal');
    saveCatalog(miner, store);
    store.close();
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `receivers:\n  otlp: { protocols: { http: } }\nexporters:\n  nop:\nservice:\n  data_dir: ${dir}\n  pipelines:\n    logs: { receivers: [otlp], exporters: [nop] }\n`);

    const table = await runCli(['patterns', 'list', '--config', config, '--service', 'web']);
    assert.match(table.stdout, /^service +count +last seen +id +template\n/);
    assert.match(table.stdout, /\nweb +3  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d +[0-9a-f]{16}  GET \/x <\*>\n/);
    const list = await runCli(['patterns', 'list', '--config', config, '--service', 'web', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { service: string; id: string; template: string; count: number });
    assert.ok(rows.every((r) => r.service === 'web'));
    assert.deepEqual(rows.map((r) => r.template).sort(), ['GET /x <*>', 'disk <*> full', 'payment done for order <*>', 'payment failed for order <*>']);
    assert.equal(rows.find((r) => r.template === 'GET /x <*>')?.count, 3);

    const failed = rows.find((r) => r.template === 'payment failed for order <*>')!;
    const similar = await runCli(['patterns', 'similar', failed.id, '--config', config, '--limit', '2']);
    assert.equal(similar.code, 0, similar.stderr);
    const nearest = JSON.parse(similar.stdout.split('\n')[0]!) as { template: string; similarity: number };
    assert.equal(nearest.template, 'payment done for order <*>');
    assert.equal(nearest.similarity, 0.8);

    const merges = await runCli(['patterns', 'merges', '--config', config]);
    const suggestions = merges.stdout.trim().split('\n').map((l) => JSON.parse(l) as { merged_template: string; service: string });
    assert.ok(suggestions.some((s) => s.service === 'web' && s.merged_template === 'payment <*> for order <*>'), merges.stdout);

    const none = await runCli(['patterns', 'merges', '--config', config, '--threshold', '1']);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^no near-duplicate patterns at threshold 1 \(\d+ patterns in the catalog\)/);
    assert.match((await runCli(['patterns', 'list', '--config', config, '--service', 'nobody'])).stdout, /^no patterns in the catalog for nobody/);

    const missing = await runCli(['patterns', 'similar', 'nope', '--config', config]);
    assert.equal(missing.code, 1);
  });
});
