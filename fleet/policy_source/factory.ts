// The `policy_source` extension: a sidecar follows its gateway's policies (fleet/policy_source/follower.ts per
// service) instead of tuning alone. At start the policies applied last are put back from disk, so with the
// gateway away the sidecar samples as it did; the services are the configured ones, or each one this
// instance's sampler meets (looked for every `retry.initial_interval`). Serves what it follows on
//   GET /api/v1/policy_source      endpoint, instance, and per service: source, hash, version, connected,
//                                   last error, last report
import type { CreateSettings, Extension, ExtensionFactory } from '../../pipeline/component.js';
import { sendJson } from '../../pipeline/http_routes.js';
import { SAMPLER_TRAFFIC } from '../../policy/traffic_tape.js';
import { defaultPolicySourceConfig, instanceName, validatePolicySourceConfig, type PolicySourceConfig } from './config.js';
import { ServiceFollower, type FollowerDeps } from './follower.js';
import { LastKnownGood, type KnownPolicy } from './last_known_good.js';

export const POLICY_SOURCE_PATH = '/api/v1/policy_source';

class PolicySourceExtension implements Extension {
  readonly #followers = new Map<string, { follower: ServiceFollower; running: Promise<void> }>();
  readonly #stop = new AbortController();
  readonly #disk: LastKnownGood;
  readonly #deps: FollowerDeps;
  #saved = new Map<string, KnownPolicy>();
  #discovery: unknown;
  #removeRoute: (() => void) | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: PolicySourceConfig,
  ) {
    this.#disk = new LastKnownGood(settings.dataDir, settings.id);
    const outcomes = settings.telemetry.counter({
      name: 'logsift_policy_source_outcomes_total',
      help: 'What following the gateway came to, by outcome: applied, failed (a policy this instance refused), unreachable (a poll that got no answer).',
      labelNames: ['outcome'] as const,
    });
    this.#deps = {
      endpoint: config.endpoint.replace(/\/+$/, ''),
      instance: instanceName(config),
      waitMs: config.wait.ms,
      retry: { initialMs: config.retry.initial_interval.ms, maxMs: config.retry.max_interval.ms },
      board: settings.policies,
      clock: settings.clock,
      logger: settings.logger,
      remember: (service, known) => this.#disk.save(service, known),
      counted: (outcome) => outcomes.inc({ outcome }),
    };
  }

  async start(): Promise<void> {
    try {
      this.#saved = this.#disk.load();
    } catch (error) {
      this.settings.logger.error({ err: error }, 'the policies kept from the last run cannot be read; following the gateway from the config\'s policies');
    }
    for (const service of this.config.services) this.#follow(service);
    // Services not configured but kept from the last run are followed too: they were this sidecar's.
    for (const service of this.#saved.keys()) this.#follow(service);
    if (this.config.services.length === 0) this.#discover();
    this.#removeRoute = this.settings.routes.add(POLICY_SOURCE_PATH, async (req, res) => {
      if (req.method !== 'GET') return sendJson(res, 405, { error: `${req.method} is not allowed here` });
      const services = [...this.#followers.values()].map(({ follower }) => follower.state());
      return sendJson(res, 200, { endpoint: this.#deps.endpoint, instance: this.#deps.instance, services });
    });
  }

  #follow(service: string): void {
    if (this.#followers.has(service)) return;
    const follower = new ServiceFollower(service, this.#deps);
    const known = this.#saved.get(service);
    if (known && !follower.restore(known)) this.settings.logger.warn({ service }, 'the policy kept for this service from the last run is not valid here; left out');
    const running = follower.run(this.#stop.signal).catch((error: unknown) => {
      this.settings.logger.error({ err: error, service }, 'following the gateway stopped unexpectedly for this service');
    });
    this.#followers.set(service, { follower, running });
  }

  /** Every service the sampler has met, followed from the first look after it appeared. */
  #discover(): void {
    if (this.#stop.signal.aborted) return;
    for (const service of this.settings.daemonShared.lookup(SAMPLER_TRAFFIC)?.services() ?? []) this.#follow(service);
    this.#discovery = this.settings.clock.setTimeout(() => this.#discover(), this.config.retry.initial_interval.ms);
  }

  async shutdown(): Promise<void> {
    this.#stop.abort(new Error('stopping'));
    if (this.#discovery !== undefined) this.settings.clock.clearTimeout(this.#discovery);
    this.#removeRoute?.();
    this.#removeRoute = undefined;
    await Promise.all([...this.#followers.values()].map((f) => f.running));
  }
}

export const policySourceExtensionFactory: ExtensionFactory<PolicySourceConfig> = {
  kind: 'extension',
  type: 'policy_source',
  defaultConfig: defaultPolicySourceConfig,
  validate: validatePolicySourceConfig,
  create: (settings, config) => new PolicySourceExtension(settings, config),
};
