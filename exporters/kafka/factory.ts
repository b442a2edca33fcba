// The `kafka` exporter: each batch's records go to a topic as OTLP export requests (`otlp_proto`, or
// `otlp_json`), one message per resource, keyed by its `service.name` — so all of a service's records land
// on one partition and, read by a logsift group, one consumer holds that service's patterns and rates. Keys
// follow the Collector's kafkaexporter (brokers, client_id, logs.topic/encoding, producer.*); unlike its
// default (`required_acks: 1`), a message counts as sent only when every in-sync replica has it (-1, "all").
// `partition_logs_by_pattern`: one message per resource and pattern, keyed by the pattern id a signature
// processor set (records without one keyed by service) — for records already mined and sampled at the edge,
// so that each pattern's state lives on one consumer of the group. On the shared helper: queue (persistent if
// asked), retry with backoff, dead letters.
import { Producer, type MessageToProduce } from '@platformatic/kafka';
import {
  KAFKA_CONNECTION_PROPERTIES,
  defaultKafkaConnection,
  kafkaClientOptions,
  kafkaFailureReason,
  kafkaFailures,
  TLS_TRUST_CODES,
  kafkaConnectionProblems,
  type KafkaConnectionConfig,
} from '../../config/kafka_connection.js';
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { ExporterFactory } from '../../pipeline/component.js';
import type { SendResult } from '../../pipeline/send_result.js';
import { encodeExportRequest, type PbLogRecord, type PbResourceLogs } from '../../proto/otlp.js';
import { exportRequestJson } from '../../proto/otlp_json.js';
import { HELPER_SCHEMA_PROPERTIES, helperDefaults, helperSettings, type HelperConfig } from '../helper/config.js';
import { HelperExporter, type Transport } from '../helper/exporter_helper.js';

export interface KafkaExporterConfig extends HelperConfig, KafkaConnectionConfig {
  /** One message per resource and pattern, keyed by the pattern id in `pattern_attribute`, instead of per resource keyed by service. */
  partition_logs_by_pattern: boolean;
  pattern_attribute: string;
  producer: { required_acks: -1 | 0 | 1; compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'; max_message_bytes: number };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...KAFKA_CONNECTION_PROPERTIES,
    partition_logs_by_pattern: { type: 'boolean' },
    pattern_attribute: { type: 'string', minLength: 1 },
    producer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        required_acks: { enum: [-1, 0, 1] },
        compression: { enum: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
        max_message_bytes: { type: 'integer', minimum: 1024 },
      },
    },
    ...HELPER_SCHEMA_PROPERTIES,
  },
};
const checkSchema = compileConfigSchema(schema);

function serviceOf(rl: PbResourceLogs): string {
  for (const kv of rl.resource?.attributes ?? []) if (kv.key === 'service.name' && typeof kv.value?.stringValue === 'string') return kv.value.stringValue;
  return '';
}

class KafkaTransport implements Transport {
  #producer: Producer<Buffer, Buffer, string, string> | undefined;

  constructor(private readonly config: KafkaExporterConfig) {}

  async start(): Promise<void> {
    // Retries are the helper's (with backoff, Retry-After, dead letters); the client tries each send once.
    this.#producer = new Producer({ ...kafkaClientOptions(this.config), retries: 0, acks: this.config.producer.required_acks, autocreateTopics: true });
  }

  async send(resourceLogs: PbResourceLogs[], _records: number, signal: AbortSignal): Promise<SendResult> {
    const producer = this.#producer;
    if (!producer) return { kind: 'retryable', reason: 'the kafka producer is not started' };
    const { topic, encoding } = this.config.logs;
    const messages: MessageToProduce<Buffer, Buffer, string, string>[] = [];
    for (const rl of resourceLogs) {
      const groups = this.config.partition_logs_by_pattern ? byPattern(rl, this.config.pattern_attribute) : [{ key: '', resourceLogs: rl }];
      for (const group of groups) {
        const request = { resourceLogs: [group.resourceLogs] };
        const value = encoding === 'otlp_json' ? Buffer.from(JSON.stringify(exportRequestJson(request))) : Buffer.from(encodeExportRequest(request));
        if (value.byteLength > this.config.producer.max_message_bytes) {
          return { kind: 'too_large', reason: `a message of ${value.byteLength} bytes is over producer.max_message_bytes (${this.config.producer.max_message_bytes})` };
        }
        messages.push({ topic, key: Buffer.from(group.key || serviceOf(rl)), value });
      }
    }
    try {
      const sending = producer.send({ messages, ...(this.config.producer.compression !== 'none' ? { compression: this.config.producer.compression } : {}) });
      await abortable(sending, signal);
      return { kind: 'success' };
    } catch (error) {
      return classifyKafkaError(error);
    }
  }

  async shutdown(): Promise<void> {
    await this.#producer?.close().catch(() => undefined);
    this.#producer = undefined;
  }
}

/** A resource's records split by pattern id (`''`: none), each group with the resource and its records' scopes. */
function byPattern(rl: PbResourceLogs, attribute: string): Array<{ key: string; resourceLogs: PbResourceLogs }> {
  const groups = new Map<string, PbResourceLogs>();
  for (const sl of rl.scopeLogs ?? []) {
    const records = new Map<string, PbLogRecord[]>();
    for (const record of sl.logRecords ?? []) {
      const id = record.attributes?.find((kv) => kv.key === attribute)?.value?.stringValue ?? '';
      let list = records.get(id);
      if (!list) records.set(id, (list = []));
      list.push(record);
    }
    for (const [id, logRecords] of records) {
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { resource: rl.resource ?? null, schemaUrl: rl.schemaUrl ?? null, scopeLogs: [] }));
      group.scopeLogs!.push({ scope: sl.scope ?? null, schemaUrl: sl.schemaUrl ?? null, logRecords });
    }
  }
  return [...groups].map(([key, resourceLogs]) => ({ key, resourceLogs }));
}

/** The helper's timeout ends an attempt even where the client does not listen for aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

/** Too large → split; the client says when a retry can help; authentication, certificate and configuration mistakes cannot. */
export function classifyKafkaError(error: unknown): SendResult {
  const all = kafkaFailures(error);
  const reason = kafkaFailureReason(error);
  if (all.some((e) => /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/.test(`${e.apiCode ?? ''} ${e.message}`))) return { kind: 'too_large', reason };
  if (all.some((e) => /AUTHENTICATION|AUTHORIZATION|SASL/.test(`${e.code ?? ''} ${e.apiCode ?? ''}`))) return { kind: 'permanent', reason };
  if (all.some((e) => TLS_TRUST_CODES.test(e.code ?? ''))) return { kind: 'permanent', reason };
  if (all.some((e) => e.canRetry === false && /PROTOCOL|USER/.test(e.code ?? ''))) return { kind: 'permanent', reason };
  return { kind: 'retryable', reason };
}

export const kafkaExporterFactory: ExporterFactory<KafkaExporterConfig> = {
  kind: 'exporter',
  type: 'kafka',
  defaultConfig: () => ({
    ...defaultKafkaConnection(),
    partition_logs_by_pattern: false,
    pattern_attribute: 'logsift.pattern.id',
    producer: { required_acks: -1, compression: 'none', max_message_bytes: 1_000_000 },
    ...helperDefaults(true),
  }),
  validate: (config) => [...checkSchema(config), ...kafkaConnectionProblems(config)],
  create: (settings, config) => new HelperExporter(settings, helperSettings(config), new KafkaTransport(config)),
};
