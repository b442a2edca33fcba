// The otlp receiver's config, in the Collector's keys: a protocol is enabled by being listed.
import { compileConfigSchema } from '../../config/schema_validator.js';
import { isMapping, mergeDefaults } from '../../config/merge.js';
import type { ConfigProblem } from '../../pipeline/component.js';
import { TLS_SCHEMA, checkTlsFiles, type TlsSettings } from '../../security/tls.js';
import { CORS_SCHEMA, type CorsSettings } from '../../security/cors.js';

/** What the Collector's confighttp / configgrpc servers take besides their endpoint: TLS and an authenticator. */
export interface ServerSecurity {
  tls?: TlsSettings;
  /** The id of an authenticator extension (bearertokenauth) every request must pass. */
  auth?: { authenticator: string };
}

export interface GrpcConfig extends ServerSecurity {
  endpoint: string;
  max_recv_msg_size_mib: number;
}

export interface HttpConfig extends ServerSecurity {
  endpoint: string;
  /** Browsers of these origins may post logs (the Collector's confighttp `cors`); none when unset. */
  cors?: CorsSettings;
  logs_url_path: string;
  /** Bytes, checked on the wire and again after decompression (the Collector's confighttp key). */
  max_request_body_size: number;
}

export interface OtlpReceiverConfig {
  protocols: { grpc?: GrpcConfig; http?: HttpConfig };
  /** Records per second per sender (its token, else its address), both protocols together; none when unset. */
  ingest_limit?: { records_per_second: number; burst: number };
}

export const GRPC_DEFAULTS: GrpcConfig = { endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4 };
export const HTTP_DEFAULTS: HttpConfig = { endpoint: '127.0.0.1:4318', logs_url_path: '/v1/logs', max_request_body_size: 20 * 1024 * 1024 };

const AUTH_SCHEMA = { type: 'object', additionalProperties: false, required: ['authenticator'], properties: { authenticator: { type: 'string', minLength: 1 } } };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['protocols'],
  properties: {
    ingest_limit: { type: 'object', additionalProperties: false, required: ['records_per_second', 'burst'], properties: { records_per_second: { type: 'number', exclusiveMinimum: 0 }, burst: { type: 'integer', minimum: 1 } } },
    protocols: {
      type: 'object',
      additionalProperties: false,
      properties: {
        grpc: {
          type: 'object',
          additionalProperties: false,
          properties: {
            endpoint: { type: 'string', format: 'endpoint' },
            max_recv_msg_size_mib: { type: 'integer', minimum: 1, maximum: 2047 },
            tls: TLS_SCHEMA,
            auth: AUTH_SCHEMA,
          },
        },
        http: {
          type: 'object',
          additionalProperties: false,
          properties: {
            endpoint: { type: 'string', format: 'endpoint' },
            logs_url_path: { type: 'string', pattern: '^/' },
            max_request_body_size: { type: 'integer', minimum: 1 },
            cors: CORS_SCHEMA,
            tls: TLS_SCHEMA,
            auth: AUTH_SCHEMA,
          },
        },
      },
    },
  },
};

const checkSchema = compileConfigSchema(schema);

export function resolveOtlpConfig(user: unknown): OtlpReceiverConfig {
  const protocols = isMapping(user) && isMapping(user.protocols) ? user.protocols : undefined;
  if (!isMapping(user)) return { protocols: { grpc: { ...GRPC_DEFAULTS }, http: { ...HTTP_DEFAULTS } } };
  if (!protocols) return user as unknown as OtlpReceiverConfig;
  const resolved: Record<string, unknown> = { ...protocols };
  if ('grpc' in protocols) resolved.grpc = mergeDefaults(GRPC_DEFAULTS, protocols.grpc);
  if ('http' in protocols) resolved.http = mergeDefaults(HTTP_DEFAULTS, protocols.http);
  return { ...user, protocols: resolved } as unknown as OtlpReceiverConfig;
}

export function validateOtlpConfig(config: OtlpReceiverConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length === 0 && !config.protocols.grpc && !config.protocols.http) {
    problems.push({ path: 'protocols', message: 'enable at least one protocol (grpc or http)' });
  }
  if (problems.length > 0) return problems;
  for (const protocol of ['grpc', 'http'] as const) {
    const tls = config.protocols[protocol]?.tls;
    if (tls) problems.push(...checkTlsFiles(tls, `protocols.${protocol}.tls`));
  }
  return problems;
}
