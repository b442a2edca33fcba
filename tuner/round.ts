// One tuner round for one service: context → author → parse → guard → replay gate → new version (or the
// reason it was not). LLM failures of every kind — timeouts, API errors, refusals, truncation, replies that
// fail validation — count on the breaker; the policy in force stays (the last known good), and while the
// breaker is open the rules provider authors instead.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../pipeline/logger.js';
import { effectiveFloor, invariantsText } from '../policy/invariants.js';
import type { Policy } from '../policy/policy.js';
import type { ReplayReport } from '../policy/replay_report.js';
import type { SamplerTraffic } from '../policy/traffic_tape.js';
import type { SharedStore } from '../store/shared_store.js';
import type { CircuitBreaker } from './breaker.js';
import type { PriceConfig, TunerConfig } from './config.js';
import { buildServiceContext, contextJson, type ServiceContext } from './context.js';
import { guardPolicy, parseProposal, type Clamp } from './guard.js';
import { fenceFor, type PromptTemplates } from './prompt.js';
import { PROPOSAL_SCHEMA, policyFromProposal } from './proposal_schema.js';
import { ProviderError, type PolicyProvider, type ProviderReply } from './providers/provider.js';
import { judgeReplay } from './replay_gate.js';
import type { PolicyVersions } from './policy_versions.js';
import { SpanStatusCode, type Context, type Tracer } from '@opentelemetry/api';
import { inSpan } from '../pipeline/self_tracing.js';

export const NO_CHANGE = 'no change proposed: the candidate is the policy in force';

export interface RoundOutcome {
  service: string;
  provider: string;
  model: string | null;
  /** The guarded candidate (null when the reply could not be read). */
  candidate: Policy | null;
  accepted: boolean;
  reason: string;
  clamps: Clamp[];
  replay: { candidate: ReplayReport; current: ReplayReport } | null;
  reasoning: string;
  prompt_hash: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** The version that went live (not in a dry run). */
  version: number | null;
  /** What went wrong with the provider, when something did. */
  failure: string | null;
}

export interface RoundDeps {
  config: TunerConfig;
  traffic: SamplerTraffic;
  store: SharedStore;
  versions: PolicyVersions;
  templates: PromptTemplates;
  primary: PolicyProvider;
  rules: PolicyProvider;
  breaker: CircuitBreaker;
  logger: Logger;
  now: () => number;
  /** The daemon's own traces: a span per round, its LLM call and its replay gate under it. */
  tracer: Tracer;
}

/** Equal settings, whatever the version and reasoning say. */
function samePolicy(a: Policy, b: Policy): boolean {
  return isDeepStrictEqual({ ...a, version: 0, reasoning: '' }, { ...b, version: 0, reasoning: '' });
}

function priceOf(config: TunerConfig, provider: string): PriceConfig | undefined {
  if (provider === 'openai') return config.openai.price;
  if (provider === 'anthropic') return config.anthropic.price;
  return undefined;
}

export function buildPrompt(deps: Pick<RoundDeps, 'config' | 'templates' | 'traffic'>, context: ServiceContext): { system: string; user: string; hash: string } {
  const data = contextJson({ ...context, current_policy: undefined as unknown as Policy }, deps.config.context.max_chars);
  const target = deps.config.target;
  return deps.templates.render({
    service: JSON.stringify(context.service),
    target_keep_fraction: String(target.keep_fraction),
    target_bytes_keep_fraction: target.bytes_keep_fraction === null ? 'no target' : String(target.bytes_keep_fraction),
    // Its reasoning may be an earlier model's words: only the settings go back in.
    current_policy: JSON.stringify({ ...context.current_policy, reasoning: undefined }),
    context: data,
    fence: fenceFor(data),
    invariants: invariantsText({ minKeep: effectiveFloor(deps.config.guard.min_keep, deps.traffic.settings.min_keep), maxStep: deps.config.guard.max_step, minBoost: deps.config.guard.min_boost, maxFirstK: deps.config.guard.max_first_k }),
  });
}

/** One round for `service`. `dryRun`: decide and report, change nothing. `context` is built when not given. */
export async function runRound(deps: RoundDeps, service: string, options: { dryRun: boolean; context?: ServiceContext }): Promise<RoundOutcome> {
  return inSpan(deps.tracer, 'tuner.round', { attributes: { 'logsift.service': service, 'logsift.dry_run': options.dryRun } }, async (span, context) => {
    const outcome = await roundIn(deps, service, options, context);
    span.setAttributes({ 'logsift.provider': outcome.provider, 'logsift.accepted': outcome.accepted, 'logsift.reason': outcome.reason.slice(0, 200), ...(outcome.version !== null ? { 'logsift.policy.version': outcome.version } : {}) });
    if (outcome.failure !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.failure });
    return outcome;
  });
}

