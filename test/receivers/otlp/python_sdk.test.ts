// The real OpenTelemetry Python SDK (std logging bridge, OTLP gRPC and HTTP/protobuf exporters, plain and
// gzip) sends to a running daemon; every record must arrive with its fields intact.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FILE_PIPELINE, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { attr, readFileExport } from '../../support/file_output.js';
import { emitFromPython, ensurePythonSdk } from '../../support/python_sdk.js';

describe('OTLP receiver with the real Python SDK', () => {
  let d: TestDaemon;
  before(async () => {
    await ensurePythonSdk();
    d = await startDaemon(FILE_PIPELINE);
  });
  after(() => d.stop());

  for (const protocol of ['grpc', 'http'] as const) {
    for (const gzip of [false, true]) {
      it(`${protocol}${gzip ? ' + gzip' : ''}: every record arrives intact`, async () => {
        const run = `py-${protocol}-${gzip}`;
        const endpoint = protocol === 'grpc' ? `http://127.0.0.1:${d.grpcPort}` : `http://127.0.0.1:${d.httpPort}/v1/logs`;
        const ids = await emitFromPython(protocol, endpoint, 12, run, gzip);
        const mine = readFileExport(path.join(d.dir, 'out.jsonl')).filter((r) => attr(r.resource, 'test.run')?.stringValue === run);
        assert.equal(mine.length, 12);
        for (const { resource, scope, record } of mine) {
          const i = Number(/^invoice (\d+) overdue$/.exec(String(record.body?.stringValue))![1]);
          assert.equal(attr(resource, 'service.name')?.stringValue, 'billing-py');
          assert.equal(attr(resource, 'telemetry.sdk.language')?.stringValue, 'python');
          assert.equal(scope.name, 'billing');
          assert.equal(record.severityNumber, 13);
          assert.equal(record.severityText, 'WARN');
          assert.equal(record.traceId, ids[i]!.trace_id);
          assert.equal(record.spanId, ids[i]!.span_id);
          assert.deepEqual(attr(record.attributes, 'invoice.id'), { intValue: String(i) });
          assert.deepEqual(attr(record.attributes, 'customer'), { stringValue: `c-${i}` });
          assert.deepEqual(attr(record.attributes, 'amount'), { doubleValue: 12.5 });
          assert.ok(BigInt(record.timeUnixNano!) > 0n);
        }
      });
    }
  }
});
