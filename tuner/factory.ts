// The `tuner` extension: listed under `service.extensions`, it runs the tuner on the daemon's clock and serves
// the control API (/api/v1/policies) on the telemetry server.
import type { CreateSettings, Extension, ExtensionFactory } from '../pipeline/component.js';
import { defaultTunerConfig, validateTunerConfig, type TunerConfig } from './config.js';
import { POLICIES_PREFIX, policiesRoute } from './control_api.js';
import { checkPromptTemplate } from './prompt.js';
import { Tuner } from './tuner.js';

class TunerExtension implements Extension {
  readonly #tuner: Tuner;
  #removeRoute: (() => void) | undefined;

  constructor(private readonly settings: CreateSettings, config: TunerConfig) {
    this.#tuner = new Tuner(config, settings);
  }

  async start(): Promise<void> {
    const tuner = this.#tuner;
    this.#removeRoute = this.settings.routes.add(
      POLICIES_PREFIX,
      policiesRoute({
        current: (service) => tuner.current(service),
        services: () => tuner.services(),
        submit: (service, policy, force) => tuner.submit(service, policy, force),
        history: (service) => ({ service, versions: tuner.versions.history(service), rejections: tuner.versions.rejections(service) }),
        rollback: (service, version) => tuner.versions.rollback(service, version, 'asked through the control API'),
        propose: (service) => tuner.round(service, true),
      }),
    );
    tuner.start();
  }

  async shutdown(): Promise<void> {
    this.#tuner.stop();
    this.#removeRoute?.();
    this.#removeRoute = undefined;
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
