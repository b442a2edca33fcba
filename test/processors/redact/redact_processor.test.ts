// The processor over batches: a record decoded from JSON (no bytes to look at first) is redacted in body and
// attributes, says what was redacted, and a blocked key's value is dropped when asked; a record read from
// protobuf and holding nothing is left as it came (its bytes untouched); a hash action needs a key, and the
// order check keeps redact before signature.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastValueFrom, of, toArray } from 'rxjs';
import { LogBatch } from '../../../pipeline/batch.js';
import { Delivery } from '../../../pipeline/ack.js';
import { checkProcessorOrder } from '../../../pipeline/processor_order.js';
import { decodeExportRequest, encodeExportRequest } from '../../../proto/otlp.js';
import { redactProcessorFactory } from '../../../processors/redact/factory.js';
import { signatureProcessorFactory } from '../../../processors/signature/factory.js';
import { batchOf } from '../../support/records.js';
import { configFor, testProcessorSettings } from '../../support/settings.js';

async function run(batch: LogBatch, overrides: unknown = {}): Promise<LogBatch> {
  const processor = redactProcessorFactory.create(testProcessorSettings('redact'), configFor(redactProcessorFactory, overrides));
  await processor.start();
  const [out] = await lastValueFrom(of(batch).pipe(processor.operator, toArray()));
  return out!;
}

