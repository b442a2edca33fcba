// The `sampler` processor: decides per record whether to keep it, under a policy per service.
// Always kept, whatever the policy says: severity at or above `keep_at_or_above` (ERROR at most — an invariant
// no policy lowers), the first `first_k_per_window` records of every pattern in every window, records matching
// a keep rule. The rest are kept with the policy's probability — static (per pattern, else per severity) or
// dynamic (a budget shared across patterns by log-weighted fairness) — decided by the trace id when there is
// one, so a request's records are kept together. Kept records carry `logsift.sample_rate` (1 / the keep
// probability), `logsift.sample_count` (how many records it stands for: itself and the records of its
// pattern and severity dropped since the last one kept — summing it gives counts exact up to the records
// dropped after the last kept one) and `logsift.sample_reason`. Every decision is counted in an exact ledger
// per window and pattern, saved to the store and published as an event per window and service. Dry run keeps
// everything and tags what would have been dropped. Policies set at run time (the policy board: tuner, control
// API) replace the config's for their service between two batches; the recent traffic is kept on a tape that
// the tuner replays candidate policies over.
import { parseDuration } from '../../config/duration.js';
import { DURATION_SCHEMA, compileConfigSchema } from '../../config/schema_validator.js';
import { mergeDefaults } from '../../config/merge.js';
import { mergeMap, of } from 'rxjs';
import { LogBatch, type HeldRecord, type LogRecordView, type RecordGroup } from '../../pipeline/batch.js';
import type { ConfigProblem, Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import { ANOMALIES, type AnomalyView } from '../anomaly/factory.js';
import type { BoostScope } from '../anomaly/tracker.js';
import { SEVERITY_CLASSES, severityClass, severityRank, type SeverityClass } from '../ratestats/severity.js';
import { dynamicKeep, type PatternLoad } from './dynamic_rates.js';
import { compileKeepRules, type RecordPredicate } from './keep_rules.js';
import { Ledger, type LedgerRow, type PatternRates } from './ledger.js';
import { RetroBuffer } from './retro_buffer.js';
import { BoostBudget } from './boost_budget.js';
import { RecentRate } from './recent_rate.js';
import { SAMPLER_TRAFFIC, TrafficTape } from './traffic_tape.js';
import { RATE_STATS } from '../ratestats/factory.js';
import type { RateStatsView } from '../ratestats/rate_table.js';
import { defaultPolicy, hasBudget, validatePolicy, type Budget, type Policy } from './policy.js';
import { traceUniform } from './trace_hash.js';

export const SAMPLE_RATE_ATTRIBUTE = 'logsift.sample_rate';
export const SAMPLE_REASON_ATTRIBUTE = 'logsift.sample_reason';
export const SAMPLE_COUNT_ATTRIBUTE = 'logsift.sample_count';
export const LEDGER_EVENT = 'logsift sampling ledger';

const CLASS_INDEX = Object.fromEntries(SEVERITY_CLASSES.map((c, i) => [c, i])) as Record<SeverityClass, number>;

export interface SamplerConfig {
  window: string;
  time: 'arrival' | 'record';
  keep_at_or_above: SeverityClass;
  /** No probability goes below this, whatever a policy asks. */
  min_keep: number;
  dry_run: boolean;
  pattern_attribute: string;
  /** The policy for every service without its own. */
  policy: Policy;
  /** Per-service policies, each merged over `policy`. */
  services: Record<string, Partial<Policy>>;
  /** `events`: publish each window's rows as an event (the posthog exporter sends them through /batch/). */
  ledger: { enabled: boolean; flush_interval: string; events: boolean };
  /** Dropped records kept in memory so an anomaly can bring back its last `window` of lines. */
  retro: { enabled: boolean; window: string; max_per_pattern: number; max_total: number };
  /** What anomaly boosts may keep beyond the policy (boost_budget.ts). */
  boost: { budget_share: number; burst_windows: number };
  /** The recent traffic kept for the tuner's replay gate and its watch after a change. */
  tape: { enabled: boolean; window: string; max_records: number };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    window: DURATION_SCHEMA,
    time: { enum: ['arrival', 'record'] },
    keep_at_or_above: { enum: SEVERITY_CLASSES.filter((c) => severityRank(c) <= severityRank('ERROR') && c !== 'UNSPECIFIED') },
    min_keep: { type: 'number', minimum: 0, maximum: 1 },
    dry_run: { type: 'boolean' },
    pattern_attribute: { type: 'string', minLength: 1 },
    policy: { type: 'object' },
    services: { type: 'object', additionalProperties: { type: 'object' } },
    ledger: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, flush_interval: DURATION_SCHEMA, events: { type: 'boolean' } },
    },
    boost: {
      type: 'object',
      additionalProperties: false,
      properties: { budget_share: { type: 'number', minimum: 0 }, burst_windows: { type: 'number', minimum: 1 } },
    },
    retro: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        window: DURATION_SCHEMA,
        max_per_pattern: { type: 'integer', minimum: 1 },
        max_total: { type: 'integer', minimum: 1 },
      },
    },
    tape: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, window: DURATION_SCHEMA, max_records: { type: 'integer', minimum: 1 } },
    },
  },
};
const checkSchema = compileConfigSchema(schema);

