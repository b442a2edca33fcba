// The batch type processors see: accessors over decoded OTLP, attribute writes that survive encoding,
// filtering that keeps the ack and drops emptied groups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Delivery } from '../../pipeline/ack.js';
import { LogBatch } from '../../pipeline/batch.js';
import { decodeExportRequest, encodeExportRequest } from '../../proto/otlp.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';
import { sampleProtobuf } from '../support/payloads.js';

function decodedBatch(records: number, delivery = new Delivery()): LogBatch {
  return LogBatch.fromRequest(decodeExportRequest(sampleProtobuf(records)), delivery);
}

describe('LogBatch', () => {
  it('reads resource, scope and record fields through accessors', () => {
    const [group] = [...decodedBatch(2).groups()];
    assert.equal(group!.resource.serviceName, 'api');
    assert.equal(group!.scope.name, 'sample');
    assert.equal(group!.scope.version, '1');
    const record = group!.records[1]!;
    assert.equal(record.body, 'GET /api/items/1 200 in 1ms');
    assert.equal(record.severityNumber, 9);
    assert.equal(record.severityText, 'INFO');
    assert.equal(record.timeUnixNano, 1_795_000_000_000_000_001n);
    assert.equal(record.observedTimeUnixNano, 0n);
    assert.equal(record.traceId, '02'.repeat(16));
    assert.equal(record.spanId, '02'.repeat(8));
    assert.equal(record.attributes.get('http.status_code'), 200);
    assert.equal(record.attributes.get('absent'), undefined);
  });

  it('renders structured bodies as JSON text, int64 beyond 2^53 exactly', () => {
    const request = decodeJsonExportRequest(JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { kvlistValue: { values: [
        { key: 'msg', value: { stringValue: 'charged' } },
        { key: 'big', value: { intValue: '9007199254740993' } },
        { key: 'raw', value: { bytesValue: 'AQID' } },
      ] } } }] }] }],
    }));
    const [record] = [...LogBatch.fromRequest(request, new Delivery()).groups()][0]!.records;
    assert.equal(record!.bodyText, '{"msg":"charged","big":"9007199254740993","raw":"AQID"}');
    assert.deepEqual(record!.body, { msg: 'charged', big: 9007199254740993n, raw: Buffer.from([1, 2, 3]) });
  });

  it('attribute writes replace or append, and survive a protobuf round trip', () => {
    const batch = decodedBatch(1);
    const [record] = [...batch.groups()][0]!.records;
    record!.attributes.set('http.status_code', 503);
    record!.attributes.set('logsift.pattern.id', 'p-1');
    record!.attributes.set('logsift.count', 2n ** 60n);
    record!.attributes.set('logsift.rate', 0.25);
    record!.attributes.set('logsift.tags', ['a', { nested: true }]);
    const again = LogBatch.fromRequest(decodeExportRequest(encodeExportRequest(batch.toExportRequest())), new Delivery());
    const attributes = [...again.groups()][0]!.records[0]!.attributes;
    assert.deepEqual(attributes.toObject(), {
      'http.status_code': 503,
      user: 'u0',
      'logsift.pattern.id': 'p-1',
      'logsift.count': 2n ** 60n,
      'logsift.rate': 0.25,
      'logsift.tags': ['a', { nested: true }],
    });
    assert.equal(attributes.size, 6);
    assert.ok(attributes.has('logsift.rate'));
  });

  it('filter keeps the ack and the order, and drops groups it emptied', async () => {
    const delivery = new Delivery();
    const batch = decodedBatch(6, delivery);
    const even = batch.filter((record) => Number.parseInt(record.spanId.slice(0, 2), 16) % 2 === 0);
    assert.equal(even.recordCount, 3);
    assert.deepEqual([...even.groups()][0]!.records.map((r) => r.body), ['GET /api/items/1 200 in 1ms', 'GET /api/items/3 200 in 3ms', 'GET /api/items/5 200 in 5ms']);
    assert.equal(batch.recordCount, 6, 'the original is unchanged');
    const none = batch.filter(() => false);
    assert.equal(none.recordCount, 0);
    assert.deepEqual([...none.groups()], []);
    none.ack.settle();
    await delivery.done;
  });

  it('merge concatenates batches in order under one ack', () => {
    const merged = LogBatch.merge([decodedBatch(2), decodedBatch(3)], new Delivery());
    assert.equal(merged.recordCount, 5);
    assert.deepEqual([...merged.groups()].map((g) => g.records.length), [2, 3]);
  });
});
