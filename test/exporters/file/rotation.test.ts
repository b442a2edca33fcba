// The file exporter rotates by size, keeps at most max_backups old files, and never splits a line.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileExporterFactory, type FileExporterConfig } from '../../../exporters/file/factory.js';
import { mergeDefaults } from '../../../config/merge.js';
import { Delivery } from '../../../pipeline/ack.js';
import { LogBatch } from '../../../pipeline/batch.js';
import { sampleRequest } from '../../support/payloads.js';
import { testSettings } from '../../support/settings.js';

describe('file exporter', () => {
  it('rotates at max_megabytes, prunes to max_backups, and every line is a whole request', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-file-'));
    const config = mergeDefaults(fileExporterFactory.defaultConfig(), { path: path.join(dir, 'logs.jsonl'), rotation: { max_megabytes: 0.01, max_backups: 2 } }) as FileExporterConfig;
    assert.deepEqual(fileExporterFactory.validate(config), []);
    const exporter = fileExporterFactory.create(testSettings('file', { dataDir: dir }), config);
    await exporter.start();
    // Each request line is ~1.9 KB; 10 KB files hold five lines, so 40 lines rotate several times.
    await Promise.all(Array.from({ length: 40 }, () => exporter.export(LogBatch.fromRequest(sampleRequest(3), new Delivery()))));
    await exporter.shutdown();

    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3, `the live file and two backups: ${files}`);
    assert.ok(files.includes('logs.jsonl'));
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 10 * 1024 + 2048, `${file} stays near the limit`);
      for (const line of text.trimEnd().split('\n')) assert.equal((JSON.parse(line) as { resourceLogs: unknown[] }).resourceLogs.length, 1);
    }
  });

  it('requires a path', () => {
    assert.deepEqual(fileExporterFactory.validate(fileExporterFactory.defaultConfig()), [{ path: 'path', message: 'is required' }]);
  });
});
