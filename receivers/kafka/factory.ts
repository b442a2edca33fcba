// The `kafka` receiver: OTLP log requests from a topic (`otlp_proto` or `otlp_json`, as a Collector's kafka
// exporter writes them) into the pipelines, at least once. A message's offset is committed only after every
// record in it was accepted by every exporter (queued durably, with a persistent queue) — by a contiguous
// per-partition watermark (watermark.ts), every `commit_interval` and at shutdown. A pipeline that refuses
// (backpressure) is offered the message again after its retry hint; one that fails is retried with backoff
// for as long as it takes (the partition waits: nothing is committed past it). A message that is not OTLP is
// counted, logged and passed over (it can never be delivered, and must not block its partition). Consumer
// groups use Kafka's consumer protocol (KIP-848: the broker assigns partitions incrementally, so members
// that keep theirs go on consuming through a rebalance); `classic` for brokers before 4.0.
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import { duration, type Duration } from '../../config/duration.js';
import {
  KAFKA_CONNECTION_PROPERTIES,
  defaultKafkaConnection,
  kafkaClientOptions,
  kafkaFailureReason,
  kafkaConnectionProblems,
  type KafkaConnectionConfig,
} from '../../config/kafka_connection.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import { Backoff } from '../../pipeline/backoff.js';
import { sleep } from '../../pipeline/clock.js';
import type { CreateSettings, LogsIntake, Receiver, ReceiverFactory } from '../../pipeline/component.js';
import { decodeExportRequest, type PbExportRequest } from '../../proto/otlp.js';
import { readJsonExportRequest } from '../../proto/otlp_json.js';
import { checkRecords } from '../otlp/record_check.js';
import { PartitionWatermarks } from './watermark.js';

export interface KafkaReceiverConfig extends Omit<KafkaConnectionConfig, 'logs'> {
  /** `topics` is the Collector's receiver key since it reads several; when given it wins over `topic`. */
  logs: KafkaConnectionConfig['logs'] & { topics: string[] };
  group_id: string;
  /** Where a group with no committed offset starts: `latest` (the Collector's default) or `earliest`. */
  initial_offset: 'latest' | 'earliest';
  group_protocol: 'consumer' | 'classic';
  /** Messages handed to the pipelines and not yet accepted; past it the consumer pauses. */
  max_in_flight_messages: number;
  commit_interval: Duration;
  /** While the pipelines fail a message: waits between tries, doubling up to `max_interval`. */
  retry: { initial_interval: Duration; max_interval: Duration };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...KAFKA_CONNECTION_PROPERTIES,
    logs: {
      ...KAFKA_CONNECTION_PROPERTIES.logs,
      properties: { ...KAFKA_CONNECTION_PROPERTIES.logs.properties, topics: { type: 'array', items: KAFKA_CONNECTION_PROPERTIES.logs.properties.topic } },
    },
    group_id: { type: 'string', minLength: 1 },
    initial_offset: { enum: ['latest', 'earliest'] },
    group_protocol: { enum: ['consumer', 'classic'] },
    max_in_flight_messages: { type: 'integer', minimum: 1, maximum: 100_000 },
    commit_interval: DURATION_SCHEMA,
    retry: { type: 'object', additionalProperties: false, properties: { initial_interval: DURATION_SCHEMA, max_interval: DURATION_SCHEMA } },
  },
};
const checkSchema = compileConfigSchema(schema);

/** The topics consumed: `logs.topics` when given, else `logs.topic`. */
const topicsOf = (config: KafkaReceiverConfig) => (config.logs.topics.length > 0 ? config.logs.topics : [config.logs.topic]);

