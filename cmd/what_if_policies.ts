// The policies of `logsift analyze`'s what-ifs: a policy file's, and what one round of the tuner (its
// configured provider: the built-in rules by default) would set for each service.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { parse } from 'yaml';
import { mergeDefaults } from '../config/merge.js';
import { realClock, type Clock } from '../pipeline/clock.js';
import type { LogsiftConfig } from '../pipeline/load_config.js';
import type { FactoryRegistry } from '../pipeline/registry.js';
import { Telemetry } from '../pipeline/telemetry.js';
import type { Policy } from '../policy/policy.js';
import { servicePolicy, validateSamplerConfig, type SamplerConfig } from '../processors/sampler/config.js';
import type { TunerConfig } from '../tuner/config.js';
import { Tuner } from '../tuner/tuner.js';
import type { OfflinePipeline } from './offline_pipeline.js';

/** Each service's policy under a sampler config. */
export function policiesFor(sampler: SamplerConfig, services: readonly string[]): Policy[] {
  return services.map((service) => ({ ...servicePolicy(sampler, service), service }));
}

/**
 * A policy file: the sampler's `policy:` and `services:` blocks (YAML or JSON), which replace the config's;
 * a file with neither key is a `policy:` block. Returns the sampler config it makes, or every problem.
 */
export function samplerWithPolicyFile(file: string, sampler: SamplerConfig): SamplerConfig | string[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return [`${file}: ${(error as Error).message}`];
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [`${file}: a policy file is a mapping (policy: and services:, or a policy block)`];
  const blocks = doc as Record<string, unknown>;
  const whole = 'policy' in blocks || 'services' in blocks;
  const extra = whole ? Object.keys(blocks).filter((k) => k !== 'policy' && k !== 'services') : [];
  if (extra.length > 0) return [`${file}: unknown keys ${extra.join(', ')} (a policy file holds policy: and services:)`];
  const variant = {
    ...sampler,
    policy: mergeDefaults(sampler.policy, whole ? blocks.policy : blocks) as Policy,
    services: ((whole ? blocks.services : undefined) ?? {}) as Record<string, Partial<Policy>>,
  } as SamplerConfig;
  const problems = validateSamplerConfig(variant);
  return problems.length > 0 ? problems.map((p) => `${file}: ${p.path}: ${p.message}`) : variant;
}

/**
 * One dry tuner round per service over the replay's tape: the candidate where its guard and replay gate
 * let it in; otherwise the policy in force stays, as the tuner would leave it, and the reason is noted.
 */
export async function tunerPolicies(offline: OfflinePipeline, config: LogsiftConfig, registry: FactoryRegistry, sampler: SamplerConfig): Promise<{ policies: Policy[]; notes: string[]; provider: string }> {
  const entry = [...config.extensions.values()].find((e) => e.type === 'tuner');
  const tunerConfig = (entry?.config ?? registry.get('extension', 'tuner')!.defaultConfig()) as TunerConfig;
  // The traffic's time (the tape ends at its last record); a provider's waits and timeouts are real.
  const clock: Clock = { now: () => offline.clock.now(), setTimeout: realClock.setTimeout, clearTimeout: realClock.clearTimeout };
  const tuner = new Tuner(tunerConfig, { clock, logger: pino({ level: 'warn' }, pino.destination(2)), telemetry: new Telemetry(), store: offline.store, policies: offline.policies, daemonShared: offline.daemonShared });
  const traffic = tuner.traffic();
  if (!traffic) return { policies: [], notes: ['the sampler keeps no tape (sampler.tape.enabled: false): the tuner has nothing to read'], provider: tunerConfig.provider };
  const policies: Policy[] = [];
  const notes: string[] = [];
  for (const service of traffic.services().sort()) {
    const outcome = await tuner.round(service, true);
    const current = offline.policies.get(service) ?? { ...servicePolicy(sampler, service), service };
    if (outcome?.accepted && outcome.candidate) {
      policies.push(outcome.candidate);
      notes.push(`${service}: ${outcome.reasoning || outcome.reason}`);
    } else {
      policies.push(current);
      notes.push(`${service}: no change — ${outcome?.failure ?? outcome?.reason ?? 'no round'}`);
    }
  }
  return { policies, notes, provider: tunerConfig.provider };
}