describe('redact processor', () => {
  it('redacts bodies and attributes, says what, and drops a blocked key\'s value when asked', async () => {
    const out = await run(batchOf([{ body: 'reset link sent to ann@example.com', attributes: { 'client.address': '203.0.113.9', 'db.password': 'hunter22', 'http.route': '/api/users/{id}' } }]), { actions: { key: 'drop' } });
    const record = [...out.groups()][0]!.records[0]!;
    assert.equal(record.bodyText, 'reset link sent to <email>');
    assert.deepEqual(record.attributes.toObject(), { 'logsift.pattern.id': 'p1', 'client.address': '<ipv4>', 'http.route': '/api/users/{id}', 'logsift.redacted': 'email=1,ipv4=1,key=1' });
  });

  it('lists what it redacted in alphabetical order, whatever order it was found in', async () => {
    const out = await run(batchOf([{ body: 'mail ann@example.com paid 4111 1111 1111 1111 from 203.0.113.9', attributes: { 'auth.token': 'x' } }]));
    assert.equal([...out.groups()][0]!.records[0]!.attributes.get('logsift.redacted'), 'card=1,email=1,ipv4=1,key=1');
  });

  it('leaves a record with nothing to redact as it came, bytes and all', async () => {
    const request = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'GET /api/orders/42 200 12ms' }, attributes: [{ key: 'http.route', value: { stringValue: '/api/orders/{id}' } }] }] }] }] };
    const bytes = encodeExportRequest(request as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    const out = await run(batch);
    const record = [...out.groups()][0]!.records[0]!;
    assert.ok(record.arrived, 'still encoded from the bytes it came in');
    assert.equal(record.attributes.get('logsift.redacted'), undefined);
  });

  it('redacts records read from protobuf by what the look in their bytes found: addresses, a card number sent as a number, JSON with a blocked key', async () => {
    const bodies = [{ stringValue: 'Accepted publickey from 203.0.113.9 port 22 via 10.0.0.1' }, { intValue: '4111111111111111' }, { stringValue: '{"user":"ann","dbPassword":"hunter22"}' }, { stringValue: 'version 10.0.0.1 and 999.1.1.1' }];
    const request = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeLogs: [{ logRecords: bodies.map((body) => ({ body })) }] }] };
    const bytes = encodeExportRequest(request as never);
    const out = await run(LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length));
    const sent = decodeExportRequest(encodeExportRequest(out.toExportRequest())).resourceLogs![0]!.scopeLogs![0]!.logRecords!;
    assert.deepEqual(sent.map((r) => r.body), [{ stringValue: 'Accepted publickey from <ipv4> port 22 via <ipv4>' }, { stringValue: '<card>' }, { stringValue: '{"user":"ann","dbPassword":"<redacted>"}' }, { stringValue: 'version 10.0.0.1 and 999.1.1.1' }]);
    assert.deepEqual([...out.groups()][0]!.records.map((r) => r.attributes.get('logsift.redacted')), ['ipv4=2', 'card=1', 'key=1', undefined]);
  });

  it('redacts the attributes of records read from protobuf in their own fields\' places: an address, a blocked key, a card number sent as a number; the rest as they came', async () => {
    const attributes = [
      { key: 'http.route', value: { stringValue: '/api/orders/{id}' } },
      { key: 'client.address', value: { stringValue: '203.0.113.9' } },
      { key: 'authorization', value: { stringValue: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' } },
      { key: 'payment.card', value: { intValue: '4111111111111111' } },
      { key: 'http.response.status_code', value: { intValue: 200 } },
    ];
    const request = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'GET /api/orders/42 200' }, attributes }] }] }] };
    const bytes = encodeExportRequest(request as never);
    for (const [action, expected] of [
      ['mask', [['http.route', '/api/orders/{id}'], ['client.address', '<ipv4>'], ['authorization', '<redacted>'], ['payment.card', '<card>'], ['http.response.status_code', 200], ['logsift.redacted', 'card=1,ipv4=1,key=1']]],
      ['drop', [['http.route', '/api/orders/{id}'], ['client.address', '<ipv4>'], ['payment.card', '<card>'], ['http.response.status_code', 200], ['logsift.redacted', 'card=1,ipv4=1,key=1']]],
    ] as const) {
      const out = await run(LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length), { actions: { key: action } });
      const sent = decodeExportRequest(encodeExportRequest(out.toExportRequest())).resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!;
      assert.deepEqual(sent.attributes!.map((kv) => [kv.key, Object.hasOwn(kv.value!, 'stringValue') ? kv.value!.stringValue : Number(kv.value!.intValue)]), expected, action);
      assert.equal(sent.body!.stringValue, 'GET /api/orders/42 200');
    }
  });

  it('redacts a bare number under a key that says what it is (a phone number sent as an integer, an SSN as digits), by its bytes and decoded', async () => {
    const attributes = [
      { key: 'customer.phone', value: { intValue: '4155552671' } },
      { key: 'user.ssn', value: { stringValue: '078051120' } },
      { key: 'order.number', value: { intValue: '4155552671' } },
      { key: 'phone.verified', value: { boolValue: true } },
    ];
    const request = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'signup' }, attributes }] }] }] };
    const bytes = encodeExportRequest(request as never);
    const expected = { 'customer.phone': '<phone>', 'user.ssn': '<ssn>', 'order.number': 4155552671, 'phone.verified': true, 'logsift.redacted': 'phone=1,ssn=1' };
    const fromBytes = await run(LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length));
    assert.deepEqual(normalised([...fromBytes.groups()][0]!.records[0]!.attributes.toObject()), expected);
    // (batchOf writes what is not a number as a string.)
    const decoded = await run(batchOf([{ body: 'signup', attributes: { 'customer.phone': 4155552671, 'user.ssn': '078051120', 'order.number': 4155552671, 'phone.verified': 'true' } }]));
    assert.deepEqual(normalised([...decoded.groups()][0]!.records[0]!.attributes.toObject()), { ...expected, 'phone.verified': 'true' });
  });

  it('with an allow list (every record looked at in full), recognisers switched off stay off', async () => {
    const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'from 10.0.0.1 mail ann@example.com' }, attributes: [{ key: 'x', value: { stringValue: 'y' } }] }] }] }] };
    const bytes = encodeExportRequest(request as never);
    const out = await run(LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length), { allowed_keys: ['x'], exclude: ['ipv4'] });
    assert.equal([...out.groups()][0]!.records[0]!.bodyText, 'from 10.0.0.1 mail <email>');
  });

  it('refuses a hash action without a key, and a redact placed after signature', () => {
    assert.match(redactProcessorFactory.validate({ ...redactProcessorFactory.defaultConfig(), actions: { email: 'hash' } }).map((p) => p.message).join(), /needs a key/);
    const problems = checkProcessorOrder([{ id: 'signature', factory: signatureProcessorFactory, config: {} }, { id: 'redact', factory: redactProcessorFactory, config: {} }], [signatureProcessorFactory, redactProcessorFactory], 'pipelines.logs.processors');
    assert.match(problems.map((p) => p.message).join(), /signature uses redaction, but redact comes after it/);
  });
});

/** Attributes as plain values (integers as numbers), without the pipeline's pattern id. */
function normalised(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => k !== 'logsift.pattern.id').map(([k, v]) => [k, typeof v === 'bigint' || (typeof v === 'object' && v !== null && 'low' in v) ? Number(v as never) : v]));
}
