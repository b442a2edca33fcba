// The kafka exporter and receiver against a real Apache Kafka broker the test starts (test/support/
// kafka_broker.ts): records sent by the OpenTelemetry SDK to one logsift go through Kafka to another, every
// one once, in both encodings; each message is keyed by its service, so a service's records share a
// partition; a message that is not OTLP is passed over and counted without blocking its partition; and
// while the backend refuses (401, no queue) nothing is committed — once it takes them, all is delivered and
// committed.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../../support/daemon.js';
import { readFileExport } from '../../support/file_output.js';
import { eventually } from '../../support/eventually.js';
import { startKafka, type KafkaBroker } from '../../support/kafka_broker.js';
import { sdkExporter, sdkProvider, SeverityNumber } from '../../support/otel_clients.js';
import { sampleProtobuf } from '../../support/payloads.js';
import { decodeExportRequest } from '../../../proto/otlp.js';


const producerConfig = (broker: KafkaBroker, topic: string, encoding: string) => `${OTLP_RECEIVER}exporters:
  kafka: { brokers: ["${broker.bootstrap}"], logs: { topic: ${topic}, encoding: ${encoding} } }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], exporters: [kafka] }
`;

const consumerConfig = (broker: KafkaBroker, topic: string, encoding: string, group: string) => `receivers:
  kafka: { brokers: ["${broker.bootstrap}"], group_id: ${group}, initial_offset: earliest, logs: { topic: ${topic}, encoding: ${encoding} } }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [kafka], exporters: [file] }
`;

async function createTopic(broker: KafkaBroker, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [broker.bootstrap] });
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  await admin.close();
}

