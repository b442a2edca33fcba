// Real OpenTelemetry JS SDK exporters (HTTP/JSON, HTTP/protobuf, gRPC; plain and gzip) send to a running
// daemon; every record must come out of the file exporter with all its fields intact.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FILE_PIPELINE, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { attr, readFileExport } from '../../support/file_output.js';
import { SeverityNumber, TRANSPORTS, sdkExporter, sdkProvider, spanContext } from '../../support/otel_clients.js';

describe('OTLP receiver with real SDK exporters', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(FILE_PIPELINE);
  });
  after(async () => {
    await d.stop();
  });

  for (const transport of TRANSPORTS) {
    for (const gzip of [false, true]) {
      it(`${transport}${gzip ? ' + gzip' : ''}: every record arrives intact`, async () => {
        const run = `${transport}-${gzip ? 'gz' : 'plain'}`;
        const client = sdkProvider(sdkExporter(transport, d, gzip), { 'service.name': 'checkout', 'test.run': run });
        const baseMs = Date.UTC(2026, 10, 26, 12, 0, 0);
        const count = 25;
        for (let i = 0; i < count; i++) {
          const traceId = (i + 1).toString(16).padStart(32, 'a');
          const spanId = (i + 1).toString(16).padStart(16, 'b');
          client.logger.emit({
            body: i % 5 === 0 ? { message: `structured ${i}`, nested: { ok: true, n: i } } : `order ${i} shipped`,
            severityNumber: i % 2 ? SeverityNumber.ERROR : SeverityNumber.INFO,
            severityText: i % 2 ? 'ERROR' : 'INFO',
            timestamp: baseMs + i,
            attributes: { 'order.id': i, 'http.route': '/api/orders', ratio: 0.25, retried: i % 3 === 0, tags: ['a', 'b'] },
            context: spanContext(traceId, spanId),
          });
        }
        await client.flush();
        await client.shutdown();

        const mine = readFileExport(path.join(d.dir, 'out.jsonl')).filter((r) => attr(r.resource, 'test.run')?.stringValue === run);
        assert.equal(mine.length, count, 'every record emitted arrived exactly once');
        mine.sort((a, b) => Number(BigInt(a.record.timeUnixNano!) - BigInt(b.record.timeUnixNano!)));
        mine.forEach(({ resource, scope, record }, i) => {
          assert.equal(attr(resource, 'service.name')?.stringValue, 'checkout');
          assert.equal(scope.name, 'logsift-test-scope');
          assert.equal(scope.version, '1.2.3');
          assert.equal(record.timeUnixNano, String(BigInt(baseMs + i) * 1_000_000n));
          assert.ok(record.observedTimeUnixNano && BigInt(record.observedTimeUnixNano) > 0n, 'observed time kept');
          assert.equal(record.severityNumber, i % 2 ? 17 : 9);
          assert.equal(record.severityText, i % 2 ? 'ERROR' : 'INFO');
          assert.equal(record.traceId, (i + 1).toString(16).padStart(32, 'a'));
          assert.equal(record.spanId, (i + 1).toString(16).padStart(16, 'b'));
          assert.equal(record.flags, 1, 'trace flags (sampled) kept');
          if (i % 5 === 0) {
            const kv = (record.body!.kvlistValue as { values: Array<{ key: string; value: Record<string, unknown> }> }).values;
            assert.equal(kv.find((e) => e.key === 'message')?.value.stringValue, `structured ${i}`);
            const nested = (kv.find((e) => e.key === 'nested')!.value.kvlistValue as { values: Array<{ key: string; value: Record<string, unknown> }> }).values;
            assert.deepEqual(nested.map((e) => e.key).sort(), ['n', 'ok']);
          } else {
            assert.deepEqual(record.body, { stringValue: `order ${i} shipped` });
          }
          assert.deepEqual(attr(record.attributes, 'order.id'), { intValue: String(i) });
          assert.deepEqual(attr(record.attributes, 'http.route'), { stringValue: '/api/orders' });
          assert.deepEqual(attr(record.attributes, 'ratio'), { doubleValue: 0.25 });
          assert.deepEqual(attr(record.attributes, 'retried'), { boolValue: i % 3 === 0 });
          assert.deepEqual(attr(record.attributes, 'tags'), { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } });
        });
      });
    }
  }
});