function servicePolicy(config: SamplerConfig, service: string): Policy {
  const own = config.services[service];
  return own ? ({ ...(mergeDefaults(config.policy, own) as Policy), service } as Policy) : config.policy;
}

function validate(config: SamplerConfig): ConfigProblem[] {
  const problems = checkSchema(config);
  if (problems.length > 0) return problems;
  for (const problem of validatePolicy(config.policy)) problems.push({ path: `policy.${problem.path}`, message: problem.message });
  for (const service of Object.keys(config.services)) {
    const policy = servicePolicy(config, service);
    for (const problem of validatePolicy(policy)) problems.push({ path: `services.${service}.${problem.path}`, message: problem.message });
    if (policy.mode === 'dynamic' && policy.budget.scope === 'global' && !hasBudget(config.policy.budget)) {
      problems.push({ path: `services.${service}.budget.scope`, message: 'global shares the base policy\'s budget, and it sets none' });
    }
  }
  return problems;
}

type Decision = { keep: boolean; probability: number; reason: 'severity' | 'rule' | 'first' | 'boost' | 'sampled' };

// Retro-flushed records were already answered for and are re-emitted on top, so nothing waits on them.
const IGNORED_ACK = { settle: () => undefined };

/** Dynamic mode: keep probability per pattern for the window in progress, that window's start, and when. */
interface BudgetShares {
  keep: Map<string, number>;
  window: number;
  computedAt: number;
}

interface CompiledPolicy {
  policy: Policy;
  rules: RecordPredicate;
  /** This service's own shares (scope `service`). */
  dynamic: BudgetShares;
}

const POOL_KEY_SEPARATOR = '\u0000';
// Under a spike, a pattern running at this many times its usual rate still has an excess; under a drop, one
// below this share of it still runs short.
const EXCESS = 1.5;
const DEFICIT = 0.5;
// ~100 bytes a pattern: an event stays far under PostHog's 1 MB per event.
const LEDGER_PATTERNS_PER_EVENT = 500;

/**
 * Shares a budget over patterns' recent loads. What is kept whatever the budget says (errors, rules, first K)
 * and what pinned patterns keep count against it first; each budget that is set gives its own probabilities
 * and the tightest wins.
 */
