// The OTLP receivers with TLS and a bearer token, in the Collector's shape: the real OpenTelemetry SDK
// exporters (HTTP/protobuf over HTTPS with a token header, gRPC over mTLS with the token in metadata) are
// taken; a request without the token gets 401 / UNAUTHENTICATED, a gRPC client without a client certificate
// does not get in at all, and a rotated tokens file takes at once. The telemetry server speaks HTTPS too.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { makeCertificates, type TestCertificates } from '../support/certificates.js';
import { readFileExport } from '../support/file_output.js';
import { sdkProvider } from '../support/otel_clients.js';
import { sampleProtobuf } from '../support/payloads.js';

const TOKEN = 'ingest-token-0123456789abcdef';

function post(port: number, ca: Buffer, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', ca, headers: { 'content-type': 'application/x-protobuf', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('OTLP receivers with TLS and bearer tokens', { timeout: 60_000 }, () => {
  let certs: TestCertificates;
  let daemon: TestDaemon;
  let tokensFile: string;

  before(async () => {
    certs = makeCertificates();
    tokensFile = path.join(certs.dir, 'ingest-tokens');
    writeFileSync(tokensFile, `${TOKEN}\n`);
    const tls = `{ cert_file: "${certs.certFile}", key_file: "${certs.keyFile}" }`;
    daemon = await startDaemon(`receivers:
  otlp:
    protocols:
      grpc: { endpoint: "{{GRPC}}", tls: { cert_file: "${certs.certFile}", key_file: "${certs.keyFile}", client_ca_file: "${certs.caFile}" }, auth: { authenticator: bearertokenauth } }
      http: { endpoint: "{{HTTP}}", tls: ${tls}, auth: { authenticator: bearertokenauth } }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
extensions:
  bearertokenauth: { filename: "${tokensFile}" }
service:
  extensions: [bearertokenauth]
  telemetry: { metrics: { address: "{{TELEMETRY}}" }, tls: ${tls} }
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`);
  });
  after(async () => {
    await daemon?.stop();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('takes the SDK\'s records over HTTPS with the token, and over gRPC with mTLS and the token', async () => {
    const http = sdkProvider(new HttpProtoExporter({ url: `https://127.0.0.1:${daemon.httpPort}/v1/logs`, headers: { Authorization: `Bearer ${TOKEN}` }, httpAgentOptions: { ca: certs.ca } }), { 'service.name': 'over-https' });
    http.logger.emit({ body: 'sent over https' });
    await http.flush();
    await http.shutdown();
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    const overGrpc = sdkProvider(new GrpcExporter({ url: `https://127.0.0.1:${daemon.grpcPort}`, credentials: grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert), metadata }), { 'service.name': 'over-grpc' });
    overGrpc.logger.emit({ body: 'sent over grpc with mtls' });
    await overGrpc.flush();
    await overGrpc.shutdown();
    const bodies = readFileExport(path.join(daemon.dir, 'out.jsonl')).map((r) => r.record.body?.stringValue).sort();
    assert.deepEqual(bodies, ['sent over grpc with mtls', 'sent over https']);
  });

  it('refuses HTTP without the token (401) and gRPC without it (UNAUTHENTICATED) or without a client certificate', async () => {
    const refused = await post(daemon.httpPort, certs.ca, {}, sampleProtobuf(1));
    assert.equal(refused.status, 401);
    assert.equal((await post(daemon.httpPort, certs.ca, { authorization: 'Bearer not-the-token-000000000' }, sampleProtobuf(1))).status, 401);
    const exportWith = (credentials: grpc.ChannelCredentials, token?: string) =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        const client = new grpc.Client(`127.0.0.1:${daemon.grpcPort}`, credentials);
        const metadata = new grpc.Metadata();
        if (token) metadata.set('authorization', `Bearer ${token}`);
        client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', (b: Buffer) => b, (b: Buffer) => b, sampleProtobuf(1), metadata, { deadline: Date.now() + 10_000 }, (error) => {
          client.close();
          resolve(error);
        });
      });
    assert.equal((await exportWith(grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert)))?.code, grpc.status.UNAUTHENTICATED);
    assert.equal((await exportWith(grpc.credentials.createSsl(certs.ca), TOKEN))?.code, grpc.status.UNAVAILABLE, 'no client certificate: no connection');
    assert.equal(await exportWith(grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert), TOKEN), null);
  });

  it('takes a rotated token at once, and serves the telemetry server over HTTPS', async () => {
    writeFileSync(tokensFile, 'rotated-ingest-token-9876543210\n');
    assert.equal((await post(daemon.httpPort, certs.ca, { authorization: `Bearer ${TOKEN}` }, sampleProtobuf(1))).status, 401);
    assert.equal((await post(daemon.httpPort, certs.ca, { authorization: 'Bearer rotated-ingest-token-9876543210' }, sampleProtobuf(1))).status, 200);
    const health = await new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: daemon.telemetryPort, path: '/healthz', ca: certs.ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(health, 200);
  });
});
