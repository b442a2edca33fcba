// The `tuner` extension: listed under `service.extensions`, it runs the tuner on the daemon's clock and serves
// the control API (/api/v1/policies) on the telemetry server.
import type { CreateSettings, Extension, ExtensionFactory } from '../pipeline/component.js';
import { defaultTunerConfig, validateTunerConfig, type TunerConfig } from './config.js';
import { POLICIES_PREFIX, policiesRoute } from './control_api.js';
import { checkPromptTemplate } from './prompt.js';
import { Tuner } from './tuner.js';
import { ConsumerStatuses } from './consumer_status.js';
import { tunerMetrics } from './metrics.js';
import { PolicyWaits } from './policy_waits.js';
import { PolicyWebhooks } from './policy_webhooks.js';
import { WEBHOOKS_PREFIX, webhooksRoute } from './webhooks_api.js';
import { policyHash } from '../policy/policy_hash.js';
import { patternStatsRoute } from '../fleet/stats/stats_api.js';
import { PATTERN_STATS_PATH } from '../fleet/stats/stats_report.js';

class TunerExtension implements Extension {
  readonly #tuner: Tuner;
  readonly #waits: PolicyWaits;
  readonly #consumers: ConsumerStatuses;
  readonly #webhooks: PolicyWebhooks;
  #removeRoutes: Array<() => void> = [];
  #unsubscribe: (() => void) | undefined;

  constructor(private readonly settings: CreateSettings, private readonly config: TunerConfig) {
    this.#tuner = new Tuner(config, settings);
    this.#waits = new PolicyWaits(settings.policies, settings.clock, config.distribution.max_open_waits);
    this.#consumers = new ConsumerStatuses(config.distribution.max_consumers);
    const webhookCounts = tunerMetrics(settings.telemetry).webhooks;
    this.#webhooks = new PolicyWebhooks(config.distribution.webhooks, () => settings.store.get(), settings.clock, settings.logger, webhookCounts);
  }

  async start(): Promise<void> {
    const tuner = this.#tuner;
    const { telemetry, clock } = this.settings;
    const { statusReports, fleetReports, fleetRows } = tunerMetrics(telemetry);
    telemetry.gauge({ name: 'logsift_policy_open_waits', help: 'Long-polls on the control API waiting for a policy to change.', read: () => this.#waits.open });
    this.#waits.start();
    const board = this.settings.policies;
    this.#unsubscribe = board.onChange((service) => {
      // Called inside the change itself: a failure here must not undo or fail it.
      try {
        const policy = board.get(service);
        if (policy) this.#webhooks.changed(policy);
      } catch (error) {
        this.settings.logger.error({ err: error, service }, 'could not start the webhooks for a policy change');
      }
    });
    this.#webhooks.resume();
    if (this.config.distribution.stats.enabled) {
      this.#removeRoutes.push(this.settings.routes.add(
        PATTERN_STATS_PATH,
        patternStatsRoute({
          stats: () => tuner.fleet(),
          now: () => clock.now(),
          counted: (outcome, rows) => {
            fleetReports.inc({ outcome });
            if (rows > 0) fleetRows.inc(rows);
          },
        }),
      ));
    }
    this.#removeRoutes.push(this.settings.routes.add(WEBHOOKS_PREFIX, webhooksRoute((filter) => this.settings.store.get().webhookDeliveries(filter))));
    this.#removeRoutes.push(this.settings.routes.add(
      POLICIES_PREFIX,
      policiesRoute({
        current: (service) => tuner.current(service),
        services: () => tuner.services(),
        submit: (service, policy, force, dryRun) => tuner.submit(service, policy, force, dryRun),
        history: (service) => ({ service, versions: tuner.versions.history(service), rejections: tuner.versions.rejections(service) }),
        rollback: (service, version) => tuner.versions.rollback(service, version, 'asked through the control API'),
        propose: (service) => tuner.round(service, true),
        wait: (service, ms, signal) => this.#waits.wait(service, ms, signal),
        maxWaitMs: this.config.distribution.max_wait.ms,
        report: (service, report) => {
          this.#consumers.record(service, report, clock.now());
          statusReports.inc({ status: report.status });
        },
        consumers: (service) => {
          const current = tuner.current(service);
          return this.#consumers.list(service, current && policyHash(current));
        },
      }),
    ));
    tuner.start();
  }

  async shutdown(): Promise<void> {
    this.#tuner.stop();
    this.#waits.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#webhooks.stop();
    for (const remove of this.#removeRoutes.splice(0)) remove();
  }
}

export const tunerExtensionFactory: ExtensionFactory<TunerConfig> = {
  kind: 'extension',
  type: 'tuner',
  defaultConfig: defaultTunerConfig,
  validate: (config) => {
    const problems = validateTunerConfig(config);
    if (problems.length > 0) return problems;
    for (const key of ['system', 'user'] as const) {
      const problem = checkPromptTemplate(config.prompts[key]);
      if (problem) problems.push({ path: `prompts.${key}`, message: problem });
    }
    return problems;
  },
  create: (settings, config) => new TunerExtension(settings, config),
};
