// The `sampler` processor: decides per record whether to keep it, under a policy per service.
// Always kept, whatever the policy says: severity at or above `keep_at_or_above` (ERROR at most — an invariant
// no policy lowers), the first `first_k_per_window` records of every pattern in every window, records matching
// a keep rule. The rest are kept with the policy's probability — static (per pattern, else per severity) or
// dynamic (a budget shared across patterns by log-weighted fairness) — decided by the trace id when there is
// one, so a request's records are kept together (decision.ts). Kept records carry `logsift.sample_rate` (1 /
// the keep probability), `logsift.sample_count` (how many records it stands for: itself and the records of
// its pattern and severity dropped since the last one kept — summing it gives counts exact up to the records
// dropped after the last kept one) and `logsift.sample_reason`. Every decision is counted in an exact ledger
// per window and pattern, saved to the store and published as an event per window and service. Dry run keeps
// everything and tags what would have been dropped. Policies set at run time (the policy board: tuner, control
// API) replace the config's for their service between two batches; the recent traffic is kept on a tape that
// the tuner replays candidate policies over. This file wires the parts: config.ts, decision.ts,
// budget_shares.ts, boost_gate.ts and boost_budget.ts, ledger.ts and ledger_events.ts, retro_buffer.ts,
// traffic_tape.ts. A record that arrives with `logsift.sample_count` was sampled upstream (an SDK, a sidecar)
// and passes as it came: counted in the ledger as seen and kept, never drawn for again.
import { mergeMap, of } from 'rxjs';
import { parseDuration } from '../../config/duration.js';
import { LogBatch, type HeldRecord, type LogRecordView, type RecordGroup } from '../../pipeline/batch.js';
import type { Processor, ProcessorFactory, ProcessorSettings } from '../../pipeline/component.js';
import { countedOperator } from '../../pipeline/processor_helper.js';
import { ANOMALIES, type AnomalyView } from '../anomaly/factory.js';
import { RATE_STATS } from '../ratestats/factory.js';
import type { RateStatsView } from '../ratestats/rate_table.js';
import { SEVERITY_CLASSES, severityClass, severityRank, type SeverityClass } from '../../policy/severity.js';
import { BoostBudget } from './boost_budget.js';
import { BoostGate } from './boost_gate.js';
import { BudgetSharer, freshShares, type BudgetShares } from './budget_shares.js';
import { defaultSamplerConfig, servicePolicy, validateSamplerConfig, type SamplerConfig } from './config.js';
import { decide, type Decision, type DecisionPorts, type DecisionRules } from './decision.js';
import { compileKeepRules, type RecordPredicate } from './keep_rules.js';
import { Ledger, type LedgerRow } from './ledger.js';
import { ledgerEvents } from './ledger_events.js';
import type { Policy } from '../../policy/policy.js';
import { replayPolicy } from './replay.js';
import { RetroBuffer } from './retro_buffer.js';
import { SAMPLE_COUNT_ATTRIBUTE, SAMPLE_RATE_ATTRIBUTE, SAMPLE_REASON_ATTRIBUTE } from './sample_attributes.js';
import { traceDraw } from './trace_hash.js';
import { AlertEvidence, CHANGE_KEYS, evidenceLine } from './alert_evidence.js';
import { RecordLines } from './record_lines.js';
import { SAMPLER_TRAFFIC, TrafficTape } from '../../policy/traffic_tape.js';
import { samplerMetrics } from './metrics.js';

export type { SamplerConfig } from './config.js';

/** A `logsift.sample_count` a record arrived with: a whole number of records it stands for (0 for a retro flush's). */
const sampledUpstream = (count: unknown): boolean => (typeof count === 'number' && Number.isInteger(count) && count >= 0) || (typeof count === 'bigint' && count >= 0n);

const CLASS_INDEX = Object.fromEntries(SEVERITY_CLASSES.map((c, i) => [c, i])) as Record<SeverityClass, number>;

// Retro-flushed records were already answered for and are re-emitted on top, so nothing waits on them.
const IGNORED_ACK = { settle: () => undefined };

