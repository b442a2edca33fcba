// The tuner: rounds on a schedule (interval ± jitter) over the services the sampler has seen, each skipped
// when the service changed too recently, when its inputs have not changed, or when the hour's calls are
// spent; accepted changes are watched and rolled back on an anomaly or a budget breach. Also what the control
// API and `logsift policy propose` drive. Background paths never throw: they log and count.
import type { Clock } from '../pipeline/clock.js';
import type { Logger } from '../pipeline/logger.js';
import type { PolicyBoard } from '../policy/board.js';
import type { Telemetry } from '../pipeline/telemetry.js';
import type { Policy } from '../policy/policy.js';
import { SAMPLER_TRAFFIC, type SamplerTraffic } from '../policy/traffic_tape.js';
import type { PipelineShared } from '../pipeline/pipeline_shared.js';
import type { SharedStore } from '../store/shared_store.js';
import { CircuitBreaker } from './breaker.js';
import type { TunerConfig } from './config.js';
import { buildServiceContext, contextFingerprint } from './context.js';
import { guardPolicy } from './guard.js';
import { PolicyVersions } from './policy_versions.js';
import { PromptTemplates } from './prompt.js';
import { AnthropicProvider } from './providers/anthropic.js';
import { OllamaProvider } from './providers/ollama.js';
import { OpenAIProvider } from './providers/openai.js';
import type { PolicyProvider } from './providers/provider.js';
import { RulesProvider } from './providers/rules.js';
import { judgeReplay } from './replay_gate.js';
import { NO_CHANGE, runRound, type RoundDeps, type RoundOutcome } from './round.js';
import { judgeChange, type WatchedChange } from './watch.js';
import { tunerMetrics } from './metrics.js';
import { FleetStats } from '../fleet/stats/fleet_stats.js';
import { fleetTraffic } from '../fleet/stats/fleet_traffic.js';
import { measuredProvider } from './providers/measured_provider.js';

const HOUR_MS = 3_600_000;
const WATCH_CHECK_MS = 5000;

export interface TunerSettings {
  clock: Clock;
  logger: Logger;
  telemetry: Telemetry;
  store: SharedStore;
  policies: PolicyBoard;
  daemonShared: PipelineShared;
  /** Jitter's randomness (tests pin it). */
  random?: () => number;
}

export function createProvider(config: TunerConfig, clock: Clock): PolicyProvider {
  const timeoutMs = config.timeout.ms;
  switch (config.provider) {
    case 'openai':
      return new OpenAIProvider(config.openai, timeoutMs, config.retries, clock);
    case 'anthropic':
      return new AnthropicProvider(config.anthropic, timeoutMs, config.retries, clock);
    case 'ollama':
      return new OllamaProvider(config.ollama, timeoutMs, config.retries, clock);
    case 'rules':
      return new RulesProvider();
  }
}

/** What became of a user's policy: live, refused by its replay, or invalid. */
export type SubmitResult = { kind: 'live'; body: unknown } | { kind: 'rejected'; body: unknown } | { kind: 'dry_run'; body: unknown } | { kind: 'invalid'; problems: string[] };

export class Tuner {
  readonly versions: PolicyVersions;
  readonly breaker: CircuitBreaker;
  readonly #primary: PolicyProvider;
  readonly #rules = new RulesProvider();
  readonly #templates: PromptTemplates;
  readonly #intervalMs: number;
  readonly #minChangeMs: number;
  readonly #watchMs: number;
  readonly #lastChange = new Map<string, number>();
  readonly #fingerprints = new Map<string, string>();
  readonly #calls: number[] = [];
  #watches: WatchedChange[] = [];
  #timer: unknown;
  #watchTimer: unknown;
  #running = false;
  #tickInProgress: Promise<void> | undefined;
  #warnedNoTraffic = false;
  readonly #metrics: ReturnType<typeof tunerMetrics>;
  /** What the fleet reports, once a sampler gives it its window; and the traffic view made with it. */
  #fleet: FleetStats | undefined;
  #fleetView: { local: SamplerTraffic; view: SamplerTraffic } | undefined;

