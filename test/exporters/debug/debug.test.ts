// The debug exporter's three verbosity levels.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { DebugTransport } from '../../../exporters/debug/factory.js';
import { sampleRequest } from '../../support/payloads.js';

async function output(verbosity: 'basic' | 'normal' | 'detailed'): Promise<string[]> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const result = await new DebugTransport('debug', { verbosity }, stream).send(sampleRequest(2).resourceLogs!);
  assert.deepEqual(result, { kind: 'success' });
  return text.trimEnd().split('\n');
}

describe('debug exporter', () => {
  it('basic: one summary line per batch', async () => {
    assert.deepEqual(await output('basic'), ['debug: 2 log records']);
  });
  it('normal: one line per record with service, severity and body', async () => {
    assert.deepEqual(await output('normal'), ['debug: 2 log records', '  api INFO GET /api/items/0 200 in 0ms', '  api INFO GET /api/items/1 200 in 1ms']);
  });
  it('detailed: each record in full as JSON', async () => {
    const [, first] = await output('detailed');
    const record = JSON.parse(first!) as Record<string, unknown>;
    assert.equal(record.service, 'api');
    assert.equal(record.trace_id, '01'.repeat(16));
    assert.deepEqual(record.attributes, { 'http.status_code': 200, user: 'u0' });
    assert.equal(record.time_unix_nano, '1795000000000000000');
  });
});
