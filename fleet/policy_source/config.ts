// The `policy_source` extension's config: which gateway a sidecar follows, for which services, how long each
// long-poll waits and how it backs off while the gateway is away.
import { hostname } from 'node:os';
import { duration, type Duration } from '../../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import type { ConfigProblem } from '../../pipeline/component.js';

export interface PolicySourceConfig {
  /** The gateway's telemetry server (its control API), e.g. http://logsift-gateway:13133. */
  endpoint: string;
  /** The bearer token (or JWT) a gateway with `service.auth` wants: scopes policies:read and policies:write. */
  token: string;
  /** The services to follow; empty: every service this instance's sampler meets. */
  services: string[];
  /** How long the gateway holds each poll open when nothing changed. */
  wait: Duration;
  /** This instance's name in the gateway's status list; the host name when empty. */
  instance: string;
  /** While the gateway is away: waits between tries, doubling from `initial_interval` up to `max_interval`. */
  retry: { initial_interval: Duration; max_interval: Duration };
  /** The sampler's completed windows, reported to the gateway (`POST /api/v1/patterns/stats`) every `interval`. */
  report: { enabled: boolean; interval: Duration; /** Windows held while the gateway is away. */ max_backlog: number };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', pattern: '^https?://' },
    token: { type: 'string' },
    services: { type: 'array', items: { type: 'string', minLength: 1 } },
    wait: DURATION_SCHEMA,
    instance: { type: 'string', maxLength: 256 },
    retry: { type: 'object', additionalProperties: false, properties: { initial_interval: DURATION_SCHEMA, max_interval: DURATION_SCHEMA } },
    report: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' }, interval: DURATION_SCHEMA, max_backlog: { type: 'integer', minimum: 1 } } },
  },
};

const checkSchema = compileConfigSchema(schema);

export function validatePolicySourceConfig(config: PolicySourceConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  if (config.endpoint === '') problems.push({ path: 'endpoint', message: 'is required: the gateway\'s telemetry server, e.g. http://logsift-gateway:13133' });
  if (config.wait.ms < 1000) problems.push({ path: 'wait', message: 'must be at least 1s' });
  if (config.report.interval.ms < 1000) problems.push({ path: 'report.interval', message: 'must be at least 1s' });
  return problems;
}

export function defaultPolicySourceConfig(): PolicySourceConfig {
  return {
    endpoint: '',
    token: '',
    services: [],
    wait: duration('30s'),
    instance: '',
    retry: { initial_interval: duration('1s'), max_interval: duration('30s') },
    report: { enabled: true, interval: duration('10s'), max_backlog: 100_000 },
  };
}

export const instanceName = (config: PolicySourceConfig) => config.instance || hostname();
