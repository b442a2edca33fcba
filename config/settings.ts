// Daemon-level settings (data dir, telemetry port, log level, limits) live under `service:` in the YAML and
// are loaded with convict, so each can be overridden by a LOGSIFT_* environment variable.
import convict from 'convict';
import type { SyncPolicy } from '../store/store.js';
import { LOG_LEVELS, type LogLevel } from '../pipeline/logger.js';
import { parseDuration } from './duration.js';
import { parseEndpoint } from './endpoint.js';

convict.addFormat({
  name: 'duration',
  validate(value: unknown) {
    if (typeof value !== 'string' || parseDuration(value) === undefined) throw new Error('must be a duration such as 500ms, 30s or 5m');
  },
});
convict.addFormat({
  name: 'endpoint',
  validate(value: unknown) {
    if (typeof value !== 'string' || !parseEndpoint(value)) throw new Error('must be host:port, e.g. 127.0.0.1:13133');
  },
});
convict.addFormat({
  name: 'positive-int',
  coerce: (v: unknown) => (typeof v === 'string' ? Number(v) : v),
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new Error('must be an integer > 0');
  },
});

export const SETTINGS_SCHEMA = {
  data_dir: {
    doc: 'Directory for the daemon state (queues, catalog, default file output).',
    format: String,
    default: './data',
    env: 'LOGSIFT_DATA_DIR',
  },
  shutdown_timeout: {
    doc: 'How long SIGINT/SIGTERM waits for in-flight data to reach the exporters before exiting.',
    format: 'duration',
    default: '30s',
    env: 'LOGSIFT_SHUTDOWN_TIMEOUT',
  },
  storage: {
    sync: {
      doc: 'What a committed queue write survives: full (power loss), normal (process crash), off (neither).',
      format: ['full', 'normal', 'off'],
      default: 'full',
      env: 'LOGSIFT_STORAGE_SYNC',
    },
  },
  limits: {
    max_inflight_records: {
      doc: 'Records accepted but not yet acknowledged by every exporter; past it receivers refuse (429 / RESOURCE_EXHAUSTED).',
      format: 'positive-int',
      default: 100_000,
      env: 'LOGSIFT_MAX_INFLIGHT_RECORDS',
    },
    max_inflight_bytes: {
      doc: 'Request bytes (as received) in flight; past it receivers refuse.',
      format: 'positive-int',
      default: 128 * 1024 * 1024,
      env: 'LOGSIFT_MAX_INFLIGHT_BYTES',
    },
    retry_after: {
      doc: 'The retry hint given with a refusal.',
      format: 'duration',
      default: '1s',
      env: 'LOGSIFT_RETRY_AFTER',
    },
  },
  telemetry: {
    logs: {
      level: { doc: 'The daemon log level.', format: [...LOG_LEVELS], default: 'info', env: 'LOGSIFT_LOG_LEVEL' },
    },
    metrics: {
      address: {
        doc: 'Where /metrics, /healthz and /readyz are served.',
        format: 'endpoint',
        default: '127.0.0.1:13133',
        env: 'LOGSIFT_TELEMETRY_ADDRESS',
      },
    },
  },
};

export interface DaemonSettings {
  dataDir: string;
  storageSync: SyncPolicy;
  shutdownTimeoutMs: number;
  maxInflightRecords: number;
  maxInflightBytes: number;
  retryAfterSeconds: number;
  logLevel: LogLevel;
  telemetryAddress: string;
}

interface RawSettings {
  data_dir: string;
  storage: { sync: SyncPolicy };
  shutdown_timeout: string;
  limits: { max_inflight_records: number; max_inflight_bytes: number; retry_after: string };
  telemetry: { logs: { level: LogLevel }; metrics: { address: string } };
}

/** Settings from `service:` (minus pipelines/extensions) with LOGSIFT_* overrides; errors are dotted paths. */
export function loadSettings(
  fromFile: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): { settings?: DaemonSettings; problems: { path: string; message: string }[] } {
  const config = convict<RawSettings>(SETTINGS_SCHEMA as convict.Schema<RawSettings>, { env: { ...env }, args: [] });
  try {
    config.load(fromFile);
    config.validate({ allowed: 'warn', output: () => undefined });
  } catch (error) {
    const problems = String((error as Error).message)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const colon = line.indexOf(':');
        return { path: `service.${line.slice(0, colon).trim()}`, message: line.slice(colon + 1).trim() };
      });
    return { problems };
  }
  const raw = config.getProperties();
  return {
    problems: [],
    settings: {
      dataDir: raw.data_dir,
      storageSync: raw.storage.sync,
      shutdownTimeoutMs: parseDuration(raw.shutdown_timeout)!,
      maxInflightRecords: raw.limits.max_inflight_records,
      maxInflightBytes: raw.limits.max_inflight_bytes,
      retryAfterSeconds: Math.max(1, Math.ceil(parseDuration(raw.limits.retry_after)! / 1000)),
      logLevel: raw.telemetry.logs.level,
      telemetryAddress: raw.telemetry.metrics.address,
    },
  };
}
