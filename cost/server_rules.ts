// An analysis turned into PostHog's own server-side sampling rules (../shared/contracts/posthog.md, "PostHog's
// server-side sampling rules"), for users who will not deploy a daemon: one `severity_sampling` rule per
// service, each level sampled at the share of it logsift's policy kept in the replay, ERROR and above
// always kept. What such a rule cannot do is said with it and estimated: it samples every record of a
// level alike, so it has no first-K (a quiet pattern's window may go unseen), no anomaly boost and no retro
// flush; the volume matches, the coverage does not.
import type { ServiceAnalysis } from './analysis.js';

/** PostHog's levels in a rule's `actions`. */
export const RULE_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];
export type RuleAction = { type: 'keep' } | { type: 'drop' } | { type: 'sample'; rate: number };

export interface ServerRule {
  name: string;
  enabled: boolean;
  priority: number;
  rule_type: 'severity_sampling';
  scope_service: string;
  config: { actions: Record<RuleLevel, RuleAction> };
}

/** A rule as PostHog keeps it. */
export interface StoredRule extends ServerRule {
  id: string;
  version: number;
}

export interface RuleEstimate {
  service: string;
  records_seen: number;
  /** Expected under the rule (logsift's own policy kept `logsift_kept`). */
  records_kept: number;
  logsift_kept: number;
  /** Pattern-windows without an ERROR, and how many of them the rule is expected to leave without a record (logsift: none). */
  quiet_pattern_windows: number;
  pattern_windows_unseen: number;
}

/** Rules logsift writes are named so; a rule of another name is never touched. */
export const RULE_PREFIX = 'logsift: ';

/** logsift's classes in PostHog's levels (TRACE with DEBUG, FATAL with ERROR, unset with INFO). */
const LEVEL_OF: Record<string, RuleLevel> = { UNSPECIFIED: 'INFO', TRACE: 'DEBUG', DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARN', ERROR: 'ERROR', FATAL: 'ERROR' };

/** A share as a rate PostHog takes, rounded up (never below what logsift kept) to four decimals. */
function action(seen: number, kept: number): RuleAction {
  if (seen === 0 || kept >= seen) return { type: 'keep' };
  if (kept === 0) return { type: 'drop' };
  return { type: 'sample', rate: Math.max(0.0001, Math.ceil((kept / seen) * 10_000) / 10_000) };
}

function rate(a: RuleAction): number {
  return a.type === 'keep' ? 1 : a.type === 'drop' ? 0 : a.rate;
}

/** The rule for one service, or undefined when the analysis has no per-level counts (a ledger-only report). */
export function serviceRule(analysis: ServiceAnalysis, priority: number): { rule: ServerRule; estimate: RuleEstimate } | undefined {
  if (!analysis.severities) return undefined;
  const levels = new Map<RuleLevel, { seen: number; kept: number }>();
  for (const [cls, counts] of Object.entries(analysis.severities)) {
    const level = LEVEL_OF[cls]!;
    const sum = levels.get(level) ?? { seen: 0, kept: 0 };
    levels.set(level, { seen: sum.seen + counts!.seen, kept: sum.kept + counts!.kept });
  }
  const actions = Object.fromEntries(
    RULE_LEVELS.map((level) => {
      const counts = levels.get(level) ?? { seen: 0, kept: 0 };
      return [level, level === 'ERROR' ? { type: 'keep' } : action(counts.seen, counts.kept)];
    }),
  ) as Record<RuleLevel, RuleAction>;
  let expected = 0;
  let nonErrorSeen = 0;
  let nonErrorExpected = 0;
  for (const [level, counts] of levels) {
    expected += counts.seen * rate(actions[level]);
    if (level !== 'ERROR') {
      nonErrorSeen += counts.seen;
      nonErrorExpected += counts.seen * rate(actions[level]);
    }
  }
  // A window's records are taken each with the service's mean rate below ERROR: it goes unseen with (1-r)^n.
  const meanRate = nonErrorSeen === 0 ? 1 : nonErrorExpected / nonErrorSeen;
  let quiet = 0;
  let unseen = 0;
  for (const [records, windows] of analysis.window_sizes) {
    quiet += windows;
    unseen += windows * (1 - meanRate) ** records;
  }
  return {
    rule: { name: `${RULE_PREFIX}${analysis.service}`, enabled: true, priority, rule_type: 'severity_sampling', scope_service: analysis.service, config: { actions } },
    estimate: {
      service: analysis.service,
      records_seen: analysis.records_seen,
      records_kept: Math.round(expected),
      logsift_kept: analysis.records_kept,
      quiet_pattern_windows: quiet,
      pattern_windows_unseen: Math.round(unseen),
    },
  };
}

export interface PlannedRule {
  service: string;
  change: 'create' | 'update' | 'unchanged';
  rule: ServerRule;
  id: string | null;
  version: number | null;
  estimate: RuleEstimate;
}

/** The fields logsift writes: a rule in place that matches them on all is left as it is. */
function sameRule(a: ServerRule, b: StoredRule): boolean {
  return a.enabled === b.enabled && a.priority === b.priority && a.rule_type === b.rule_type && a.scope_service === b.scope_service && JSON.stringify(a.config) === JSON.stringify(b.config);
}

/** What to create, update or leave, matched by name; `others` are the rules in place logsift would not write. */
export function planRules(wanted: ReadonlyArray<{ rule: ServerRule; estimate: RuleEstimate }>, existing: readonly StoredRule[]): { plan: PlannedRule[]; others: StoredRule[] } {
  const plan = wanted.map(({ rule, estimate }): PlannedRule => {
    const inPlace = existing.find((r) => r.name === rule.name);
    const change = !inPlace ? 'create' : sameRule(rule, inPlace) ? 'unchanged' : 'update';
    return { service: rule.scope_service, change, rule, id: inPlace?.id ?? null, version: inPlace?.version ?? null, estimate };
  });
  return { plan, others: existing.filter((r) => !plan.some((p) => p.rule.name === r.name)) };
}

/** What server-side rules cannot do, said with every plan. */
export const SERVER_RULE_LIMITS = [
  'a server-side rule samples every record of a level alike: no first record of each pattern and window, so quiet patterns can go unseen',
  'no anomaly boost: a spike or a new error pattern is sampled like any other record of its level (ERROR and above are kept)',
  'no retro flush: what was dropped before an incident is gone',
  'no exact counts: kept records carry no sample count',
  'whether records dropped by PostHog\'s rules are still billed is not documented',
];