function shareBudget(budget: Budget, rates: ReadonlyMap<string, PatternRates>, pinned: (key: string) => number | undefined, windowSeconds: number, floor: number): Map<string, number> {
  const records = new Map<string, PatternLoad>();
  const bytes = new Map<string, PatternLoad>();
  const tightest = new Map<string, number>();
  let seen = 0;
  let spentRecords = 0;
  let spentBytes = 0;
  for (const [key, r] of rates) {
    seen += r.records;
    const bytesPerRecord = r.records > 0 ? r.bytes / r.records : 0;
    const open = Math.max(0, r.records - r.forced);
    const pin = pinned(key);
    const spent = r.forced + (pin === undefined ? 0 : open * pin);
    spentRecords += spent;
    spentBytes += spent * bytesPerRecord;
    if (pin !== undefined) continue;
    if (open === 0) {
      // Everything it sends is kept anyway: a record beyond that is a surprise, kept too.
      tightest.set(key, 1);
      continue;
    }
    records.set(key, { count: open, cost: open });
    bytes.set(key, { count: open, cost: open * bytesPerRecord });
  }
  const apply = (shares: Map<string, number>) => {
    for (const [key, p] of shares) tightest.set(key, Math.min(p, tightest.get(key) ?? 1));
  };
  if (budget.records_per_second !== null) apply(dynamicKeep(records, budget.records_per_second * windowSeconds - spentRecords, floor));
  if (budget.keep_fraction !== null) apply(dynamicKeep(records, budget.keep_fraction * seen - spentRecords, floor));
  if (budget.bytes_per_second !== null) apply(dynamicKeep(bytes, budget.bytes_per_second * windowSeconds - spentBytes, floor));
  return tightest;
}

const NANOS_PER_MS = 1_000_000n;

