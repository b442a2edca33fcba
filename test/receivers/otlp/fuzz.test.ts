// Thousands of randomly mutated valid payloads at both transports: every one gets a 2xx/4xx (gRPC: OK or
// INVALID_ARGUMENT / RESOURCE_EXHAUSTED), nothing crashes, no promise is left rejected unhandled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { rawGrpcClient, sampleJson, sampleProtobuf } from '../../support/payloads.js';

const CONFIG = `${OTLP_RECEIVER}exporters:
  nop:
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [nop] }
`;

/** mulberry32: a seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Buffer, random: () => number): Buffer {
  const bytes = Buffer.from(input);
  const int = (n: number) => Math.floor(random() * n);
  switch (int(5)) {
    case 0: // flip a few bytes
      for (let i = 0, n = 1 + int(8); i < n; i++) bytes[int(bytes.length)] = int(256);
      return bytes;
    case 1: // truncate
      return bytes.subarray(0, int(bytes.length));
    case 2: { // insert random bytes
      const at = int(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256))), bytes.subarray(at)]);
    }
    case 3: { // duplicate a slice
      const from = int(bytes.length);
      const to = from + int(bytes.length - from);
      return Buffer.concat([bytes.subarray(0, to), bytes.subarray(from, to), bytes.subarray(to)]);
    }
    default: { // swap a byte for a structural one
      const structural = Buffer.from('{}[]",:0-e\\ \x00\x08\x0a\x12\xff');
      for (let i = 0, n = 1 + int(4); i < n; i++) bytes[int(bytes.length)] = structural[int(structural.length)]!;
      return bytes;
    }
  }
}

describe('OTLP receiver: mutated payloads', () => {
  let d: TestDaemon;
  const escaped: unknown[] = [];
  const onEscape = (reason: unknown) => escaped.push(reason);
  before(async () => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    d = await startDaemon(CONFIG);
  });
  after(async () => {
    await d.stop();
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  });

  it('HTTP: 1500 mutated protobuf and 1500 mutated JSON bodies each get a 2xx or 4xx', async () => {
    const random = prng(20261126);
    const seeds = [
      { type: 'application/x-protobuf', body: sampleProtobuf(6) },
      { type: 'application/json', body: Buffer.from(sampleJson(6)) },
    ];
    const statuses = new Map<number, number>();
    for (const seed of seeds) {
      for (let i = 0; i < 1500; i++) {
        const res = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': seed.type }, body: mutate(seed.body, random) as Uint8Array<ArrayBuffer> });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500), `status ${res.status} for mutation ${i} of ${seed.type}`);
      }
    }
    assert.ok((statuses.get(400) ?? 0) > 100, 'the mutations did produce malformed bodies');
    assert.ok((statuses.get(200) ?? 0) > 0, 'and some still-valid ones');
    assert.deepEqual(escaped, []);
  });

  it('gRPC: 1500 mutated messages each get OK, INVALID_ARGUMENT or RESOURCE_EXHAUSTED', async () => {
    const random = prng(42);
    const seed = sampleProtobuf(6);
    const client = rawGrpcClient(d.grpcPort);
    const allowed = new Set([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED]);
    try {
      for (let i = 0; i < 1500; i++) {
        const result = await client.send(mutate(seed, random));
        assert.ok(allowed.has(result.code), `code ${result.code} (${result.details}) for mutation ${i}`);
      }
    } finally {
      client.close();
    }
    const health = await fetch(`http://127.0.0.1:${d.telemetryPort}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(escaped, []);
  });
});
