// Sampling at the source: the daemon's own miner and decision, run in the application before a record is
// sent. The parts are the daemon's modules (bundled into the package, so this SDK cannot drift from them):
// the template miner gives the pattern id, the ledger counts each pattern's window, dynamic mode shares the
// budget as the daemon's sampler does, and the decision is the daemon's — severity, keep rules, first K, then
// the policy's probability drawn from the trace id. What a source cannot do is boost: anomalies are found at
// the daemon, so a record dropped here is not brought back (kept records still stand for it exactly, through
// `logsift.sample_count`, and the drops are reported to the daemon with each window).
import { BudgetSharer, freshShares, type BudgetShares } from '../../../processors/sampler/budget_shares.js';
import { decide, type DecisionPorts } from '../../../processors/sampler/decision.js';
import { compileKeepRules, type RecordPredicate } from '../../../processors/sampler/keep_rules.js';
import { Ledger } from '../../../processors/sampler/ledger.js';
import type { SampleReason } from '../../../processors/sampler/sample_attributes.js';
import { traceUniform } from '../../../processors/sampler/trace_hash.js';
import { bodySignature } from '../../../processors/signature/structured_body.js';
import { DEFAULT_MINER_OPTIONS, TemplateMiner } from '../../../processors/signature/template_miner.js';
import { ALWAYS_KEPT_FROM, KEEP_FLOOR } from '../../../policy/invariants.js';
import { defaultPolicy } from '../../../policy/default_policy.js';
import type { Policy } from '../../../policy/policy.js';
import { SEVERITY_CLASSES, severityClass, severityRank, type SeverityClass } from '../../../policy/severity.js';
import type { AttributeValue } from '../../../pipeline/any_value.js';

export interface SourceSamplerOptions {
  /** The sampler window: the daemon's (`processors.sampler.window`), 60 s by default. */
  windowSeconds?: number;
  /** The daemon's `min_keep`: no probability below it. */
  minKeep?: number;
  /** The daemon's `keep_at_or_above`: this severity and above are always kept (ERROR at most). */
  keepAtOrAbove?: SeverityClass;
  /** Patterns kept per service before the least recently used are forgotten. */
  maxPatterns?: number;
}

export interface SourceRecord {
  service: string;
  /** A string, or a map (structured logging): a map is signed by its message and its keys, as the daemon does. */
  body: unknown;
  severityNumber?: number;
  severityText?: string;
  /** Record time in ms since the epoch: windows are the daemon's, aligned to the epoch. */
  timeMs: number;
  /** W3C trace id as 32 hex digits or 16 bytes: a request's records are kept or dropped together. */
  traceId?: string | Uint8Array;
  attributes?: Readonly<Record<string, unknown>>;
}

export interface SourceDecision {
  keep: boolean;
  patternId: string;
  template: string;
  /** For a kept record: the records it stands for (itself and those of its pattern and severity dropped since). */
  sampleCount: number;
  /** 1 / the probability the record was kept (or dropped) with. */
  sampleRate: number;
  reason: SampleReason;
}

/** One pattern's completed window: what the source saw and kept (the daemon's ledger row, as reported). */
export interface SourceWindow {
  service: string;
  pattern: string;
  window_start: number;
  seen: number;
  kept: number;
  bytes_seen: number;
  bytes_kept: number;
  /** Records seen per severity class, in the daemon's class order (UNSPECIFIED … FATAL). */
  seen_by_class: number[];
}

type CompiledPolicy = { policy: Policy; rules: RecordPredicate; shares: BudgetShares };

const CLASS_INDEX = Object.fromEntries(SEVERITY_CLASSES.map((c, i) => [c, i])) as Record<SeverityClass, number>;
const HEX = /^[0-9a-f]{32}$/i;

/** A trace id's bytes; none for an absent, malformed or all-zero id (W3C: invalid, no trace). */
function traceBytes(id: string | Uint8Array | undefined): Uint8Array | undefined {
  if (id === undefined) return undefined;
  let bytes: Uint8Array;
  if (typeof id === 'string') {
    if (!HEX.test(id)) return undefined;
    bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = parseInt(id.slice(2 * i, 2 * i + 2), 16);
  } else {
    bytes = id;
  }
  return bytes.some((b) => b !== 0) ? bytes : undefined;
}

function bodyLength(body: unknown, signed: string): number {
  if (typeof body === 'string') return body.length;
  if (body === undefined || body === null) return 0;
  try {
    return JSON.stringify(body)?.length ?? signed.length;
  } catch {
    return signed.length;
  }
}

export class SourceSampler {
  readonly windowMs: number;
  readonly #miner: TemplateMiner;
  readonly #ledger: Ledger;
  readonly #sharer: BudgetSharer;
  readonly #keepRank: number;
  readonly #minKeep: number;
  #base: Policy = defaultPolicy();
  readonly #policies = new Map<string, Policy>();
  readonly #compiled = new Map<string, CompiledPolicy>();
  readonly #current = { compiled: undefined as unknown as CompiledPolicy, service: '', pattern: '', cls: 'INFO' as SeverityClass, record: undefined as unknown as SourceRecord, trace: undefined as Uint8Array | undefined, windowStart: 0, now: 0 };
  readonly #ports: DecisionPorts;

