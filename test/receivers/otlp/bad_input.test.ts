// Bad input gets the documented status and a message saying what was wrong, and the daemon keeps serving.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { ExportLogsServiceResponse, RpcStatus } from '../../../proto/otlp.js';
import { startDaemon, type TestDaemon } from '../../support/daemon.js';
import { readFileExport } from '../../support/file_output.js';
import { rawGrpcClient, sampleJson, sampleProtobuf, sampleRequest } from '../../support/payloads.js';
import { encodeExportRequest } from '../../../proto/otlp.js';

const LIMIT = 256 * 1024;
const CONFIG = `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: "{{GRPC}}", max_recv_msg_size_mib: 1 }
      http: { endpoint: "{{HTTP}}", max_request_body_size: ${LIMIT} }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request, so bodies and headers are sent exactly as given (fetch would fix some of them). */
function request(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/v1/logs', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        const body = Buffer.from(options.body);
        for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      } else {
        req.setHeader('content-length', Buffer.byteLength(options.body));
        req.write(options.body);
      }
    }
    req.end();
  });
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

function statusMessage(reply: Reply): string {
  if (String(reply.headers['content-type']).includes('json')) return (JSON.parse(reply.body.toString()) as { message: string }).message;
  return (RpcStatus.decode(reply.body) as unknown as { message: string }).message;
}

describe('OTLP receiver: bad input', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon(CONFIG);
  });
  after(() => d.stop());
  // After every bad request the daemon must still accept a good one.
  afterEach(async () => {
    const good = await request(d.httpPort, { headers: PROTO, body: sampleProtobuf(1) });
    assert.equal(good.status, 200, 'the daemon still serves a good request');
  });

  const cases: Array<{ name: string; send: () => Promise<Reply>; status: number; message: RegExp }> = [
    {
      name: 'truncated protobuf',
      send: () => request(d.httpPort, { headers: PROTO, body: sampleProtobuf(3).subarray(0, 50) }),
      status: 400,
      message: /malformed protobuf ExportLogsServiceRequest/,
    },
    { name: 'invalid JSON', send: () => request(d.httpPort, { headers: JSON_TYPE, body: '{"resourceLogs": [' }), status: 400, message: /invalid JSON/ },
    {
      name: 'JSON of the wrong shape',
      send: () => request(d.httpPort, { headers: JSON_TYPE, body: '{"resourceLogs": "everything"}' }),
      status: 400,
      message: /resourceLogs: array expected/,
    },
    {
      name: 'JSON trace id that is not hex',
      send: () => request(d.httpPort, { headers: JSON_TYPE, body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'zz' }] }] }] }) }),
      status: 400,
      message: /traceId: must be 32 hex characters/,
    },
    {
      name: 'JSON int64 that is not a number',
      send: () => request(d.httpPort, { headers: JSON_TYPE, body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 'yesterday' }] }] }] }) }),
      status: 400,
      message: /timeUnixNano: must be an integer/,
    },
    {
      name: 'truncated gzip',
      send: () => request(d.httpPort, { headers: { ...PROTO, 'content-encoding': 'gzip' }, body: gzipSync(sampleProtobuf(20)).subarray(0, 40) }),
      status: 400,
      message: /gzip body could not be decompressed/,
    },
    {
      name: 'gzip bomb (small on the wire, huge decompressed)',
      send: () => request(d.httpPort, { headers: { ...PROTO, 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(64 * 1024 * 1024)) }),
      status: 413,
      message: /decompressed body exceeds the limit/,
    },
    { name: 'wrong content type', send: () => request(d.httpPort, { headers: { 'content-type': 'text/plain' }, body: 'hello' }), status: 415, message: /unsupported content-type text\/plain/ },
    {
      name: 'unsupported content encoding',
      send: () => request(d.httpPort, { headers: { ...PROTO, 'content-encoding': 'br' }, body: sampleProtobuf(1) }),
      status: 415,
      message: /unsupported content-encoding br/,
    },
    {
      name: 'oversize body with a content-length',
      send: () => request(d.httpPort, { headers: PROTO, body: Buffer.alloc(LIMIT + 1) }),
      status: 413,
      message: /exceeds the limit of 262144 bytes/,
    },
    {
      name: 'oversize body sent chunked',
      send: () => request(d.httpPort, { headers: PROTO, body: Buffer.alloc(LIMIT * 2), chunked: true }),
      status: 413,
      message: /exceeds the limit of 262144 bytes/,
    },
    { name: 'wrong method', send: () => request(d.httpPort, { method: 'GET', headers: PROTO }), status: 405, message: /method GET is not allowed/ },
    { name: 'wrong path', send: () => request(d.httpPort, { path: '/v1/traces', headers: PROTO, body: sampleProtobuf(1) }), status: 404, message: /no such path \/v1\/traces/ },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const reply = await c.send();
      assert.equal(reply.status, c.status);
      assert.match(statusMessage(reply), c.message);
      if (c.status === 405) assert.equal(reply.headers.allow, 'POST');
    });
  }

  it('records with invalid ids are rejected through partial_success, the rest accepted (protobuf and JSON)', async () => {
    const req = sampleRequest(4);
    req.resourceLogs![0]!.scopeLogs![0]!.logRecords![1]!.traceId = Buffer.alloc(5, 7);
    req.resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!.body = { stringValue: 'partial-proto-kept' };
    const reply = await request(d.httpPort, { headers: PROTO, body: Buffer.from(encodeExportRequest(req)) });
    assert.equal(reply.status, 200);
    const response = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(reply.body), { longs: Number }) as {
      partialSuccess: { rejectedLogRecords: number; errorMessage: string };
    };
    assert.equal(response.partialSuccess.rejectedLogRecords, 1);
    assert.match(response.partialSuccess.errorMessage, /log_records\[1\]: trace_id must be 16 bytes/);
    const kept = readFileExport(path.join(d.dir, 'out.jsonl')).filter((r) => r.record.traceId === Buffer.alloc(16, 1).toString('hex') && r.record.body?.stringValue === 'partial-proto-kept');
    assert.equal(kept.length, 1, 'the valid records of the request were delivered');

    const json = JSON.parse(sampleJson(2)) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<Record<string, unknown>> }> }> };
    json.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.span_id = 'abcd';
    const jsonReply = await request(d.httpPort, { headers: JSON_TYPE, body: JSON.stringify(json) });
    assert.equal(jsonReply.status, 400, 'a JSON id of the wrong length is a decoding error');
    assert.match(statusMessage(jsonReply), /spanId: must be 16 hex characters/);
  });

  it('snake_case OTLP/JSON keys are accepted', async () => {
    const body = JSON.stringify({
      resource_logs: [{ scope_logs: [{ log_records: [{ time_unix_nano: '1795000000000000001', severity_number: 13, body: { string_value: 'snake-case-body' } }] }] }],
    });
    const reply = await request(d.httpPort, { headers: JSON_TYPE, body });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body.toString()), {});
    const got = readFileExport(path.join(d.dir, 'out.jsonl')).find((r) => r.record.body?.stringValue === 'snake-case-body');
    assert.equal(got?.record.severityNumber, 13);
    assert.equal(got?.record.timeUnixNano, '1795000000000000001');
  });

  describe('over gRPC', () => {
    it('a truncated message is INVALID_ARGUMENT with a message; an oversize one RESOURCE_EXHAUSTED', async () => {
      const client = rawGrpcClient(d.grpcPort);
      try {
        const truncated = await client.send(sampleProtobuf(3).subarray(0, 50));
        assert.equal(truncated.code, grpc.status.INVALID_ARGUMENT);
        assert.match(truncated.details, /malformed protobuf ExportLogsServiceRequest/);
        const huge = await client.send(Buffer.alloc(2 * 1024 * 1024, 0));
        assert.equal(huge.code, grpc.status.RESOURCE_EXHAUSTED);
        const good = await client.send(sampleProtobuf(2));
        assert.equal(good.code, grpc.status.OK);
      } finally {
        client.close();
      }
    });

    it('invalid records are reported through partial_success', async () => {
      const req = sampleRequest(3);
      req.resourceLogs![0]!.scopeLogs![0]!.logRecords![2]!.spanId = Buffer.alloc(3);
      const client = rawGrpcClient(d.grpcPort);
      try {
        const result = await client.send(Buffer.from(encodeExportRequest(req)));
        assert.equal(result.code, grpc.status.OK);
        const response = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(result.response!), { longs: Number }) as {
          partialSuccess: { rejectedLogRecords: number };
        };
        assert.equal(response.partialSuccess.rejectedLogRecords, 1);
      } finally {
        client.close();
      }
    });
  });
});