interface CompiledPolicy {
  policy: Policy;
  rules: RecordPredicate;
  decision: DecisionRules;
  /** This service's own shares (scope `service`). */
  dynamic: BudgetShares;
}

const NANOS_PER_MS = 1_000_000n;

class Sampler implements Processor {
  readonly operator;
  readonly #ledger: Ledger;
  readonly #windowMs: number;
  readonly #compiled = new Map<string, CompiledPolicy>();
  readonly #keepRank: number;
  readonly #retro: RetroBuffer | undefined;
  readonly #retroWindowMs: number;
  readonly #boostGate: BoostGate;
  readonly #boostBudget: BoostBudget;
  readonly #decisions: ReturnType<typeof samplerMetrics>['decisions'];
  readonly #wireBytes: ReturnType<typeof samplerMetrics>['wireBytes'];
  readonly #sharer: BudgetSharer;
  /** The record being decided, for the decision's ports (one object, not closures per record). */
  readonly #current = { compiled: undefined as unknown as CompiledPolicy, service: '', pattern: '', cls: 'INFO' as SeverityClass, record: undefined as unknown as LogRecordView, seen: 0, windowStart: 0, now: 0 };
  readonly #ports: DecisionPorts;
  #anomalies: AnomalyView | undefined;
  #rates: RateStatsView | undefined;
  readonly #tape: TrafficTape | undefined;
  /** The policy board's generation the compiled policies were built at. */
  #boardGeneration = -1;
  #flushedAnomalies = new Set<string>();
  readonly #evidence = new AlertEvidence();
  readonly #lines = new RecordLines();
  readonly #ledgerListeners = new Set<(rows: readonly LedgerRow[]) => void>();
  #latest = 0;
  #timer: unknown;
  #running = false;

