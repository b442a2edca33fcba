// The built-in default policy, in a module of its own: the JavaScript SDK bundles it without the schema's validator.
import type { Policy } from './policy.js';

/**
 * The policy every service starts with: keep what matters, little of the chatter — 5% of the records in all,
 * errors and each pattern's first record in every window included, the rest shared out so that quiet patterns
 * keep most of theirs and the loudest give up most. (The static rates apply if a policy switches to static.)
 */
export function defaultPolicy(service = '*'): Policy {
  return {
    service,
    version: 0,
    mode: 'dynamic',
    severity_keep: { UNSPECIFIED: 0.1, TRACE: 0.01, DEBUG: 0.02, INFO: 0.1, WARN: 0.5, ERROR: 1, FATAL: 1 },
    pattern_keep: {},
    budget: { records_per_second: null, bytes_per_second: null, keep_fraction: 0.05, scope: 'service' },
    first_k_per_window: 1,
    keep_rules: [],
    anomaly_boost: { keep: 1, cooldown_seconds: 60 },
    reasoning: 'built-in default',
  };
}