class Sampler implements Processor {
  readonly operator;
  readonly #ledger: Ledger;
  readonly #windowMs: number;
  /** How soon shares are recomputed within a window for patterns that have none yet. */
  readonly #reshareMs: number;
  readonly #compiled = new Map<string, CompiledPolicy>();
  readonly #keepRank: number;
  readonly #retro: RetroBuffer | undefined;
  readonly #retroWindowMs: number;
  /**
   * Per boosted pattern: until when (the cooldown after its anomaly closed), what is boosted of it, and its
   * recent rate (whether what is boosted lasts).
   */
  readonly #boostUntil = new Map<string, { until: number; scope: BoostScope; rate: RecentRate }>();
  readonly #boostBudget: BoostBudget;
  /** Scope `global`: one set of shares over every such service's patterns. */
  readonly #globalShares: BudgetShares = { keep: new Map(), window: -1, computedAt: 0 };
  #anomalies: AnomalyView | undefined;
  #rates: RateStatsView | undefined;
  readonly #tape: TrafficTape | undefined;
  /** The policy board's generation the compiled policies were built at. */
  #boardGeneration = -1;
  #flushedAnomalies = new Set<string>();
  #latest = 0;
  #timer: unknown;
  #running = false;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly config: SamplerConfig,
  ) {
    this.#windowMs = parseDuration(config.window)!;
    this.#reshareMs = Math.min(1000, this.#windowMs);
    this.#ledger = new Ledger(this.#windowMs);
    this.#boostBudget = new BoostBudget({ share: config.boost.budget_share, burstWindows: config.boost.burst_windows });
    this.#keepRank = severityRank(config.keep_at_or_above);
    this.#retroWindowMs = parseDuration(config.retro.window)!;
    this.#retro = config.retro.enabled ? new RetroBuffer(config.retro.max_per_pattern, config.retro.max_total, this.#retroWindowMs) : undefined;
    this.#tape = config.tape.enabled ? new TrafficTape(parseDuration(config.tape.window)!, config.tape.max_records) : undefined;
    if (this.#tape) this.#shareTraffic(this.#tape);
    this.operator = countedOperator(
      settings,
      mergeMap((batch: LogBatch) => {
        const kept = this.#sample(batch);
        const retro = this.#retroFlush();
        return retro ? of(kept, retro) : of(kept);
      }),
    );
  }

  #shareTraffic(tape: TrafficTape): void {
    if (this.settings.daemonShared.lookup(SAMPLER_TRAFFIC)) {
      this.settings.logger.warn('another sampler already shares its traffic with the tuner; this one is not tuned');
      return;
    }
    this.settings.daemonShared.provide(SAMPLER_TRAFFIC, {
      tape,
      windowMs: this.#windowMs,
      settings: { window: this.config.window, keep_at_or_above: this.config.keep_at_or_above, min_keep: this.config.min_keep, pattern_attribute: this.config.pattern_attribute },
      rates: () => this.#rates,
      anomalies: () => this.#anomalies,
      policyFor: (service) => {
        this.#followBoard();
        return this.#policy(service).policy;
      },
      configuredPolicy: (service) => servicePolicy(this.config, service),
      services: () => [...this.#ledger.services()],
    });
  }

  /** Run-time policies replace compiled ones between batches: every record of a batch sees one policy. */
  #followBoard(): void {
    const generation = this.settings.policies.generation;
    if (generation === this.#boardGeneration) return;
    this.#boardGeneration = generation;
    this.#compiled.clear();
    this.#globalShares.window = -1;
  }

  #policy(service: string): CompiledPolicy {
    let compiled = this.#compiled.get(service);
    if (!compiled) {
      const policy = (this.settings.policies.get(service) as Policy | undefined) ?? servicePolicy(this.config, service);
      compiled = { policy, rules: compileKeepRules(policy.keep_rules), dynamic: { keep: new Map(), window: -1, computedAt: 0 } };
      this.#compiled.set(service, compiled);
    }
    return compiled;
  }

  #time(record: LogRecordView, arrival: number): number {
    if (this.config.time === 'arrival') return arrival;
    const nanos = record.timeUnixNano || record.observedTimeUnixNano;
    return nanos > 0n ? Number(nanos / NANOS_PER_MS) : arrival;
  }

  /**
   * Dynamic mode: the budget for a window, shared out at its start from the patterns' recent rates — and again
   * (at most once a `#reshareMs`) when a pattern with no share yet turns up, from its count so far.
   */
  #dynamicProbability(compiled: CompiledPolicy, service: string, pattern: string, windowStart: number, now: number): number {
    const global = compiled.policy.budget.scope === 'global';
    const shares = global ? this.#globalShares : compiled.dynamic;
    const key = global ? `${service}${POOL_KEY_SEPARATOR}${pattern}` : pattern;
    const stale = shares.window !== windowStart || (!shares.keep.has(key) && now - shares.computedAt >= this.#reshareMs);
    if (stale) {
      shares.keep = global ? this.#shareGlobal(now) : shareBudget(compiled.policy.budget, this.#ledger.rates(service, now, this.#reshareMs), (p) => compiled.policy.pattern_keep[p], this.#windowMs / 1000, this.config.min_keep);
      shares.window = windowStart;
      shares.computedAt = now;
    }
    // A pattern new since the last share-out is kept until the next one includes it.
    return shares.keep.get(key) ?? 1;
  }

  /** Scope `global`: the base policy's budget over the patterns of every service that opts in. */
  #shareGlobal(now: number): Map<string, number> {
    const rates = new Map<string, PatternRates>();
    for (const other of this.#ledger.services()) {
      const policy = this.#policy(other).policy;
      if (policy.mode !== 'dynamic' || policy.budget.scope !== 'global') continue;
      for (const [p, r] of this.#ledger.rates(other, now, this.#reshareMs)) rates.set(`${other}${POOL_KEY_SEPARATOR}${p}`, r);
    }
    const pinned = (key: string) => {
      const at = key.indexOf(POOL_KEY_SEPARATOR);
      return this.#policy(key.slice(0, at)).policy.pattern_keep[key.slice(at + 1)];
    };
    return shareBudget(this.config.policy.budget, rates, pinned, this.#windowMs / 1000, this.config.min_keep);
  }

  /**
   * Whether a pattern is boosted now: an anomaly is open on it (or its service), or closed less than the
   * policy's cooldown ago — and only while what the anomaly is about lasts (see BoostScope), judged on the
   * pattern's recent rate (recent_rate.ts). A spike or an upward shift: while it runs at EXCESS × the usual
   * rate or more. A drop, a silence, a downward shift: while it runs below DEFICIT × it. Back at the usual
   * rate, nothing is boosted, however long the anomaly stays open or the cooldown lasts — one spike once kept
   * five minutes of a pattern whole, and traffic back after a lull kept its first minutes whole.
   */
  #boosted(compiled: CompiledPolicy, service: string, pattern: string, seenInWindow: number, windowStart: number, now: number): boolean {
    if (!this.#anomalies) return false;
    const key = `${service}\u0000${pattern}`;
    const scope = this.#anomalies.boostFor(service, pattern);
    let state = this.#boostUntil.get(key);
    if (scope !== undefined) {
      const until = now + compiled.policy.anomaly_boost.cooldown_seconds * 1000;
      if (state) {
        state.until = until;
        state.scope = scope;
      } else {
        // Counting starts now: the window so far stands in for the last half span.
        const span = this.#windowMs / 4;
        const seeded = seenInWindow * Math.min(1, span / 2 / Math.max(1, now - windowStart));
        this.#boostUntil.set(key, (state = { until, scope, rate: new RecentRate(span, now, seeded) }));
      }
    } else if (!state) {
      return false;
    } else if (state.until <= now) {
      this.#boostUntil.delete(key);
      return false;
    }
    state.rate.note(now);
    const s = state.scope;
    if (s.kind === 'whole') return true;
    if (s.kind === 'excess') return state.rate.perSecond(now) >= EXCESS * s.usualPerSecond;
    return state.rate.perSecond(now) < DEFICIT * s.usualPerSecond;
  }

  /** When an anomaly opens, its pattern's recently dropped records go out after all. */
  #retroFlush(): LogBatch | undefined {
    if (!this.#retro || !this.#anomalies) return undefined;
    const open = this.#anomalies.open();
    const held: HeldRecord[] = [];
    for (const anomaly of open) {
      if (this.#flushedAnomalies.has(anomaly.id)) continue;
      held.push(...this.#retro.take(anomaly.service, anomaly.pattern, this.#latest - this.#retroWindowMs));
    }
    this.#flushedAnomalies = new Set(open.map((a) => a.id));
    if (held.length === 0) return undefined;
    const batch = LogBatch.fromHeld(held, IGNORED_ACK);
    for (const group of batch.groups()) {
      for (const record of group.records) {
        // Already represented by the kept records' rates and counts: standing for no one keeps estimates exact.
        record.attributes.set(SAMPLE_RATE_ATTRIBUTE, 0);
        record.attributes.set(SAMPLE_COUNT_ATTRIBUTE, 0);
        record.attributes.set(SAMPLE_REASON_ATTRIBUTE, 'retro');
      }
    }
    this.settings.telemetry.samplerDecisions.inc({ processor: this.settings.id, decision: 'retro' }, batch.recordCount);
    return batch;
  }

  #decide(compiled: CompiledPolicy, service: string, pattern: string, cls: SeverityClass, record: LogRecordView, seenInWindow: number, windowStart: number, now: number): Decision {
    if (severityRank(cls) >= this.#keepRank) return { keep: true, probability: 1, reason: 'severity' };
    const { policy } = compiled;
    if (policy.keep_rules.length > 0 && compiled.rules((key) => record.attributes.get(key))) return { keep: true, probability: 1, reason: 'rule' };
    if (seenInWindow < policy.first_k_per_window) return { keep: true, probability: 1, reason: 'first' };
    // A pattern's own rate wins in either mode; dynamic mode shares the budget among the rest.
    const wanted = policy.pattern_keep[pattern] ?? (policy.mode === 'dynamic' ? this.#dynamicProbability(compiled, service, pattern, windowStart, now) : (policy.severity_keep[cls] ?? 1));
    const policyProbability = Math.min(1, Math.max(this.config.min_keep, wanted));
    const traceId = record.traceIdBytes;
    const draw = traceId.length > 0 ? traceUniform(traceId) : Math.random();
    // An empty bucket boosts nothing: the record is the policy's, at the policy's probability (so that
    // `logsift.sample_rate` stays the probability each record was really kept with).
    if (!this.#boosted(compiled, service, pattern, seenInWindow, windowStart, now) || !this.#boostBudget.available(service, windowStart)) {
      return { keep: draw < policyProbability, probability: policyProbability, reason: 'sampled' };
    }
    const boosted = Math.min(1, Math.max(policyProbability, policy.anomaly_boost.keep));
    if (draw < policyProbability) return { keep: true, probability: boosted, reason: 'sampled' };
    // What the boost keeps beyond the policy comes out of its bucket.
    if (draw < boosted && this.#boostBudget.take(service, windowStart)) return { keep: true, probability: boosted, reason: 'boost' };
    return { keep: false, probability: boosted, reason: 'boost' };
  }

  #sample(batch: LogBatch): LogBatch {
    this.#followBoard();
    const arrival = this.settings.clock.now();
    const patternKey = this.config.pattern_attribute;
    const dryRun = this.config.dry_run;
    // Counted per batch, not per record: a labelled counter's lookup per record costs more than the decision.
    const tally = new Map<string, number>();
    const retro = this.#retro;
    let lastPattern = '';
    let lastService = '';
    let lastTime = 0;
    let lastAdmit = 1;
    // A pattern dropping far more than its ring holds would churn it (and the collector) for nothing: records
    // enter with the probability that keeps about one ring's worth per retro window, spread over the window.
    const hold = retro && this.#anomalies ? (held: HeldRecord) => (lastAdmit >= 1 || Math.random() < lastAdmit) && retro.add(lastService, lastPattern, held, lastTime) : undefined;
    const tape = this.#tape;
    const result = batch.filter((record: LogRecordView, group: RecordGroup) => {
      const service = group.resource.serviceName ?? 'unknown_service';
      const patternValue = record.attributes.get(patternKey);
      const pattern = typeof patternValue === 'string' ? patternValue : '';
      const cls = severityClass(record.severityNumber, record.severityText);
      const time = this.#time(record, arrival);
      if (time > this.#latest) this.#latest = time;
      [lastService, lastPattern, lastTime] = [service, pattern, time];
      const entry = this.#ledger.entry(service, pattern, time);
      if (retro) lastAdmit = this.config.retro.max_per_pattern / Math.max(1, (Math.max(entry.rate, entry.seen) * this.#retroWindowMs) / this.#windowMs);
      const compiled = this.#policy(service);
      const decision = this.#decide(compiled, service, pattern, cls, record, entry.seen, entry.windowStart, time);
      const forced = decision.reason === 'severity' || decision.reason === 'rule' || decision.reason === 'first';
      if (decision.keep && decision.reason !== 'boost') this.#boostBudget.notePolicyKeep(service, entry.windowStart);
      const bytes = record.bodyText.length;
      this.#ledger.note(entry, bytes, decision.keep, forced, decision.reason === 'boost');
      if (tape) tape.add(time, service, pattern, cls, record.severityNumber, bytes, record.traceIdBytes, decision.keep, decision.reason === 'boost');
      const outcome = decision.keep ? decision.reason : 'dropped';
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      const classIndex = CLASS_INDEX[cls];
      if (decision.keep) {
        record.attributes.set(SAMPLE_RATE_ATTRIBUTE, 1 / decision.probability);
        record.attributes.set(SAMPLE_COUNT_ATTRIBUTE, 1 + entry.pending[classIndex]!);
        record.attributes.set(SAMPLE_REASON_ATTRIBUTE, decision.reason);
        entry.pending[classIndex] = 0;
        return true;
      }
      if (!dryRun) {
        entry.pending[classIndex]! += 1;
        return false;
      }
      // Dry run: kept anyway, standing for itself only, and marked with what would have happened.
      record.attributes.set(SAMPLE_RATE_ATTRIBUTE, 1);
      record.attributes.set(SAMPLE_COUNT_ATTRIBUTE, 1);
      record.attributes.set(SAMPLE_REASON_ATTRIBUTE, 'dry_run_drop');
      return true;
    }, hold);
    if (tape && this.#anomalies) tape.noteAnomalies(this.#anomalies.open(), this.#latest);
    for (const [decision, n] of tally) this.settings.telemetry.samplerDecisions.inc({ processor: this.settings.id, decision }, n);
    return result;
  }

  #flushLedger(all: boolean): void {
    if (!this.config.ledger.enabled) return;
    const rows = this.#ledger.drain(all);
    if (rows.length === 0) return;
    try {
      this.settings.store.get().addLedger(rows);
    } catch (error) {
      this.settings.logger.error({ err: error, rows: rows.length }, 'could not save the sampling ledger');
    }
    if (this.config.ledger.events) this.#publishLedger(rows);
  }

  /** One event per window and service (patterns as a list, in chunks that keep each event small). */
  #publishLedger(rows: readonly LedgerRow[]): void {
    const groups = new Map<string, LedgerRow[]>();
    for (const row of rows) {
      const key = `${row.window_start}${POOL_KEY_SEPARATOR}${row.service}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(row);
    }
    for (const group of groups.values()) {
      for (let at = 0; at < group.length; at += LEDGER_PATTERNS_PER_EVENT) {
        const chunk = group.slice(at, at + LEDGER_PATTERNS_PER_EVENT);
        const sum = (pick: (r: LedgerRow) => number) => chunk.reduce((n, r) => n + pick(r), 0);
        this.settings.events.publish({
          name: LEDGER_EVENT,
          timestamp: chunk[0]!.window_start,
          properties: {
            service: chunk[0]!.service,
            window_start: new Date(chunk[0]!.window_start).toISOString(),
            window_seconds: this.#windowMs / 1000,
            seen: sum((r) => r.seen),
            kept: sum((r) => r.kept),
            dropped: sum((r) => r.dropped),
            bytes_seen: sum((r) => r.bytes_seen),
            bytes_kept: sum((r) => r.bytes_kept),
            boosted: sum((r) => r.boosted),
            bytes_boosted: sum((r) => r.bytes_boosted),
            patterns: chunk.map((r) => ({ pattern_id: r.pattern, seen: r.seen, kept: r.kept, dropped: r.dropped, bytes_seen: r.bytes_seen, bytes_kept: r.bytes_kept, boosted: r.boosted, bytes_boosted: r.bytes_boosted })),
          },
        });
      }
    }
  }

  async start(): Promise<void> {
    // Optional: with an anomaly processor before it, the sampler boosts and retro-flushes.
    this.#anomalies = this.settings.shared.lookup(ANOMALIES);
    this.#rates = this.settings.shared.lookup(RATE_STATS);
    this.#running = true;
    const interval = parseDuration(this.config.ledger.flush_interval)!;
    const tick = () => {
      if (!this.#running) return;
      this.#flushLedger(false);
      this.#timer = this.settings.clock.setTimeout(tick, interval);
    };
    this.#timer = this.settings.clock.setTimeout(tick, interval);
  }

  async shutdown(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.settings.clock.clearTimeout(this.#timer);
    this.#flushLedger(true);
  }
}

export const samplerProcessorFactory: ProcessorFactory<SamplerConfig> = {
  kind: 'processor',
  type: 'sampler',
  defaultConfig: () => ({
    window: '1m',
    time: 'arrival',
    keep_at_or_above: 'ERROR',
    min_keep: 0.001,
    dry_run: false,
    pattern_attribute: 'logsift.pattern.id',
    policy: defaultPolicy(),
    services: {},
    ledger: { enabled: true, flush_interval: '10s', events: true },
    retro: { enabled: true, window: '60s', max_per_pattern: 200, max_total: 10_000 },
    boost: { budget_share: 1, burst_windows: 60 },
    tape: { enabled: true, window: '10m', max_records: 100_000 },
  }),
  validate,
  create: (settings, config) => new Sampler(settings, config),
};
