// The kafka exporter and receiver over the connections a real cluster asks for, against a real broker with
// secure listeners (test/support/kafka_broker.ts): SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 on a
// SASL_PLAINTEXT listener, and TLS checked against the broker's certificate — records go through each one
// from one logsift to another. A wrong password is a permanent failure with the broker's reason (dead-lettered,
// not retried forever), and so is a certificate the client does not trust; neither takes the daemon down. A
// receiver the broker refuses does not start, and the error says why (the client keeps it a few causes down).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../../support/daemon.js';
import { eventually } from '../../support/eventually.js';
import { readFileExport } from '../../support/file_output.js';
import { Admin } from '@platformatic/kafka';
import { startKafka, type KafkaBroker } from '../../support/kafka_broker.js';
import { sampleProtobuf } from '../../support/payloads.js';

const producerConfig = (connection: string, topic: string) => `${OTLP_RECEIVER}exporters:
  kafka: { ${connection}, logs: { topic: ${topic} }, retry_on_failure: { initial_interval: 100ms, max_interval: 1s } }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [kafka] }
`;

const consumerConfig = (connection: string, topic: string) => `receivers:
  kafka: { ${connection}, group_id: g_${topic}, initial_offset: earliest, logs: { topic: ${topic} } }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [kafka], exporters: [file] }
`;

const send = async (d: TestDaemon, records: number) => {
  const response = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: sampleProtobuf(records) as Uint8Array<ArrayBuffer> });
  assert.equal(response.status, 200);
};

describe('kafka over SASL and TLS', { timeout: 240_000 }, () => {
  const user = { username: 'logsift', password: randomBytes(12).toString('hex') };
  let broker: KafkaBroker;
  const daemons: TestDaemon[] = [];
  before(async () => {
    broker = await startKafka({ secure: user });
    const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ['secure_plain', 'secure_scram_sha_256', 'secure_scram_sha_512', 'secure_tls'], partitions: 2, replicas: 1 });
    await admin.close();
  });
  after(async () => {
    for (const d of daemons) await d.stop();
    await broker?.stop();
  });

  const connections = () => ({
    plain: `brokers: ["${broker.sasl}"], sasl: { mechanism: PLAIN, username: ${user.username}, password: ${user.password} }`,
    scram_sha_256: `brokers: ["${broker.sasl}"], sasl: { mechanism: SCRAM-SHA-256, username: ${user.username}, password: ${user.password} }`,
    scram_sha_512: `brokers: ["${broker.sasl}"], sasl: { mechanism: SCRAM-SHA-512, username: ${user.username}, password: ${user.password} }`,
    tls: `brokers: ["${broker.ssl}"], tls: { enabled: true, ca_file: "${broker.caFile}" }`,
  });

  for (const kind of ['plain', 'scram_sha_256', 'scram_sha_512', 'tls'] as const) {
    it(`carries records through Kafka over ${kind}`, async () => {
      const connection = connections()[kind];
      const topic = `secure_${kind}`;
      const sender = await startDaemon(producerConfig(connection, topic));
      const receiver = await startDaemon(consumerConfig(connection, topic));
      daemons.push(sender, receiver);
      await send(sender, 40);
      const out = path.join(receiver.dir, 'out.jsonl');
      await eventually(`40 records arrived over ${kind}`, () => readFileExport(out).length >= 40);
      const bodies = readFileExport(out).map((r) => String(r.record.body?.stringValue));
      assert.deepEqual([bodies.length, new Set(bodies).size], [40, 40], 'each once');
    });
  }

  it('dead-letters records a wrong password cannot send, with the broker\'s reason, and keeps running', async () => {
    const logs: string[] = [];
    const sender = await startDaemon(producerConfig(`brokers: ["${broker.sasl}"], sasl: { mechanism: SCRAM-SHA-256, username: ${user.username}, password: wrong${user.password} }`, 'secure_refused'), { logs });
    daemons.push(sender);
    await send(sender, 5);
    const refusal = (l: string) => /dead/i.test(l) && /SASL authentication failed/.test(l);
    await eventually('the failure was logged', () => logs.some(refusal));
    assert.match(logs.find(refusal)!, /"level":50/, 'an error: given up, not retried');
    const health = await fetch(`http://127.0.0.1:${sender.telemetryPort}/healthz`);
    assert.equal(health.status, 200);
  });

  it('does not start a receiver the broker refuses, and says why', async () => {
    await assert.rejects(
      startDaemon(consumerConfig(`brokers: ["${broker.sasl}"], sasl: { mechanism: PLAIN, username: ${user.username}, password: wrong }`, 'secure_plain')),
      /the kafka receiver cannot consume secure_plain from 127\.0\.0\.1:\d+: .*SASL authentication failed/,
    );
  });

  it('refuses, for good, a broker whose certificate it does not trust', async () => {
    const logs: string[] = [];
    const sender = await startDaemon(producerConfig(`brokers: ["${broker.ssl}"], tls: { enabled: true }`, 'secure_untrusted'), { logs });
    daemons.push(sender);
    await send(sender, 5);
    const refusal = (l: string) => /dead/i.test(l) && /self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/.test(l);
    await eventually('the certificate was refused', () => logs.some(refusal));
    assert.match(logs.find(refusal)!, /"level":50/);
    const health = await fetch(`http://127.0.0.1:${sender.telemetryPort}/healthz`);
    assert.equal(health.status, 200);
  });
});
