// The built-in components, assembled in one place (the Collector's components.go): a new component is one
// line here.
import { debugExporterFactory } from '../exporters/debug/factory.js';
import { fileExporterFactory } from '../exporters/file/factory.js';
import { nopExporterFactory } from '../exporters/nop/factory.js';
import { otlpGrpcExporterFactory } from '../exporters/otlp_grpc/factory.js';
import { otlpHttpExporterFactory } from '../exporters/otlp_http/factory.js';
import { posthogExporterFactory } from '../exporters/posthog/factory.js';
import { batchProcessorFactory } from '../processors/batch/factory.js';
import { anomalyProcessorFactory } from '../processors/anomaly/factory.js';
import { memoryLimiterFactory } from '../processors/memorylimiter/factory.js';
import { rateStatsProcessorFactory } from '../processors/ratestats/factory.js';
import { samplerProcessorFactory } from '../processors/sampler/factory.js';
import { signatureProcessorFactory } from '../processors/signature/factory.js';
import { redactProcessorFactory } from '../processors/redact/factory.js';
import type { Factory } from '../pipeline/component.js';
import { FactoryRegistry } from '../pipeline/registry.js';
import { otlpReceiverFactory } from '../receivers/otlp/factory.js';
import { posthogReceiverFactory } from '../receivers/posthog/factory.js';
import { kafkaReceiverFactory } from '../receivers/kafka/factory.js';
import { kafkaExporterFactory } from '../exporters/kafka/factory.js';
import { tunerExtensionFactory } from '../tuner/factory.js';
import { insightsExtensionFactory } from '../cost/factory.js';
import { consoleExtensionFactory } from '../ui/server/factory.js';
import { policySourceExtensionFactory } from '../fleet/policy_source/factory.js';
import { alertsExtensionFactory } from '../alerts/factory.js';
import { bearerTokenAuthExtensionFactory } from '../security/bearer_token_auth.js';

export const BUILTIN_FACTORIES: readonly Factory[] = [
  otlpReceiverFactory,
  posthogReceiverFactory,
  kafkaReceiverFactory,
  batchProcessorFactory,
  memoryLimiterFactory,
  redactProcessorFactory,
  signatureProcessorFactory,
  rateStatsProcessorFactory,
  samplerProcessorFactory,
  anomalyProcessorFactory,
  fileExporterFactory,
  debugExporterFactory,
  nopExporterFactory,
  posthogExporterFactory,
  otlpHttpExporterFactory,
  otlpGrpcExporterFactory,
  kafkaExporterFactory,
  tunerExtensionFactory,
  insightsExtensionFactory,
  consoleExtensionFactory,
  policySourceExtensionFactory,
  alertsExtensionFactory,
  bearerTokenAuthExtensionFactory,
];

export function builtinRegistry(): FactoryRegistry {
  return new FactoryRegistry(BUILTIN_FACTORIES);
}