async function roundIn(deps: RoundDeps, service: string, options: { dryRun: boolean; context?: ServiceContext }, trace: Context): Promise<RoundOutcome> {
  const { config, traffic } = deps;
  const now = deps.now();
  const context = options.context ?? buildServiceContext(traffic, deps.store.get(), service, { topPatterns: config.context.top_patterns, target: config.target, now });
  const current = context.current_policy;
  const useLlm = deps.primary.name !== 'rules' && deps.breaker.allows();
  const provider = useLlm ? deps.primary : deps.rules;
  const prompt = buildPrompt(deps, context);
  const outcome: RoundOutcome = {
    service,
    provider: provider.name,
    model: provider.model,
    candidate: null,
    accepted: false,
    reason: '',
    clamps: [],
    replay: null,
    reasoning: '',
    prompt_hash: provider.name === 'rules' ? null : prompt.hash,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
    version: null,
    failure: null,
  };
  const fail = (reason: string) => {
    outcome.reason = reason;
    outcome.failure = reason;
    if (useLlm) deps.breaker.failed();
    if (!options.dryRun) deps.versions.reject(service, { author: provider.name, model: provider.model, reason, candidate: outcome.candidate, replay: outcome.replay, clamps: outcome.clamps });
    return outcome;
  };

  let reply: ProviderReply;
  try {
    reply = await provider.propose({ service, context, system: prompt.system, user: prompt.user, schema: PROPOSAL_SCHEMA, traceContext: trace });
  } catch (error) {
    const kind = error instanceof ProviderError ? error.kind : 'api';
    return fail(`${provider.name} ${kind}: ${(error as Error).message}`);
  }
  outcome.model = reply.model ?? provider.model;
  outcome.tokens_in = reply.tokensIn;
  outcome.tokens_out = reply.tokensOut;
  const price = priceOf(config, provider.name);
  if (price) outcome.cost_usd = Number(((reply.tokensIn * price.input_per_million + reply.tokensOut * price.output_per_million) / 1e6).toFixed(6));

  const parsed = parseProposal(reply.text);
  if (parsed.kind !== 'parsed') return fail(`${parsed.kind}: ${parsed.reason}`);
  const guarded = guardPolicy(policyFromProposal(parsed.proposal, service, current.version), current, config.guard, config.target, traffic.settings.min_keep);
  outcome.clamps = guarded.clamps;
  outcome.reasoning = parsed.proposal.reasoning;
  if (guarded.kind !== 'guarded') return fail(`invalid policy: ${guarded.reason}`);
  outcome.candidate = guarded.policy;
  if (useLlm) deps.breaker.succeeded();
  if (samePolicy(guarded.policy, current)) {
    outcome.reason = NO_CHANGE;
    return outcome;
  }

  const entries = traffic.tape.entries(now, service);
  const anomalies = traffic.tape.anomalies(now);
  const verdict = await inSpan(deps.tracer, 'tuner.replay_gate', { attributes: { 'logsift.service': service, 'logsift.tape.records': entries.length }, parent: trace }, async (span) => {
    const candidateReport = await traffic.replay(guarded.policy, entries, anomalies);
    const currentReport = await traffic.replay(current, entries, anomalies);
    outcome.replay = { candidate: candidateReport, current: currentReport };
    const judged = judgeReplay(candidateReport, currentReport, config.target, config.replay.min_incident_retention);
    span.setAttributes({ 'logsift.accepted': judged.accepted, 'logsift.reason': judged.reason.slice(0, 200), 'logsift.candidate.keep_fraction': candidateReport.keep_fraction });
    return judged;
  });
  outcome.accepted = verdict.accepted;
  outcome.reason = verdict.reason;
  if (options.dryRun) return outcome;
  if (!verdict.accepted) {
    deps.versions.reject(service, { author: provider.name, model: outcome.model, reason: verdict.reason, candidate: guarded.policy, replay: outcome.replay, clamps: outcome.clamps });
    return outcome;
  }
  const live = deps.versions.activate(
    guarded.policy,
    {
      author: provider.name,
      model: outcome.model,
      reasoning: outcome.reasoning,
      promptHash: outcome.prompt_hash,
      tokensIn: outcome.tokens_in,
      tokensOut: outcome.tokens_out,
      costUsd: outcome.cost_usd,
      replay: outcome.replay,
      clamps: outcome.clamps,
    },
    current,
  );
  outcome.version = live.version;
  outcome.candidate = live;
  return outcome;
}