type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** A commit not answered by then counts as failed, so one lost answer cannot stop all later commits. */
const COMMIT_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class KafkaReceiver implements Receiver {
  readonly #watermarks = new PartitionWatermarks<KafkaMessage>();
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #metrics;
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #commitTimer: unknown;
  #reading: Promise<void> | undefined;
  /** Per partition, the newest offset handed on. */
  readonly #highest = new Map<string, bigint>();
  #ownedFrom: unknown = null;
  #ownedSet = new Set<string>();
  #lag = 0;
  #failingSince: number | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: KafkaReceiverConfig,
    private readonly intake: LogsIntake,
  ) {
    const { telemetry } = settings;
    this.#metrics = {
      messages: telemetry.counter({ name: 'logsift_kafka_receiver_messages_total', help: 'Kafka messages read, by outcome: accepted, malformed (not OTLP: passed over).', labelNames: ['receiver', 'outcome'] as const }),
      commits: telemetry.counter({ name: 'logsift_kafka_receiver_commits_total', help: 'Offsets committed (one per partition per commit), by outcome: ok, failed.', labelNames: ['receiver', 'outcome'] as const }),
    };
    telemetry.gauge({ name: 'logsift_kafka_receiver_lag_messages', help: 'Messages in the consumed partitions not yet committed by the group (last lag check).', read: () => this.#lag });
  }

  async start(): Promise<void> {
    const { config } = this;
    const group = config.group_protocol === 'consumer' ? { groupProtocol: 'consumer' as const } : { groupProtocol: 'classic' as const, sessionTimeout: 10_000, heartbeatInterval: 1_000 };
    this.#consumer = new Consumer({ ...kafkaClientOptions(config), groupId: config.group_id, ...group });
    // A small read-ahead: what is fetched but not yet handed on may belong to a partition a rebalance moves.
    try {
      this.#stream = await this.#consumer.consume({ topics: topicsOf(config), mode: 'committed', fallbackMode: config.initial_offset, autocommit: false, highWaterMark: config.max_in_flight_messages });
    } catch (error) {
      const consumer = this.#consumer;
      this.#consumer = undefined;
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
      throw new Error(`the kafka receiver cannot consume ${topicsOf(config).join(',')} from ${config.brokers.join(',')}: ${kafkaFailureReason(error)}`);
    }
    this.#reading = this.#read(this.#stream);
    this.#consumer.on('consumer:lag', (lag) => {
      let total = 0;
      for (const partitions of lag.values()) for (const n of partitions) total += Math.max(0, Number(n));
      this.#lag = total;
    });
    this.#consumer.startLagMonitoring({ topics: topicsOf(config) }, 5_000);
    this.#scheduleCommit();
    this.settings.logger.info({ topics: topicsOf(config), group: config.group_id, brokers: config.brokers }, 'kafka receiver consuming');
  }

  /** Pulls messages (the stream fetches as they are taken) while fewer than the bound are in flight. */
  async #read(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    try {
      for await (const message of stream) {
        if (this.#stop.signal.aborted) break;
        const partition = `${message.topic}:${message.partition}`;
        // Fetched before a rebalance moved its partition away: its new owner reads it from the last commit.
        if (!this.#owned().has(partition)) continue;
        // A partition newly this member's starts after the group's last commit, whatever the client fetched.
        if (!this.#highest.has(partition)) await this.#startFromCommit(message.topic, message.partition, partition);
        // After a rebalance the client may read a partition it keeps again from the last commit: what this
        // member already handed on is skipped rather than delivered twice.
        const highest = this.#highest.get(partition);
        if (highest !== undefined && message.offset <= highest) continue;
        this.#highest.set(partition, message.offset);
        this.#receive(partition, message);
        while (this.#inFlight.size >= this.config.max_in_flight_messages) await Promise.race(this.#inFlight);
      }
    } catch (error) {
      if (!this.#stop.signal.aborted) this.settings.logger.error({ err: error }, 'the kafka consumer stopped reading; restart the daemon to read again');
    }
  }

  /** The partitions this member owns; those it lost are forgotten (if one comes back, it starts from its commit). */
  #owned(): Set<string> {
    const assignments = this.#consumer?.assignments ?? null;
    if (assignments !== this.#ownedFrom) {
      this.#ownedFrom = assignments;
      this.#ownedSet = new Set((assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)));
      for (const partition of [...this.#highest.keys()]) {
        if (this.#ownedSet.has(partition)) continue;
        this.#highest.delete(partition);
        this.#watermarks.drop(partition);
      }
    }
    return this.#ownedSet;
  }

  async #startFromCommit(topic: string, partitionNumber: number, partition: string): Promise<void> {
    try {
      const committed = await this.#consumer!.listCommittedOffsets({ topics: [{ topic, partitions: [partitionNumber] }] });
      // This client commits a message's own offset (and resumes after it): -1 when nothing was committed.
      const last = committed.get(topic)?.[partitionNumber] ?? -1n;
      if (last >= 0n) this.#highest.set(partition, last);
    } catch (error) {
      this.settings.logger.warn({ err: error, partition }, 'could not read the group\'s commit for a partition; taking what the client fetches');
    }
  }

  #receive(partition: string, message: KafkaMessage): void {
    const entry = this.#watermarks.start(partition, message);
    const tracked: Promise<void> = this.#handle(message)
      .then((done) => {
        if (done) this.#watermarks.finish(partition, entry);
      })
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** True once the message's records were accepted (or it was passed over); false when given up at shutdown. */
  async #handle(message: KafkaMessage): Promise<boolean> {
    const { telemetry, id, logger, clock } = this.settings;
    let request: PbExportRequest;
    try {
      request = this.config.logs.encoding === 'otlp_json' ? readJsonExportRequest(message.value.toString('utf8')) : decodeExportRequest(message.value);
    } catch (error) {
      this.#metrics.messages.inc({ receiver: id, outcome: 'malformed' });
      logger.warn({ topic: message.topic, partition: message.partition, offset: String(message.offset), reason: (error as Error).message }, `a kafka message is not ${this.config.logs.encoding}; passed over`);
      return true;
    }
    const resourceLogs = request.resourceLogs ?? [];
    const checked = checkRecords(resourceLogs);
    if (checked.rejected > 0) telemetry.receiverRefused.inc({ receiver: id, transport: 'kafka', reason: 'invalid_record' }, checked.rejected);
    const backoff = new Backoff({ initialIntervalMs: this.config.retry.initial_interval.ms, maxIntervalMs: this.config.retry.max_interval.ms, multiplier: 2, randomizationFactor: 0.2 });
    for (;;) {
      if (this.#stop.signal.aborted) return false;
      const result = await this.intake.submit(resourceLogs, checked.accepted, message.value.byteLength);
      if (result.kind === 'accepted') {
        telemetry.receiverAccepted.inc({ receiver: id, transport: 'kafka' }, checked.accepted);
        this.#metrics.messages.inc({ receiver: id, outcome: 'accepted' });
        if (this.#failingSince !== undefined) logger.info({ failed_for_ms: clock.now() - this.#failingSince }, 'the pipelines accept kafka messages again');
        this.#failingSince = undefined;
        return true;
      }
      const reason = result.kind === 'refused' ? result.cause : 'export_failed';
      telemetry.receiverRefused.inc({ receiver: id, transport: 'kafka', reason }, checked.accepted);
      if (result.kind === 'failed' && this.#failingSince === undefined) {
        this.#failingSince = clock.now();
        logger.error({ reason: result.reason, permanent: result.permanent }, 'the pipelines fail kafka messages; retrying, and committing nothing past them until they pass');
      }
      const wait = result.kind === 'refused' ? result.retryAfterSeconds * 1000 : backoff.next();
      try {
        await sleep(clock, wait, this.#stop.signal);
      } catch {
        return false;
      }
    }
  }

  #scheduleCommit(): void {
    this.#commitTimer = this.settings.clock.setTimeout(() => {
      void this.#commit().finally(() => {
        if (!this.#stop.signal.aborted) this.#scheduleCommit();
      });
    }, this.config.commit_interval.ms);
  }

  async #commit(): Promise<void> {
    const { id, logger } = this.settings;
    for (const message of this.#watermarks.takeCommittable()) {
      try {
        await withTimeout(message.commit() as Promise<void>, COMMIT_TIMEOUT_MS, 'the commit was not answered');
        this.#metrics.commits.inc({ receiver: id, outcome: 'ok' });
      } catch (error) {
        // Most often the partition moved to another member in a rebalance: it goes on from the last commit.
        this.#metrics.commits.inc({ receiver: id, outcome: 'failed' });
        logger.warn({ err: error, topic: message.topic, partition: message.partition, offset: String(message.offset) }, 'an offset commit failed; its records may be read again');
      }
    }
  }

  async shutdown(): Promise<void> {
    this.#stop.abort(new Error('stopping'));
    if (this.#commitTimer !== undefined) this.settings.clock.clearTimeout(this.#commitTimer);
    // What was accepted is committed; what was not stays uncommitted and is read again by the next owner.
    await Promise.all(this.#inFlight);
    await this.#commit();
    this.#consumer?.stopLagMonitoring();
    const stream = this.#stream;
    if (stream) await new Promise<void>((resolve) => stream.close(() => resolve()));
    await this.#reading;
    const consumer = this.#consumer;
    if (consumer) await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    this.#stream = undefined;
    this.#consumer = undefined;
  }
}

export const kafkaReceiverFactory: ReceiverFactory<KafkaReceiverConfig> = {
  kind: 'receiver',
  type: 'kafka',
  defaultConfig: () => {
    const connection = defaultKafkaConnection();
    return {
      ...connection,
      logs: { ...connection.logs, topics: [] },
      group_id: 'logsift',
      initial_offset: 'latest',
      group_protocol: 'consumer',
      max_in_flight_messages: 64,
      commit_interval: duration('1s'),
      retry: { initial_interval: duration('1s'), max_interval: duration('30s') },
    };
  },
  validate: (config) => [...checkSchema(config), ...kafkaConnectionProblems(config)],
  create: (settings, config, intake) => new KafkaReceiver(settings, config, intake),
};
