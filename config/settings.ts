// Daemon-level settings (data dir, telemetry port, log level, limits) live under `service:` in the YAML,
// checked by the same JSON Schema validator as every component's block (one validator for the whole tree),
// and each can be overridden by a LOGSIFT_* environment variable. Durations come out in milliseconds.
import { duration, type Duration } from './duration.js';
import { isMapping, mergeDefaults } from './merge.js';
import { DURATION_SCHEMA, compileConfigSchema } from './schema_validator.js';
import { ControlAuth, type AuthConfig } from '../security/control_auth.js';
import type { RateLimitConfig } from '../security/rate_limit.js';
import { TLS_SCHEMA, checkTlsFiles, type TlsSettings } from '../security/tls.js';
import { CORS_SCHEMA, type CorsSettings } from '../security/cors.js';
import { TRACES_SCHEMA, type TracesSettings } from './traces_settings.js';

/** `service.telemetry.logs.otlp`: an OTLP/HTTP logs endpoint (the full URL) for the daemon's own log lines. */
export interface LogsOtlpSettings {
  endpoint: string;
  headers?: Record<string, string>;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** What a committed queue write survives: power loss, a process crash, or neither. */
export type SyncPolicy = 'full' | 'normal' | 'off';

const POSITIVE_INT = { type: 'integer', exclusiveMinimum: 0 } as const;

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    data_dir: { type: 'string', minLength: 1 },
    shutdown_timeout: DURATION_SCHEMA,
    storage: { type: 'object', additionalProperties: false, properties: { sync: { enum: ['full', 'normal', 'off'] } } },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { max_inflight_records: POSITIVE_INT, max_inflight_bytes: POSITIVE_INT, retry_after: DURATION_SCHEMA },
    },
    rate_limit: { type: 'object', additionalProperties: false, properties: { per_second: { type: 'number', minimum: 0 }, burst: { type: 'integer', minimum: 1 } } },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tokens_file: { type: 'string' },
        jwt: {
          type: 'object',
          additionalProperties: false,
          properties: {
            secret: { type: 'string' },
            public_key_file: { type: 'string' },
            jwks_url: { type: 'string', pattern: '^(https?://.*)?$' },
            issuer: { type: 'string' },
            audience: { type: 'string' },
            algorithms: { type: 'array', items: { enum: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] } },
          },
        },
        metrics: { enum: ['open', 'protected'] },
      },
    },
    telemetry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        logs: {
          type: 'object',
          additionalProperties: false,
          properties: {
            level: { enum: [...LOG_LEVELS] },
            otlp: { type: 'object', additionalProperties: false, required: ['endpoint'], properties: { endpoint: { type: 'string', pattern: '^https?://' }, headers: { type: 'object', additionalProperties: { type: 'string' } } } },
          },
        },
        metrics: { type: 'object', additionalProperties: false, properties: { address: { type: 'string', format: 'endpoint' } } },
        tls: TLS_SCHEMA,
        cors: CORS_SCHEMA,
        traces: TRACES_SCHEMA,
      },
    },
  },
};

interface RawSettings {
  data_dir: string;
  storage: { sync: SyncPolicy };
  shutdown_timeout: Duration;
  limits: { max_inflight_records: number; max_inflight_bytes: number; retry_after: Duration };
  telemetry: { logs: { level: LogLevel; otlp?: LogsOtlpSettings }; metrics: { address: string }; tls?: TlsSettings; cors?: CorsSettings; traces?: TracesSettings };
  auth?: Partial<Omit<AuthConfig, 'jwt'>> & { jwt?: Partial<AuthConfig['jwt']> };
  rate_limit: RateLimitConfig;
}

const DEFAULTS: RawSettings = {
  data_dir: './data',
  shutdown_timeout: duration('30s'),
  storage: { sync: 'full' },
  limits: { max_inflight_records: 100_000, max_inflight_bytes: 128 * 1024 * 1024, retry_after: duration('1s') },
  telemetry: { logs: { level: 'info' }, metrics: { address: '127.0.0.1:13133' } },
  // Off: a fleet's sidecars share tokens and addresses, and the right size is the fleet's.
  rate_limit: { per_second: 0, burst: 100 },
};

/** Environment variable → the setting it overrides (dotted, under `service:`), and whether it is a number. */
export const SETTINGS_ENV: Readonly<Record<string, { path: string; integer?: true }>> = {
  LOGSIFT_DATA_DIR: { path: 'data_dir' },
  LOGSIFT_SHUTDOWN_TIMEOUT: { path: 'shutdown_timeout' },
  LOGSIFT_STORAGE_SYNC: { path: 'storage.sync' },
  LOGSIFT_MAX_INFLIGHT_RECORDS: { path: 'limits.max_inflight_records', integer: true },
  LOGSIFT_MAX_INFLIGHT_BYTES: { path: 'limits.max_inflight_bytes', integer: true },
  LOGSIFT_RETRY_AFTER: { path: 'limits.retry_after' },
  LOGSIFT_LOG_LEVEL: { path: 'telemetry.logs.level' },
  LOGSIFT_TELEMETRY_ADDRESS: { path: 'telemetry.metrics.address' },
};

