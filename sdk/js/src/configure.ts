// One call to sample at the source: a LoggerProvider for the service whose records go through the source
// sampler to the app's OTLP exporter (OTLP over HTTP by default; the OTEL_EXPORTER_OTLP_* settings apply),
// the policy followed from logsift's control API, and the windows reported back to it.
import type { Logger } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Policy } from '../../../policy/policy.js';
import { PolicyFollower, type PolicyCache } from './policy_follower.js';
import { randomHex } from './random_id.js';
import { LogsiftLogRecordProcessor } from './processor.js';
import { SourceSampler, type SourceSamplerOptions } from './source_sampler.js';
import { StatsReporter } from './stats_reporter.js';

export interface ConfigureOptions extends SourceSamplerOptions {
  service: string;
  /** logsift's control API (its telemetry server). */
  endpoint?: string;
  /** Where kept records go; OTLP over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (else localhost:4318) by default. */
  exporter?: LogRecordExporter;
  /** Sent to the control API (a bearer token, when it asks for one). */
  headers?: Record<string, string>;
  /** This process's name in logsift's fleet view. */
  instance?: string;
  resourceAttributes?: Record<string, string | number | boolean>;
  policyCache?: PolicyCache;
  waitSeconds?: number;
  reportIntervalMs?: number;
  /** Told each problem (the SDK never throws them into the application). */
  onError?(error: string): void;
  /** Told each policy put in force (from logsift, or the cache at start). */
  onPolicy?(policy: Policy): void;
}

export interface Logsift {
  provider: LoggerProvider;
  logger: Logger;
  sampler: SourceSampler;
  follower: PolicyFollower;
  reporter: StatsReporter;
  processor: LogsiftLogRecordProcessor;
  /** Reports every window, flushes the exporter and stops following. */
  shutdown(): Promise<void>;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:13133';

export function configure(options: ConfigureOptions): Logsift {
  const endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const instance = options.instance ?? `${options.service}-${randomHex(4)}`;
  const sampler = new SourceSampler(options);
  const processor = new LogsiftLogRecordProcessor(new BatchLogRecordProcessor({ exporter: options.exporter ?? new OTLPLogExporter() }), sampler, options.service);
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ ...options.resourceAttributes, 'service.name': options.service }), processors: [processor] });
  const common = { endpoint, instance, ...(options.headers ? { headers: options.headers } : {}), ...(options.onError ? { onError: options.onError } : {}) };
  const follower = new PolicyFollower({ ...common, service: options.service, apply: (policy) => {
      sampler.setPolicy(policy);
      try {
        options.onPolicy?.(policy);
      } catch {
        // The application's callback: its failure is not the policy's.
      }
    }, ...(options.policyCache ? { cache: options.policyCache } : {}), ...(options.waitSeconds ? { waitSeconds: options.waitSeconds } : {}) });
  const reporter = new StatsReporter({ ...common, sampler, ...(options.reportIntervalMs ? { intervalMs: options.reportIntervalMs } : {}) });
  follower.start();
  reporter.start();
  return {
    provider,
    logger: provider.getLogger('logsift'),
    sampler,
    follower,
    reporter,
    processor,
    async shutdown() {
      await provider.forceFlush();
      await Promise.all([follower.stop(), reporter.stop()]);
      await provider.shutdown();
    },
  };
}