describe('kafka exporter and receiver', { timeout: 240_000 }, () => {
  let broker: KafkaBroker;
  const daemons: TestDaemon[] = [];
  before(async () => {
    broker = await startKafka();
  });
  after(async () => {
    for (const d of daemons) await d.stop();
    await broker?.stop();
  });

  for (const encoding of ['otlp_proto', 'otlp_json']) {
    it(`carries every record once through Kafka (${encoding}), keyed by service`, async () => {
      const topic = `logs_${encoding}`;
      await createTopic(broker, topic, 4);
      const sender = await startDaemon(producerConfig(broker, topic, encoding));
      const receiver = await startDaemon(consumerConfig(broker, topic, encoding, `group_${encoding}`));
      daemons.push(sender, receiver);
      const services = ['checkout', 'search', 'payments'];
      for (const service of services) {
        const client = sdkProvider(sdkExporter('http/protobuf', sender, false), { 'service.name': service });
        for (let i = 0; i < 300; i++) client.logger.emit({ body: `${service} record ${i}`, severityNumber: SeverityNumber.INFO, attributes: { seq: i } });
        await client.flush();
        await client.shutdown();
      }
      const out = path.join(receiver.dir, 'out.jsonl');
      await eventually('all 900 records arrived', () => readFileExport(out).length >= 900);
      const bodies = readFileExport(out).map((r) => String(r.record.body?.stringValue));
      assert.equal(bodies.length, 900);
      assert.equal(new Set(bodies).size, 900, 'each once');

      // Each message is one service's records, keyed by it: a service's messages share one partition.
      const reader = new Consumer({ groupId: `inspect_${encoding}`, clientId: 'inspect', bootstrapBrokers: [broker.bootstrap] });
      const ends = await reader.listOffsets({ topics: [topic] });
      const total = (ends.get(topic) ?? []).reduce((n, end) => n + Number(end), 0);
      const stream = await reader.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      const partitions = new Map<string, Set<number>>();
      let messages = 0;
      for await (const message of stream) {
        const key = message.key.toString();
        if (encoding === 'otlp_proto') {
          const request = decodeExportRequest(message.value);
          assert.equal(request.resourceLogs?.length, 1);
          const name = request.resourceLogs![0]!.resource?.attributes?.find((kv) => kv.key === 'service.name')?.value?.stringValue;
          assert.equal(name, key);
        } else {
          assert.match(message.value.toString(), new RegExp(`"stringValue":"${key}"`));
        }
        partitions.set(key, (partitions.get(key) ?? new Set()).add(message.partition));
        if (++messages === total) break;
      }
      await stream.close();
      await reader.close(true);
      assert.deepEqual([...partitions.keys()].sort(), services.sort());
      for (const [service, set] of partitions) assert.equal(set.size, 1, `${service}'s messages on one partition`);
    });
  }

  it('keys each message by its records\' pattern when partition_logs_by_pattern is set', async () => {
    const topic = 'logs_by_pattern';
    await createTopic(broker, topic, 4);
    const sender = await startDaemon(`${OTLP_RECEIVER}processors:
  signature: {}
exporters:
  kafka: { brokers: ["${broker.bootstrap}"], logs: { topic: ${topic} }, partition_logs_by_pattern: true }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature], exporters: [kafka] }
`);
    daemons.push(sender);
    const client = sdkProvider(sdkExporter('http/protobuf', sender, false), { 'service.name': 'checkout' });
    for (let i = 0; i < 60; i++) {
      const body = [`cart ${i} checked out in ${i} ms`, `payment ${i} declined by the bank`, `user u${i} signed in`][i % 3]!;
      client.logger.emit({ body, severityNumber: SeverityNumber.INFO });
    }
    await client.flush();
    await client.shutdown();
    const reader = new Consumer({ groupId: 'inspect_by_pattern', clientId: 'inspect', bootstrapBrokers: [broker.bootstrap] });
    let total = 0;
    await eventually('the messages are in the topic', async () => {
      const ends = await reader.listOffsets({ topics: [topic] });
      total = (ends.get(topic) ?? []).reduce((n, end) => n + Number(end), 0);
      return total >= 3;
    });
    const stream = await reader.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const partitions = new Map<string, Set<number>>();
    let records = 0;
    let messages = 0;
    for await (const message of stream) {
      const key = message.key.toString();
      const patterns = new Set(decodeExportRequest(message.value).resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!.map((r) => r.attributes!.find((kv) => kv.key === 'logsift.pattern.id')!.value!.stringValue))));
      assert.deepEqual([...patterns], [key], 'a message holds one pattern\'s records, keyed by it');
      records += decodeExportRequest(message.value).resourceLogs!.reduce((n, rl) => n + rl.scopeLogs!.reduce((m, sl) => m + sl.logRecords!.length, 0), 0);
      partitions.set(key, (partitions.get(key) ?? new Set()).add(message.partition));
      if (++messages === total) break;
    }
    await stream.close();
    await reader.close(true);
    assert.equal(records, 60);
    assert.equal(partitions.size, 3, 'three patterns, three keys');
    for (const set of partitions.values()) assert.equal(set.size, 1);
  });

  it('reads every topic listed under logs.topics (the Collector\'s receiver key)', async () => {
    await createTopic(broker, 'logs_a', 1);
    await createTopic(broker, 'logs_b', 1);
    const receiver = await startDaemon(consumerConfig(broker, 'unused', 'otlp_proto', 'group_topics').replace('logs: { topic: unused, encoding: otlp_proto }', 'logs: { topics: [logs_a, logs_b] }'));
    daemons.push(receiver);
    const producer = new Producer({ clientId: 'test', bootstrapBrokers: [broker.bootstrap], acks: -1 });
    await producer.send({ messages: [{ topic: 'logs_a', value: sampleProtobuf(3) }, { topic: 'logs_b', value: sampleProtobuf(4) }] });
    await producer.close();
    const out = path.join(receiver.dir, 'out.jsonl');
    await eventually('both topics\' records arrived', () => readFileExport(out).length >= 7);
    assert.equal(readFileExport(out).length, 7);
  });

  it('passes over a message that is not OTLP, counts it, and goes on with the partition', async () => {
    const topic = 'logs_mixed';
    await createTopic(broker, topic, 1);
    const receiver = await startDaemon(consumerConfig(broker, topic, 'otlp_proto', 'group_mixed'));
    daemons.push(receiver);
    const producer = new Producer({ clientId: 'test', bootstrapBrokers: [broker.bootstrap], acks: -1 });
    await producer.send({ messages: [{ topic, value: Buffer.from('this is not protobuf at all \u00ff\u0000') }, { topic, value: sampleProtobuf(7) }] });
    await producer.close();
    const out = path.join(receiver.dir, 'out.jsonl');
    await eventually('the good message after the bad one arrived', () => readFileExport(out).length >= 7);
    const metrics = await (await fetch(`http://127.0.0.1:${receiver.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_kafka_receiver_messages_total\{receiver="kafka",outcome="malformed"\} 1/);
    assert.match(metrics, /logsift_kafka_receiver_messages_total\{receiver="kafka",outcome="accepted"\} 1/);
  });

  it('commits nothing past records the backend refused (401, no queue); delivers and commits all once it takes them', async () => {
    const topic = 'logs_refused';
    await createTopic(broker, topic, 1);
    let status = 401;
    let requests = 0;
    const sink = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests += 1;
        res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end();
        sink.emit('answered', status);
      });
    });
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    const receiver = await startDaemon(
      `receivers:
  kafka: { brokers: ["${broker.bootstrap}"], group_id: group_refused, initial_offset: earliest, logs: { topic: ${topic} }, commit_interval: 200ms, retry: { initial_interval: 200ms, max_interval: 200ms } }
exporters:
  otlp_http: { endpoint: "http://127.0.0.1:${(sink.address() as AddressInfo).port}", sending_queue: { enabled: false }, retry_on_failure: { enabled: false } }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [kafka], exporters: [otlp_http] }
`,
    );
    daemons.push(receiver);
    const producer = new Producer({ clientId: 'test', bootstrapBrokers: [broker.bootstrap], acks: -1 });
    await producer.send({ messages: Array.from({ length: 5 }, () => ({ topic, value: sampleProtobuf(10) })) });
    await producer.close();

    /** Messages the group has committed. (This client commits a message's own offset and resumes after it.) */
    const committed = async () => {
      const admin = new Consumer({ groupId: 'group_refused', clientId: 'look', bootstrapBrokers: [broker.bootstrap] });
      const offsets = await admin.listCommittedOffsets({ topics: [{ topic, partitions: [0] }] });
      await admin.close(true);
      return Number(offsets.get(topic)?.[0] ?? -1n) + 1;
    };
    await eventually('the backend was asked', () => requests >= 1);
    // Commit rounds (every 200 ms) come and go while the backend keeps refusing: nothing is committed.
    await eventually('retried several times', () => requests >= 6);
    assert.equal(await committed(), 0, 'no offset committed past refused records');
    const metrics = await (await fetch(`http://127.0.0.1:${receiver.telemetryPort}/metrics`)).text();
    assert.match(metrics, /logsift_receiver_refused_log_records_total\{receiver="kafka",transport="kafka",reason="export_failed"\} \d+/);

    status = 200;
    await eventually('committed to the end once delivered', async () => (await committed()) === 5);
    sink.closeAllConnections();
    sink.close();
  });
});
