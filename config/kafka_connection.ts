// What the Kafka receiver and exporter share, in the Collector's words: `brokers`, `client_id`, the topic and
// its encoding under `logs`, and how to connect (`tls`, `sasl`). Encodings are the Collector's names, so a
// Collector's kafka exporter feeds logsift and logsift feeds a Collector's kafka receiver.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { compileConfigSchema } from './schema_validator.js';
import type { ConfigProblem } from './problems.js';

export const KAFKA_ENCODINGS = ['otlp_proto', 'otlp_json'] as const;
export type KafkaEncoding = (typeof KAFKA_ENCODINGS)[number];
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export interface KafkaConnectionConfig {
  brokers: string[];
  client_id: string;
  logs: { topic: string; encoding: KafkaEncoding };
  tls: { enabled: boolean; ca_file: string; cert_file: string; key_file: string; insecure_skip_verify: boolean; server_name: string };
  sasl: { mechanism: '' | (typeof SASL_MECHANISMS)[number]; username: string; password: string };
}

export function defaultKafkaConnection(): KafkaConnectionConfig {
  return {
    brokers: ['localhost:9092'],
    client_id: 'logsift',
    logs: { topic: 'otlp_logs', encoding: 'otlp_proto' },
    tls: { enabled: false, ca_file: '', cert_file: '', key_file: '', insecure_skip_verify: false, server_name: '' },
    sasl: { mechanism: '', username: '', password: '' },
  };
}

/** The schema properties every Kafka component has (merged into its own schema). */
export const KAFKA_CONNECTION_PROPERTIES = {
  brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^:\\s]+:\\d{1,5}$' } },
  client_id: { type: 'string', minLength: 1 },
  logs: {
    type: 'object',
    additionalProperties: false,
    properties: { topic: { type: 'string', minLength: 1, maxLength: 249, pattern: '^[A-Za-z0-9._-]+$' }, encoding: { enum: [...KAFKA_ENCODINGS] } },
  },
  tls: {
    type: 'object',
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      ca_file: { type: 'string' },
      cert_file: { type: 'string' },
      key_file: { type: 'string' },
      insecure_skip_verify: { type: 'boolean' },
      server_name: { type: 'string' },
    },
  },
  sasl: {
    type: 'object',
    additionalProperties: false,
    properties: { mechanism: { enum: ['', ...SASL_MECHANISMS] }, username: { type: 'string' }, password: { type: 'string' } },
  },
} as const;

/** Checks that need more than the schema: a key without its certificate, credentials without a mechanism. */
export function kafkaConnectionProblems(config: KafkaConnectionConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if ((config.tls.cert_file === '') !== (config.tls.key_file === '')) problems.push({ path: 'tls', message: 'cert_file and key_file go together (client certificates)' });
  if (config.sasl.mechanism !== '' && config.sasl.username === '') problems.push({ path: 'sasl.username', message: `is required with mechanism ${config.sasl.mechanism}` });
  return problems;
}

export const checkKafkaConnection = compileConfigSchema({ type: 'object', properties: KAFKA_CONNECTION_PROPERTIES });

/** The client library's connection options: TLS files read once, at start. */
export function kafkaClientOptions(config: KafkaConnectionConfig) {
  const tls: ConnectionOptions | undefined = config.tls.enabled
    ? {
        ...(config.tls.ca_file ? { ca: readFileSync(config.tls.ca_file) } : {}),
        ...(config.tls.cert_file ? { cert: readFileSync(config.tls.cert_file), key: readFileSync(config.tls.key_file) } : {}),
        rejectUnauthorized: !config.tls.insecure_skip_verify,
        ...(config.tls.server_name ? { servername: config.tls.server_name } : {}),
      }
    : undefined;
  return {
    clientId: config.client_id,
    bootstrapBrokers: config.brokers,
    ...(tls ? { tls } : {}),
    ...(config.sasl.mechanism ? { sasl: { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } } : {}),
  };
}

/** One failure of the Kafka client as it reports it: aggregates in `errors`, the underlying one in `cause`. */
export type KafkaFailure = Error & { code?: string; canRetry?: boolean; apiCode?: string; errors?: KafkaFailure[]; cause?: unknown };

/** Node's codes for a certificate the client does not trust (or that does not name the host): not retried. */
export const TLS_TRUST_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * Every failure in the client's error, with the aggregated ones and their causes: the client reports "Cannot
 * connect to any broker" and keeps why (a SASL refusal, an untrusted certificate) a few causes down.
 */
export function kafkaFailures(error: unknown): KafkaFailure[] {
  const out: KafkaFailure[] = [];
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 8 || out.includes(e as KafkaFailure)) return;
    const failure = e as KafkaFailure;
    out.push(failure);
    for (const inner of failure.errors ?? []) walk(inner, depth + 1);
    walk(failure.cause, depth + 1);
  };
  walk(error, 0);
  return out;
}

/** The failure's messages, outermost first, each once: what an operator reads in the log or a dead letter. */
export function kafkaFailureReason(error: unknown): string {
  const messages = kafkaFailures(error).map((e) => (e.message ? `${e.message}${e.code && !e.code.startsWith('PLT_') ? ` (${e.code})` : ''}` : e.code ?? ''));
  return [...new Set(messages.filter(Boolean))].join('; ') || String(error);
}