/** The keys `service:` takes besides `pipelines` and `extensions`. */
export const SETTINGS_KEYS = Object.keys(SCHEMA.properties);

export interface DaemonSettings {
  dataDir: string;
  storageSync: SyncPolicy;
  shutdownTimeoutMs: number;
  maxInflightRecords: number;
  maxInflightBytes: number;
  retryAfterSeconds: number;
  logLevel: LogLevel;
  telemetryAddress: string;
  /** Who may use the control API; undefined: anyone who can reach it. */
  auth: AuthConfig | undefined;
  /** HTTPS for the telemetry server (the control API); undefined: plain HTTP. */
  telemetryTls: TlsSettings | undefined;
  /** Browsers of these origins may call the control API (a page's SDK follows its policy); none when undefined. */
  telemetryCors: CorsSettings | undefined;
  /** Where the daemon's own traces go (OTLP/HTTP); off when undefined. */
  telemetryTraces: TracesSettings | undefined;
  /** Where the daemon's own log lines also go, as OTLP logs; only stderr when undefined. */
  logsOtlp: LogsOtlpSettings | undefined;
  /** Requests per client on the control API; per_second 0: no limit (failed authentications are limited anyway). */
  rateLimit: RateLimitConfig;
}

const check = compileConfigSchema(SCHEMA);

function setAt(node: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let at = node;
  for (const key of keys.slice(0, -1)) {
    if (!isMapping(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]!] = value;
}

function authConfig(raw: NonNullable<RawSettings['auth']>): AuthConfig {
  const jwt = raw.jwt ?? {};
  return {
    tokens_file: raw.tokens_file ?? '',
    jwt: { secret: jwt.secret ?? '', public_key_file: jwt.public_key_file ?? '', jwks_url: jwt.jwks_url ?? '', issuer: jwt.issuer ?? '', audience: jwt.audience ?? '', algorithms: jwt.algorithms ?? [] },
    metrics: raw.metrics ?? 'open',
  };
}

/** Settings from `service:` (minus pipelines/extensions) with LOGSIFT_* overrides; errors are dotted paths. */
export function loadSettings(
  fromFile: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): { settings?: DaemonSettings; problems: { path: string; message: string }[] } {
  const node = mergeDefaults(DEFAULTS, fromFile) as Record<string, unknown>;
  const fromEnv = new Map<string, string>();
  for (const [name, { path, integer }] of Object.entries(SETTINGS_ENV)) {
    const value = env[name];
    if (value === undefined) continue;
    // A number that does not parse stays text, so the schema names what it must be.
    setAt(node, path, integer && /^\s*\d+\s*$/.test(value) ? Number(value) : value);
    fromEnv.set(path, name);
  }
  const problems = check(node).map((p) => ({ path: `service.${p.path}`, message: fromEnv.has(p.path) ? `${p.message} (from ${fromEnv.get(p.path)})` : p.message }));
  if (problems.length > 0) return { problems };
  const raw = node as unknown as RawSettings;
  const auth = raw.auth === undefined ? undefined : authConfig(raw.auth);
  if (auth && !auth.tokens_file && !auth.jwt.secret && !auth.jwt.public_key_file && !auth.jwt.jwks_url) {
    return { problems: [{ path: 'service.auth', message: 'says who may use the control API: give tokens_file, or jwt with a secret, a public_key_file or a jwks_url' }] };
  }
  const tlsProblems = raw.telemetry.tls ? checkTlsFiles(raw.telemetry.tls, 'service.telemetry.tls') : [];
  if (tlsProblems.length > 0) return { problems: tlsProblems };
  if (auth) {
    try {
      // Read now, so a missing or broken tokens file or key is a config error, not a failed start.
      new ControlAuth(auth);
    } catch (error) {
      return { problems: [{ path: 'service.auth', message: (error as Error).message }] };
    }
  }
  return {
    problems: [],
    settings: {
      dataDir: raw.data_dir,
      storageSync: raw.storage.sync,
      shutdownTimeoutMs: raw.shutdown_timeout.ms,
      maxInflightRecords: raw.limits.max_inflight_records,
      maxInflightBytes: raw.limits.max_inflight_bytes,
      retryAfterSeconds: Math.max(1, Math.ceil(raw.limits.retry_after.ms / 1000)),
      logLevel: raw.telemetry.logs.level,
      telemetryAddress: raw.telemetry.metrics.address,
      auth,
      rateLimit: raw.rate_limit,
      telemetryTls: raw.telemetry.tls,
      telemetryCors: raw.telemetry.cors,
      telemetryTraces: raw.telemetry.traces,
      logsOtlp: raw.telemetry.logs.otlp,
    },
  };
}
