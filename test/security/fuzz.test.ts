// Fuzzing the daemon's doors: 10,000 mutated control-API requests (methods, paths, bodies and tokens mangled;
// half with a good token) and 10,000 mutated OTLP payloads (protobuf and JSON with bytes flipped, inserted,
// cut; over HTTP with and without the token, and over gRPC). The daemon must answer every one without a 5xx
// (none is documented for these), stay healthy, and keep its memory bounded. Seeded: the same run every time.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { random } from '../../bench/draws.js';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { sampleJson, sampleProtobuf } from '../support/payloads.js';

const N = 10_000;
const TOKEN = 'fuzz-admin-token-0123456789';
const INGEST = 'fuzz-ingest-token-0123456789';

/** One request on a kept-alive socket; the status (0 when the connection broke, which the server may do to garbage). */
function send(agent: http.Agent, port: number, method: string, urlPath: string, headers: Record<string, string>, body: Buffer | undefined): Promise<number> {
  return new Promise((resolve) => {
    // Framed by its length whatever the method (Node sends a DELETE's or OPTIONS' body unframed otherwise, and
    // the server rightly reads it as the next request's garbage).
    const framed = body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: framed, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function mutate(bytes: Buffer, u: () => number): Buffer {
  const out = Buffer.from(bytes);
  const edits = 1 + Math.floor(u() * 4);
  let result = out;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(u() * result.length);
    const kind = Math.floor(u() * 4);
    if (kind === 0) result[at] = Math.floor(u() * 256);
    else if (kind === 1) result = Buffer.concat([result.subarray(0, at), Buffer.from([Math.floor(u() * 256)]), result.subarray(at)]);
    else if (kind === 2) result = result.subarray(0, at);
    else result = Buffer.concat([result.subarray(0, at), result.subarray(at, at + Math.floor(u() * 8)), result.subarray(at)]);
  }
  return result;
}

describe('fuzzing the control API and the OTLP receivers', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-fuzz-'));
  let daemon: TestDaemon;
  const u = random(4242);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(u() * xs.length)]!;

  before(async () => {
    writeFileSync(path.join(dir, 'tokens.yaml'), `- { name: fuzz, token: ${TOKEN}, scopes: [admin] }\n`);
    daemon = await startDaemon(`receivers:
  otlp:
    protocols:
      grpc: { endpoint: "{{GRPC}}" }
      http: { endpoint: "{{HTTP}}", auth: { authenticator: bearertokenauth } }
processors:
  redact: {}
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler: {}
exporters:
  nop: {}
extensions:
  bearertokenauth: { token: ${INGEST} }
  tuner: {}
  alerts: {}
service:
  extensions: [bearertokenauth, tuner, alerts]
  auth: { tokens_file: "${path.join(dir, 'tokens.yaml')}" }
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [redact, signature, ratestats, anomaly, sampler], exporters: [nop] }
`);
  });
  after(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 10,000 mangled control-API requests without a 5xx', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const prefixes = ['/api/v1/policies/', '/api/v1/policies/checkout/', '/api/v1/alerts/', '/api/v1/alerts/silences/', '/api/v1/audit', '/api/v1/insights/', '/api/v1/patterns/stats', '/api/v1/webhooks/', '/api/v1/policy_source', '/metrics', '/'];
    const tails = ['', 'checkout', 'rollback', 'propose', 'history', 'status', 'snooze', '%ff%fe', '..%2f..%2f', 'x'.repeat(3000), '?wait=abc', '?wait=99999s', '%F0%9F%99%82', 'test'];
    const bodies = [
      Buffer.from('{"mode":"dynamic","budget":{"keep_fraction":0.1}}'),
      Buffer.from('{"matchers":{"service":"a"},"duration":"1h","created_by":"x","comment":"y"}'),
      Buffer.from('{"version": 1}'),
      Buffer.from('['.repeat(5000)),
      Buffer.from('{"a":'.repeat(2000)),
      Buffer.from('{"budget":{"keep_fraction":1e309}}'),
      Buffer.from('null'),
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const method = pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
      const body = method === 'GET' || method === 'HEAD' ? undefined : u() < 0.5 ? mutate(pick(bodies), u) : pick(bodies);
      const headers: Record<string, string> = { 'content-type': pick(['application/json', 'text/plain', 'application/x-protobuf']) };
      if (u() < 0.5) headers.authorization = `Bearer ${TOKEN}`;
      else if (u() < 0.5) headers.authorization = pick(['Bearer', 'Basic Zm9vOmJhcg==', `Bearer ${TOKEN}x`, 'Bearer eyJhbGciOiJub25lIn0.eyJzY29wZSI6ImFkbWluIn0.', 'Bearer a.b.c']);
      const urlPath = `${pick(prefixes)}${pick(tails)}`;
      const status = await send(agent, daemon.telemetryPort, method, urlPath, headers, body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    agent.destroy();
    const serverErrors = [...statuses].filter(([s]) => s >= 500 || s === 0);
    assert.deepEqual(serverErrors, [], `statuses: ${JSON.stringify([...statuses].sort())}`);
    assert.equal((await fetch(`http://127.0.0.1:${daemon.telemetryPort}/healthz`)).status, 200);
  });

  it('answers 10,000 mangled OTLP payloads over HTTP (with and without the token) and gRPC without a 5xx, and stays within its memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const seeds = [sampleProtobuf(20), Buffer.from(sampleJson(20))];
    const statuses = new Map<string, number>();
    const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    const client = new grpc.Client(`127.0.0.1:${daemon.grpcPort}`, grpc.credentials.createInsecure());
    for (let i = 0; i < N; i++) {
      const json = u() < 0.5;
      const payload = u() < 0.9 ? mutate(seeds[json ? 1 : 0]!, u) : seeds[json ? 1 : 0]!;
      if (u() < 0.7) {
        const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
        if (u() < 0.8) headers.authorization = `Bearer ${INGEST}`;
        if (u() < 0.1) headers['content-encoding'] = pick(['gzip', 'deflate', 'br']);
        count(`http ${await send(agent, daemon.httpPort, 'POST', '/v1/logs', headers, payload)}`);
      } else {
        const code = await new Promise<number>((resolve) => {
          client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', (b: Buffer) => b, (b: Buffer) => b, payload, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error) => resolve(error?.code ?? 0));
        });
        count(`grpc ${grpc.status[code]}`);
      }
    }
    client.close();
    agent.destroy();
    const bad = [...statuses].filter(([k]) => /^http (5\d\d|0)$/.test(k) || /^grpc (INTERNAL|UNKNOWN|DEADLINE_EXCEEDED)$/.test(k));
    assert.deepEqual(bad, [], `outcomes: ${JSON.stringify([...statuses].sort())}`);
    assert.ok((statuses.get('http 401') ?? 0) > 0 && (statuses.get('http 200') ?? 0) > 0 && (statuses.get('http 400') ?? 0) > 0, JSON.stringify([...statuses]));
    assert.equal((await fetch(`http://127.0.0.1:${daemon.telemetryPort}/healthz`)).status, 200);
    const grewMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(grewMb < 300, `resident memory grew ${grewMb.toFixed(0)} MB over 10,000 payloads`);
  });
});