  constructor(
    private readonly settings: ProcessorSettings,
    private readonly config: SamplerConfig,
  ) {
    this.#windowMs = config.window.ms;
    ({ decisions: this.#decisions, wireBytes: this.#wireBytes } = samplerMetrics(settings.telemetry));
    this.#ledger = new Ledger(this.#windowMs);
    this.#sharer = new BudgetSharer(this.#ledger, this.#windowMs, config.min_keep, config.policy, (service) => this.#policy(service).policy);
    this.#boostGate = new BoostGate(this.#windowMs, config.boost.onset.ms);
    this.#ports = this.#decisionPorts();
    this.#boostBudget = new BoostBudget({ share: config.boost.budget_share, burstWindows: config.boost.burst_windows, payback: config.boost.payback });
    this.#keepRank = severityRank(config.keep_at_or_above);
    this.#retroWindowMs = config.retro.window.ms;
    this.#retro = config.retro.enabled ? new RetroBuffer(config.retro.max_per_pattern, config.retro.max_total, this.#retroWindowMs) : undefined;
    this.#tape = config.tape.enabled ? new TrafficTape(config.tape.window.ms, config.tape.max_records) : undefined;
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
    const settings = { window: this.config.window, keep_at_or_above: this.config.keep_at_or_above, min_keep: this.config.min_keep, pattern_attribute: this.config.pattern_attribute };
    this.settings.daemonShared.provide(SAMPLER_TRAFFIC, {
      tape,
      windowMs: this.#windowMs,
      settings,
      rates: () => this.#rates,
      anomalies: () => this.#anomalies,
      policyFor: (service) => {
        this.#followBoard();
        return this.#policy(service).policy;
      },
      configuredPolicy: (service) => servicePolicy(this.config, service),
      services: () => [...this.#ledger.services()],
      evidence: () => this.#evidence,
      lines: () => this.#lines,
      onLedger: (listener) => {
        this.#ledgerListeners.add(listener);
        return () => this.#ledgerListeners.delete(listener);
      },
      replay: (policy, entries, anomalies) => replayPolicy(samplerProcessorFactory, policy, entries, anomalies, { windowMs: this.#windowMs, settings }, this.settings.store),
    });
  }

  /** Run-time policies replace compiled ones between batches: every record of a batch sees one policy. */
  #followBoard(): void {
    const generation = this.settings.policies.generation;
    if (generation === this.#boardGeneration) return;
    this.#boardGeneration = generation;
    this.#compiled.clear();
    this.#sharer.reset();
  }

  #policy(service: string): CompiledPolicy {
    let compiled = this.#compiled.get(service);
    if (!compiled) {
      const policy = this.settings.policies.get(service) ?? servicePolicy(this.config, service);
      compiled = {
        policy,
        rules: compileKeepRules(policy.keep_rules),
        decision: { keepRank: this.#keepRank, hasKeepRules: policy.keep_rules.length > 0, firstK: policy.first_k_per_window, minKeep: this.config.min_keep },
        dynamic: freshShares(),
      };
      this.#compiled.set(service, compiled);
    }
    return compiled;
  }

  #time(record: LogRecordView, arrival: number): number {
    if (this.config.time === 'arrival') return arrival;
    const nanos = record.timeUnixNano || record.observedTimeUnixNano;
    return nanos > 0n ? Number(nanos / NANOS_PER_MS) : arrival;
  }

  /** When an anomaly opens, its pattern's recently dropped records go out after all. */
  #retroFlush(): LogBatch | undefined {
    if (!this.#retro || !this.#anomalies) return undefined;
    const open = this.#anomalies.open();
    const held: HeldRecord[] = [];
    for (const anomaly of open) {
      if (this.#flushedAnomalies.has(anomaly.id)) continue;
      // What led up to it, except under a spike or a rise: there the pattern's earlier records are its usual
      // traffic, and what matters is what was dropped since the excursion began.
      const rise = anomaly.kind === 'spike' || (anomaly.kind === 'level_shift' && anomaly.observed > anomaly.expected);
      const brought = this.#retro.take(anomaly.service, anomaly.pattern, rise ? anomaly.start : this.#latest - this.#retroWindowMs);
      this.#boostBudget.charge(anomaly.service, this.#ledger.windowStart(this.#latest), brought.length);
      held.push(...brought);
    }
    this.#flushedAnomalies = new Set(open.map((a) => a.id));
    if (held.length === 0) return undefined;
    const batch = LogBatch.fromHeld(held, IGNORED_ACK);
    const patternKey = this.config.pattern_attribute;
    const arrival = this.settings.clock.now();
    let sent = 0;
    for (const group of batch.groups()) {
      const service = group.resource.serviceName ?? 'unknown_service';
      for (const record of group.records) {
        const pattern = record.attributes.get(patternKey);
        this.#evidence.line(service, typeof pattern === 'string' ? pattern : '', evidenceLine(record, this.#time(record, arrival), 'retro'));
        // Already represented by the kept records' rates and counts: standing for no one keeps estimates exact.
        if (this.config.attributes.sample_rate) record.attributes.set(SAMPLE_RATE_ATTRIBUTE, 0);
        record.attributes.set(SAMPLE_COUNT_ATTRIBUTE, 0);
        if (this.config.attributes.sample_reason) record.attributes.set(SAMPLE_REASON_ATTRIBUTE, 'retro');
        sent += record.sentBytes;
      }
    }
    this.#decisions.inc({ processor: this.settings.id, decision: 'retro' }, batch.recordCount);
    // Seen when they arrived (and dropped then); kept now.
    this.#wireBytes.inc({ processor: this.settings.id, direction: 'kept' }, sent);
    return batch;
  }

  /** What the decision asks of the sampler's state, about the record in `#current`. */
  #decisionPorts(): DecisionPorts {
    const c = this.#current;
    return {
      matchesRule: () => c.compiled.rules((key) => c.record.attributes.get(key)),
      wanted: () => {
        // A pattern's own rate wins in either mode; dynamic mode shares the budget among the rest, cut while
        // the service repays what its boosts kept.
        const { policy } = c.compiled;
        const own = policy.pattern_keep[c.pattern];
        if (own !== undefined) return own;
        if (policy.mode !== 'dynamic') return policy.severity_keep[c.cls] ?? 1;
        return this.#sharer.probability(policy, c.compiled.dynamic, c.service, c.pattern, c.windowStart, c.now) * this.#boostBudget.paybackFactor(c.service, c.windowStart);
      },
      draw: () => traceDraw(c.record.traceIdBytes),
      boostKeep: () => {
        const anomalies = this.#anomalies;
        if (!anomalies) return undefined;
        const { anomaly_boost } = c.compiled.policy;
        const share = this.#boostGate.boosted(anomalies, anomaly_boost.cooldown_seconds, c.service, c.pattern, c.seen, c.windowStart, c.now);
        if (share === undefined) return undefined;
        return this.#boostBudget.available(c.service, c.windowStart) ? anomaly_boost.keep * share : undefined;
      },
      takeBoost: () => this.#boostBudget.take(c.service, c.windowStart),
    };
  }

  #decide(compiled: CompiledPolicy, service: string, pattern: string, cls: SeverityClass, record: LogRecordView, seenInWindow: number, windowStart: number, now: number): Decision {
    const c = this.#current;
    c.compiled = compiled;
    c.service = service;
    c.pattern = pattern;
    c.cls = cls;
    c.record = record;
    c.seen = seenInWindow;
    c.windowStart = windowStart;
    c.now = now;
    return decide(compiled.decision, severityRank(cls), seenInWindow, this.#ports);
  }

  #sample(batch: LogBatch): LogBatch {
    this.#followBoard();
    const arrival = this.settings.clock.now();
    const patternKey = this.config.pattern_attribute;
    const dryRun = this.config.dry_run;
    const { sample_rate: withRate, sample_reason: withReason } = this.config.attributes;
    // Counted per batch, not per record: a labelled counter's lookup per record costs more than the decision.
    const tally = new Map<string, number>();
    let wireSeen = 0;
    let wireKept = 0;
    const retro = this.#retro;
    let lastPattern = '';
    let lastService = '';
    let lastTime = 0;
    let lastAdmit = 1;
    // A pattern dropping far more than its ring holds would churn it (and the collector) for nothing: records
    // enter with the probability that keeps about one ring's worth per retro window, spread over the window.
    const hold = retro && this.#anomalies ? (held: HeldRecord) => (lastAdmit >= 1 || Math.random() < lastAdmit) && retro.add(lastService, lastPattern, held, lastTime) : undefined;
    const tape = this.#tape;
    const anomalies = this.#anomalies;
    const evidence = this.#evidence;
    const lines = this.#lines;
    for (const group of batch.groups()) this.#noteResource(group, arrival);
    const result = batch.filter((record: LogRecordView, group: RecordGroup) => {
      const service = group.resource.serviceName ?? 'unknown_service';
      const patternValue = record.attributes.get(patternKey);
      const pattern = typeof patternValue === 'string' ? patternValue : '';
      const cls = severityClass(record.severityNumber, record.severityText);
      const time = this.#time(record, arrival);
      if (time > this.#latest) this.#latest = time;
      lastService = service;
      lastPattern = pattern;
      lastTime = time;
      const entry = this.#ledger.entry(service, pattern, time);
      if (sampledUpstream(record.attributes.get(SAMPLE_COUNT_ATTRIBUTE))) {
        // Sampled already where it was logged (an SDK, or a sidecar exporting through this gateway): it stands
        // for the records dropped there, which a second draw here would lose from every count. Kept as it came.
        const bytes = record.bodyText.length;
        const received = record.receivedBytes;
        const sent = record.sentBytes;
        wireSeen += received;
        wireKept += sent;
        this.#ledger.note(entry, bytes, received, true, true, false, CLASS_INDEX[cls]);
        this.#ledger.noteSent(entry, sent, false);
        tally.set('upstream', (tally.get('upstream') ?? 0) + 1);
        lines.kept(service, pattern, record, time, arrival);
        return true;
      }
      if (retro) lastAdmit = this.config.retro.max_per_pattern / Math.max(1, (Math.max(entry.rate, entry.seen) * this.#retroWindowMs) / this.#windowMs);
      const compiled = this.#policy(service);
      const decision = this.#decide(compiled, service, pattern, cls, record, entry.seen, entry.windowStart, time);
      const forced = decision.reason === 'severity' || decision.reason === 'rule' || decision.reason === 'first';
      if (decision.keep && decision.reason !== 'boost') this.#boostBudget.notePolicyKeep(service, entry.windowStart);
      const bytes = record.bodyText.length;
      const received = record.receivedBytes;
      wireSeen += received;
      this.#ledger.note(entry, bytes, received, decision.keep, forced, decision.reason === 'boost', CLASS_INDEX[cls]);
      if (tape) tape.add(time, service, pattern, cls, record.severityNumber, bytes, record.traceIdBytes, decision.keep, decision.reason === 'boost');
      const outcome = decision.keep ? decision.reason : 'dropped';
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      const classIndex = CLASS_INDEX[cls];
      if (lines.tailing) lines.decided(service, pattern, record, time, arrival, decision.keep, outcome);
      if (decision.keep) {
        if (withRate) record.attributes.set(SAMPLE_RATE_ATTRIBUTE, 1 / decision.probability);
        record.attributes.set(SAMPLE_COUNT_ATTRIBUTE, 1 + entry.pending[classIndex]!);
        if (withReason) record.attributes.set(SAMPLE_REASON_ATTRIBUTE, decision.reason);
        entry.pending[classIndex] = 0;
        const sent = record.sentBytes;
        wireKept += sent;
        this.#ledger.noteSent(entry, sent, decision.reason === 'boost');
        if (anomalies?.isOpenFor(service, pattern)) evidence.line(service, pattern, evidenceLine(record, time, 'kept'));
        lines.kept(service, pattern, record, time, arrival);
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
      wireKept += record.sentBytes;
      return true;
    }, hold);
    if (tape && this.#anomalies) tape.noteAnomalies(this.#anomalies.open(), this.#latest);
    for (const [decision, n] of tally) this.#decisions.inc({ processor: this.settings.id, decision }, n);
    this.#wireBytes.inc({ processor: this.settings.id, direction: 'seen' }, wireSeen);
    this.#wireBytes.inc({ processor: this.settings.id, direction: 'kept' }, wireKept);
    return result;
  }

  /** A group's resource values that name a release or a deployment (what an alert says changed before it). */
  #noteResource(group: RecordGroup, arrival: number): void {
    const service = group.resource.serviceName ?? 'unknown_service';
    const first = group.records[0];
    const at = first ? this.#time(first, arrival) : arrival;
    for (const key of CHANGE_KEYS) {
      const value = group.resource.attributes.get(key);
      if (typeof value === 'string' && value !== '') this.#evidence.resource(service, key, value, at);
    }
  }

  #flushLedger(all: boolean): void {
    // Drained even when nothing keeps the rows, so closed windows never pile up.
    const rows = this.#ledger.drain(all);
    if (!this.config.ledger.enabled || rows.length === 0) return;
    try {
      this.settings.store.get().addLedger(rows);
    } catch (error) {
      this.settings.logger.error({ err: error, rows: rows.length }, 'could not save the sampling ledger');
    }
    if (this.config.ledger.events) for (const event of ledgerEvents(rows, this.#windowMs)) this.settings.events.publish(event);
    for (const listener of this.#ledgerListeners) {
      try {
        listener(rows);
      } catch (error) {
        this.settings.logger.error({ err: error }, 'a reader of the sampling ledger failed');
      }
    }
  }

  async start(): Promise<void> {
    // Optional: with an anomaly processor before it, the sampler boosts and retro-flushes.
    this.#anomalies = this.settings.shared.lookup(ANOMALIES);
    this.#rates = this.settings.shared.lookup(RATE_STATS);
    this.#running = true;
    const interval = this.config.ledger.flush_interval.ms;
    const tick = () => {
      if (!this.#running) return;
      // On record time, "now" is the newest record's time: a window ends when the traffic says so.
      const now = this.config.time === 'arrival' ? this.settings.clock.now() : this.#latest;
      this.#ledger.closeEnded(now);
      this.#ledger.forgetIdle(now);
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
  placement: { uses: ['redaction', 'patterns', 'rate statistics', 'anomalies'] },
  defaultConfig: defaultSamplerConfig,
  validate: validateSamplerConfig,
  create: (settings, config) => new Sampler(settings, config),
};