  constructor(
    private readonly config: TunerConfig,
    private readonly settings: TunerSettings,
    provider?: PolicyProvider,
  ) {
    this.versions = new PolicyVersions(settings.store, settings.policies, () => settings.clock.now());
    this.breaker = new CircuitBreaker(config.breaker.failures, config.breaker.cooldown.ms, settings.clock);
    this.#primary = measuredProvider(provider ?? createProvider(config, settings.clock), settings.telemetry, 'policy', settings.clock);
    this.#templates = new PromptTemplates(config.prompts);
    this.#intervalMs = config.interval.ms;
    this.#minChangeMs = config.min_change_interval.ms;
    this.#watchMs = config.watch.window.ms;
    this.#metrics = tunerMetrics(settings.telemetry);
  }

  /** The traffic rounds decide on: the sampler's, with the services the fleet reports taken from its reports. */
  traffic(): SamplerTraffic | undefined {
    const local = this.settings.daemonShared.lookup(SAMPLER_TRAFFIC);
    const fleet = local && this.fleet();
    if (!local || !fleet) return local;
    if (this.#fleetView?.local !== local) this.#fleetView = { local, view: fleetTraffic(local, fleet, () => this.settings.clock.now()) };
    return this.#fleetView.view;
  }

  /** The fleet's reports (undefined when disabled, or until a sampler shares its traffic: the window comes from it). */
  fleet(): FleetStats | undefined {
    const stats = this.config.distribution.stats;
    if (!stats.enabled) return undefined;
    if (!this.#fleet) {
      const local = this.settings.daemonShared.lookup(SAMPLER_TRAFFIC);
      if (!local) return undefined;
      this.#fleet = new FleetStats({
        windowMs: local.windowMs,
        retentionMs: stats.retention.ms,
        instanceTtlMs: stats.instance_ttl.ms,
        maxRows: stats.max_rows,
        maxTemplates: stats.max_templates,
        split: stats.budget_split,
      });
    }
    return this.#fleet;
  }

  #deps(traffic: SamplerTraffic): RoundDeps {
    return {
      config: this.config,
      traffic,
      store: this.settings.store,
      versions: this.versions,
      templates: this.#templates,
      primary: this.#primary,
      rules: this.#rules,
      breaker: this.breaker,
      logger: this.settings.logger,
      now: () => this.settings.clock.now(),
      tracer: this.settings.telemetry.tracer,
    };
  }

  /** One round for one service now, whatever the schedule says; `dryRun` changes nothing. */
  async round(service: string, dryRun: boolean): Promise<RoundOutcome | undefined> {
    const traffic = this.traffic();
    if (!traffic) return undefined;
    const outcome = await runRound(this.#deps(traffic), service, { dryRun });
    this.#count(outcome);
    if (outcome.version !== null) {
      const now = this.settings.clock.now();
      this.#lastChange.set(service, now);
      this.#watches = this.#watches.filter((w) => w.service !== service);
      this.#watches.push({ service, version: outcome.version, previous: outcome.version - 1, at: now, predicted: outcome.replay?.candidate.policy_keep_fraction ?? null });
      this.settings.logger.info({ service, version: outcome.version, provider: outcome.provider, model: outcome.model, clamps: outcome.clamps.length, reason: outcome.reason }, 'new sampling policy is live');
    } else if (!dryRun) {
      this.settings.logger.warn({ service, provider: outcome.provider, reason: outcome.reason }, 'policy proposal not accepted; the policy in force stays');
    }
    return outcome;
  }

  #count(outcome: RoundOutcome): void {
    const verdict = outcome.failure !== null ? 'failed' : outcome.accepted ? 'accepted' : outcome.reason === NO_CHANGE ? 'unchanged' : 'rejected';
    this.#metrics.rounds.inc({ provider: outcome.provider, outcome: verdict });
    if (outcome.tokens_in > 0) this.#metrics.tokens.inc({ provider: outcome.provider, direction: 'input' }, outcome.tokens_in);
    if (outcome.tokens_out > 0) this.#metrics.tokens.inc({ provider: outcome.provider, direction: 'output' }, outcome.tokens_out);
  }

  /** A scheduled pass over the services: each gets a round unless something says to skip it. */
  async tick(): Promise<RoundOutcome[]> {
    const traffic = this.traffic();
    if (!traffic) {
      if (!this.#warnedNoTraffic) this.settings.logger.warn('the tuner has no sampler to tune: add a sampler processor with its tape enabled');
      this.#warnedNoTraffic = true;
      return [];
    }
    const outcomes: RoundOutcome[] = [];
    const now = this.settings.clock.now();
    const services = this.config.services.length > 0 ? this.config.services : traffic.services();
    for (const service of services) {
      const skip = (outcome: string) => this.#metrics.rounds.inc({ provider: this.#primary.name, outcome });
      const last = this.#lastChange.get(service);
      if (last !== undefined && now - last < this.#minChangeMs) {
        skip('skipped_min_interval');
        continue;
      }
      const context = buildServiceContext(traffic, this.settings.store.get(), service, { topPatterns: this.config.context.top_patterns, target: this.config.target, now });
      const fingerprint = contextFingerprint(context);
      if (this.#fingerprints.get(service) === fingerprint) {
        skip('skipped_unchanged');
        continue;
      }
      const llm = this.#primary.name !== 'rules' && this.breaker.allows();
      if (llm) {
        while (this.#calls.length > 0 && this.#calls[0]! <= now - HOUR_MS) this.#calls.shift();
        if (this.#calls.length >= this.config.max_calls_per_hour) {
          skip('skipped_call_limit');
          continue;
        }
        this.#calls.push(now);
      }
      this.#fingerprints.set(service, fingerprint);
      const outcome = await this.round(service, false);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Rolls back watched changes that an anomaly or a budget breach followed; forgets those past the window. */
  checkWatches(): Array<{ service: string; from: number; to: number; reason: string }> {
    const traffic = this.traffic();
    if (!traffic) return [];
    const now = this.settings.clock.now();
    const rolledBack: Array<{ service: string; from: number; to: number; reason: string }> = [];
    this.#watches = this.#watches.filter((change) => {
      const verdict = judgeChange(change, traffic, this.config, this.#watchMs, now);
      if (verdict.kind === 'ok') return true;
      if (verdict.kind === 'rollback') {
        const policy = this.versions.rollback(change.service, change.previous, verdict.reason);
        if (policy) {
          this.#lastChange.set(change.service, now);
          this.#metrics.rounds.inc({ provider: this.#primary.name, outcome: 'rolled_back' });
          this.settings.logger.warn({ service: change.service, from: change.version, to: change.previous, version: policy.version, reason: verdict.reason }, 'policy change rolled back');
          rolledBack.push({ service: change.service, from: change.version, to: change.previous, reason: verdict.reason });
        }
      }
      return false;
    });
    return rolledBack;
  }

  /** The policy in force for a service (run-time version, else the config's), if the service is known. */
  current(service: string): Policy | undefined {
    const live = this.settings.policies.get(service);
    if (live) return live;
    const traffic = this.traffic();
    return traffic && traffic.services().includes(service) ? traffic.policyFor(service) : undefined;
  }

  /** Every service with a policy in force: those the sampler has seen and those with a run-time version. */
  services(): string[] {
    return [...new Set([...(this.traffic()?.services() ?? []), ...this.settings.policies.services()])].sort();
  }

  /**
   * A user's policy: guarded (the invariants, clamps recorded) and replayed against the recent traffic like
   * any author's, then live — only when the replay accepts it, unless `force` (recorded in its reasoning).
   * Without traffic to replay over (or none past the replay's warm-up), nothing judges it and it goes live.
   */
  /** A user's policy: guarded, replayed, and live when the replay accepts it (or forced); `dryRun` only says what would happen. */
  async submit(service: string, policy: Policy, force = false, dryRun = false): Promise<SubmitResult> {
    const traffic = this.traffic();
    const current = this.current(service) ?? traffic?.configuredPolicy(service) ?? { ...policy, version: 0 };
    const guarded = guardPolicy(policy, current, this.config.guard, this.config.target, traffic?.settings.min_keep ?? 0);
    if (guarded.kind !== 'guarded') return { kind: 'invalid', problems: [guarded.reason] };
    let replay = null;
    if (traffic) {
      const now = this.settings.clock.now();
      const entries = traffic.tape.entries(now, service);
      const anomalies = traffic.tape.anomalies(now);
      const candidate = await traffic.replay(guarded.policy, entries, anomalies);
      const before = await traffic.replay(current, entries, anomalies);
      replay = { candidate, current: before, verdict: judgeReplay(candidate, before, this.config.target, this.config.replay.min_incident_retention) };
    }
    const report = replay && { candidate: replay.candidate, current: replay.current };
    // A replay over no records (a service just seen, a tape not yet past its warm-up) judges nothing.
    const refusal = replay !== null && replay.candidate.records > 0 && !replay.verdict.accepted ? replay.verdict.reason : undefined;
    if (dryRun) return { kind: 'dry_run', body: { accepted: refusal === undefined, reason: refusal ?? null, policy: guarded.policy, clamps: guarded.clamps, replay } };
    if (refusal !== undefined && !force) {
      this.versions.reject(service, { author: 'user', model: null, reason: refusal, candidate: guarded.policy, replay: report, clamps: guarded.clamps });
      return { kind: 'rejected', body: { accepted: false, reason: refusal, clamps: guarded.clamps, replay } };
    }
    const forced = refusal !== undefined;
    const reasoning = forced ? `forced past the replay's verdict (${refusal}): ${policy.reasoning}` : policy.reasoning;
    const live = this.versions.activate(
      { ...guarded.policy, reasoning },
      { author: 'user', model: null, reasoning, promptHash: null, tokensIn: 0, tokensOut: 0, costUsd: 0, replay: report, clamps: guarded.clamps },
      current,
    );
    this.#lastChange.set(service, this.settings.clock.now());
    return { kind: 'live', body: { accepted: true, forced, version: live.version, policy: live, clamps: guarded.clamps, replay } };
  }

  start(): void {
    const loaded = this.versions.load();
    if (loaded > 0) this.settings.logger.info({ services: loaded }, 'policy versions restored');
    this.#running = true;
    this.#schedule();
    this.#scheduleWatch();
  }

  #schedule(): void {
    if (!this.#running) return;
    const random = this.settings.random ?? Math.random;
    const jitter = this.#intervalMs * this.config.jitter * (2 * random() - 1);
    this.#timer = this.settings.clock.setTimeout(() => void this.#runTick(), Math.max(1, Math.round(this.#intervalMs + jitter)));
  }

  async #runTick(): Promise<void> {
    if (this.#tickInProgress) return this.#schedule();
    this.#tickInProgress = (async () => {
      try {
        await this.tick();
      } catch (error) {
        this.settings.logger.error({ err: error }, 'tuner round failed');
      } finally {
        this.#tickInProgress = undefined;
        this.#schedule();
      }
    })();
    return this.#tickInProgress;
  }

  /** Resolves when the scheduled pass in progress (if any) is over. */
  async idle(): Promise<void> {
    await this.#tickInProgress;
  }

  #scheduleWatch(): void {
    if (!this.#running) return;
    this.#watchTimer = this.settings.clock.setTimeout(() => {
      try {
        this.checkWatches();
      } catch (error) {
        this.settings.logger.error({ err: error }, 'tuner watch failed');
      }
      this.#scheduleWatch();
    }, Math.min(WATCH_CHECK_MS, this.#watchMs));
  }

  stop(): void {
    this.#running = false;
    this.settings.clock.clearTimeout(this.#timer);
    this.settings.clock.clearTimeout(this.#watchTimer);
  }
}
