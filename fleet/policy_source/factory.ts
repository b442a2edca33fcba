// The `policy_source` extension: a sidecar follows its gateway's policies (fleet/policy_source/follower.ts per
// service) instead of tuning alone, and reports its sampler's completed windows to the gateway
// (stats_reporter.ts) so the gateway tunes on the whole fleet. At start the policies applied last are put back
// from disk, so with the gateway away the sidecar samples as it did; the services are the configured ones, or
// each one this instance's sampler meets (looked for every `retry.initial_interval`). A policy's per-service
// rate budgets run cut to this replica's share, which the gateway returns with each report
// (replica_budget.ts). Serves what it follows on
//   GET /api/v1/policy_source      endpoint, instance, per service: source, hash, version, connected, last
//                                   error, last report, budget share; and the stats reporter's state
import type { CreateSettings, Extension, ExtensionFactory } from '../../pipeline/component.js';
import { sendJson } from '../../pipeline/http_routes.js';
import { SAMPLER_TRAFFIC } from '../../policy/traffic_tape.js';
import { defaultPolicySourceConfig, instanceName, validatePolicySourceConfig, type PolicySourceConfig } from './config.js';
import { ServiceFollower, type FollowerDeps } from './follower.js';
import { LastKnownGood, type KnownPolicy } from './last_known_good.js';
import { hasRateBudget, replicaPolicy, shareMoved } from './replica_budget.js';
import { StatsReporter } from './stats_reporter.js';
import type { Policy } from '../../policy/policy.js';
import type { ServiceShare } from '../stats/stats_report.js';

export const POLICY_SOURCE_PATH = '/api/v1/policy_source';

class PolicySourceExtension implements Extension {
  readonly #followers = new Map<string, { follower: ServiceFollower; running: Promise<void> }>();
  readonly #stop = new AbortController();
  readonly #disk: LastKnownGood;
  readonly #deps: FollowerDeps;
  #saved = new Map<string, KnownPolicy>();
  /** Per service: the policy the gateway sent (unscaled), its ETag, and this replica's share of its budgets. */
  readonly #fromGateway = new Map<string, { policy: Policy; etag?: string }>();
  readonly #shares = new Map<string, ServiceShare>();
  readonly #reporter: StatsReporter | undefined;
  #reporting: Promise<void> | undefined;
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
      headers: config.token ? { authorization: `Bearer ${config.token}` } : {},
      instance: instanceName(config),
      waitMs: config.wait.ms,
      retry: { initialMs: config.retry.initial_interval.ms, maxMs: config.retry.max_interval.ms },
      apply: (policy) => this.#apply(policy),
      clock: settings.clock,
      logger: settings.logger,
      remember: (service, known) => {
        this.#fromGateway.set(service, { policy: known.policy, etag: known.etag });
        this.#disk.save(service, { ...known, ...this.#shareOf(service) });
      },
      counted: (outcome) => outcomes.inc({ outcome }),
    };
    if (config.report.enabled) {
      const rows = settings.telemetry.counter({
        name: 'logsift_fleet_stats_reported_total',
        help: 'Pattern windows reported to the gateway, by outcome: sent, dropped (past the backlog while the gateway was away), refused (by the gateway).',
        labelNames: ['outcome'] as const,
      });
      this.#reporter = new StatsReporter({
        endpoint: this.#deps.endpoint,
        headers: this.#deps.headers,
        instance: this.#deps.instance,
        intervalMs: config.report.interval.ms,
        maxBacklog: config.report.max_backlog,
        clock: settings.clock,
        logger: settings.logger,
        traffic: () => settings.daemonShared.lookup(SAMPLER_TRAFFIC),
        templates: (service, ids) => settings.store.get().patternTemplates(service, ids),
        shares: (shares) => this.#shared(shares),
        counted: (outcome, n) => rows.inc({ outcome }, n),
      });
    }
  }

  #shareOf(service: string): { share?: number } {
    const share = this.#shares.get(service)?.share;
    return share === undefined ? {} : { share };
  }

  /** A policy from the gateway (or the disk) goes on the board with its rate budgets cut to this replica's share. */
  #apply(policy: Policy): void {
    const known = this.#fromGateway.get(policy.service);
    this.#fromGateway.set(policy.service, { policy, ...(known?.etag ? { etag: known.etag } : {}) });
    this.settings.policies.set(replicaPolicy(policy, this.#shares.get(policy.service)?.share ?? 1));
  }

  /** The gateway's answer to a report: where a share moved, the policy in force runs with the new one. */
  #shared(shares: Record<string, ServiceShare>): void {
    for (const [service, next] of Object.entries(shares)) {
      const current = this.#shares.get(service);
      if (current && current.replicas === next.replicas && !shareMoved(current.share, next.share)) continue;
      this.#shares.set(service, next);
      const known = this.#fromGateway.get(service);
      if (!known || !hasRateBudget(known.policy)) continue;
      this.settings.policies.set(replicaPolicy(known.policy, next.share));
      if (known.etag) {
        try {
          this.#disk.save(service, { policy: known.policy, etag: known.etag, share: next.share });
        } catch (error) {
          this.settings.logger.error({ err: error, service }, 'could not keep the budget share on disk');
        }
      }
    }
  }

  async start(): Promise<void> {
    try {
      this.#saved = this.#disk.load();
    } catch (error) {
      this.settings.logger.error({ err: error }, 'the policies kept from the last run cannot be read; following the gateway from the config\'s policies');
    }
    // A share kept from the last run applies until the gateway answers a report.
    for (const [service, known] of this.#saved) if (known.share !== undefined) this.#shares.set(service, { replicas: 0, share: known.share });
    for (const service of this.config.services) this.#follow(service);
    // Services not configured but kept from the last run are followed too: they were this sidecar's.
    for (const service of this.#saved.keys()) this.#follow(service);
    if (this.config.services.length === 0) this.#discover();
    this.#removeRoute = this.settings.routes.add(POLICY_SOURCE_PATH, async (req, res) => {
      if (req.method !== 'GET') return sendJson(res, 405, { error: `${req.method} is not allowed here` });
      const services = [...this.#followers.values()].map(({ follower }) => ({
        ...follower.state(),
        budget_share: this.#shares.get(follower.service) ?? null,
        // The budget this replica runs with (the gateway's, cut to its share).
        budget_in_force: this.settings.policies.get(follower.service)?.budget ?? null,
      }));
      return sendJson(res, 200, { endpoint: this.#deps.endpoint, instance: this.#deps.instance, services, stats: this.#reporter?.state() ?? null });
    });
    this.#reporting = this.#reporter?.run(this.#stop.signal).catch((error: unknown) => {
      this.settings.logger.error({ err: error }, 'reporting pattern stats to the gateway stopped unexpectedly');
    });
  }

  #follow(service: string): void {
    if (this.#followers.has(service)) return;
    const follower = new ServiceFollower(service, this.#deps);
    const known = this.#saved.get(service);
    if (known) this.#fromGateway.set(service, { policy: known.policy, etag: known.etag });
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
    await this.#reporting;
  }
}

export const policySourceExtensionFactory: ExtensionFactory<PolicySourceConfig> = {
  kind: 'extension',
  type: 'policy_source',
  defaultConfig: defaultPolicySourceConfig,
  validate: validatePolicySourceConfig,
  create: (settings, config) => new PolicySourceExtension(settings, config),
};