  constructor(options: SourceSamplerOptions = {}) {
    this.windowMs = (options.windowSeconds ?? 60) * 1000;
    this.#minKeep = options.minKeep ?? KEEP_FLOOR;
    const keepFrom = options.keepAtOrAbove ?? ALWAYS_KEPT_FROM;
    this.#keepRank = Math.min(severityRank(keepFrom), severityRank(ALWAYS_KEPT_FROM));
    this.#miner = new TemplateMiner({ ...DEFAULT_MINER_OPTIONS, maxPatternsPerService: options.maxPatterns ?? DEFAULT_MINER_OPTIONS.maxPatternsPerService });
    this.#ledger = new Ledger(this.windowMs);
    this.#sharer = new BudgetSharer(this.#ledger, this.windowMs, this.#minKeep, this.#base, (service) => this.policyOf(service));
    const c = this.#current;
    this.#ports = {
      matchesRule: () => c.compiled.rules((key) => c.record.attributes?.[key] as AttributeValue | undefined),
      wanted: () => {
        const { policy } = c.compiled;
        const own = policy.pattern_keep[c.pattern];
        if (own !== undefined) return own;
        if (policy.mode !== 'dynamic') return policy.severity_keep[c.cls] ?? 1;
        return this.#sharer.probability(policy, c.compiled.shares, c.service, c.pattern, c.windowStart, c.now);
      },
      draw: () => (c.trace ? traceUniform(c.trace) : Math.random()),
      boostKeep: () => undefined,
      takeBoost: () => false,
    };
  }

  /** The policy in force for a service (its own, else the one set for every service, else the default). */
  policyOf(service: string): Policy {
    return this.#policies.get(service) ?? this.#base;
  }

  /** Puts a policy in force between two records: for its service, or for every service when it is `*`. */
  setPolicy(policy: Policy): void {
    if (policy.service === '*') this.#base = policy;
    else this.#policies.set(policy.service, policy);
    this.#compiled.clear();
    this.#sharer.reset();
  }

  #compile(service: string): CompiledPolicy {
    let compiled = this.#compiled.get(service);
    if (!compiled) {
      const policy = this.policyOf(service);
      compiled = { policy, rules: compileKeepRules(policy.keep_rules), shares: freshShares() };
      this.#compiled.set(service, compiled);
    }
    return compiled;
  }

  decide(record: SourceRecord): SourceDecision {
    const text = bodySignature(record.body, () => (record.body === undefined || record.body === null ? '' : String(record.body)));
    const pattern = this.#miner.add(record.service, text, record.timeMs);
    const cls = severityClass(record.severityNumber ?? 0, record.severityText ?? '');
    const entry = this.#ledger.entry(record.service, pattern.id, record.timeMs);
    const compiled = this.#compile(record.service);
    const c = this.#current;
    c.compiled = compiled;
    c.service = record.service;
    c.pattern = pattern.id;
    c.cls = cls;
    c.record = record;
    c.trace = traceBytes(record.traceId);
    c.windowStart = entry.windowStart;
    c.now = record.timeMs;
    const decision = decide({ keepRank: this.#keepRank, hasKeepRules: compiled.policy.keep_rules.length > 0, firstK: compiled.policy.first_k_per_window, minKeep: this.#minKeep }, severityRank(cls), entry.seen, this.#ports);
    const forced = decision.reason === 'severity' || decision.reason === 'rule' || decision.reason === 'first';
    const classIndex = CLASS_INDEX[cls];
    // Bytes as the daemon counts them: the body's text (a string verbatim, a map as JSON), not the signature.
    this.#ledger.note(entry, bodyLength(record.body, text), 0, decision.keep, forced, false, classIndex);
    let sampleCount = 0;
    if (decision.keep) {
      sampleCount = 1 + entry.pending[classIndex]!;
      entry.pending[classIndex] = 0;
    } else {
      entry.pending[classIndex]! += 1;
    }
    return { keep: decision.keep, patternId: pattern.id, template: pattern.template, sampleCount, sampleRate: 1 / decision.probability, reason: decision.reason };
  }

  /** Windows completed by `nowMs` (or every window, `all`): what the daemon is told the source saw and kept. */
  windows(nowMs: number, all = false): SourceWindow[] {
    this.#ledger.closeEnded(nowMs);
    const windows = this.#ledger.drain(all);
    this.#ledger.forgetIdle(nowMs);
    return windows;
  }

  /** The template a pattern id stands for now (for the daemon's catalog), when the miner still holds it. */
  template(service: string, id: string): string | undefined {
    return this.#miner.holders(service, this.#miner.resolve(id))[0]?.template;
  }
}
