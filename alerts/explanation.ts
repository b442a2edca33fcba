// What an alert's explanation may say, and what it must rest on. The context an author sees is the alert's
// own facts — findings (F1, F2…) with their patterns' redacted templates, rates and sample lines (F1.L1…),
// changes before it (C1…) — as fenced JSON, every text redacted. A reply must match a strict schema: a headline, the impact, probable causes
// each with a confidence and the evidence it rests on, next steps, and whether the author is confident at all.
// A cause citing nothing that is in the context (an invented pattern, a finding that does not exist) is
// dropped; every text is masked again (a reply may echo personal data back); with no cause left, or the author
// not confident, the explanation says so — "no confident explanation" — rather than guess.
import { compileConfigSchema } from '../config/schema_validator.js';
import { redactLine } from '../tuner/redact.js';
import type { Alert } from './alert_engine.js';

export interface ExplanationContext {
  service: string;
  severity: string;
  opened_at: string;
  findings: Array<{ id: string; kind: string; pattern_id: string | null; template: string | null; since: string; observed: number; expected: number; error_records: boolean; lines: Array<{ id: string; severity: string; text: string; brought_back: boolean }> }>;
  changes_before: Array<{ id: string; kind: string; minutes_before: number; version?: number; key?: string; from?: string | null; to?: string }>;
}

export interface Cause {
  cause: string;
  confidence: number;
  evidence: string[];
}

export type Explanation =
  | { status: 'explained'; headline: string; impact: string; causes: Cause[]; next_steps: string[]; dropped_causes: number; author: string; model: string | null }
  | { status: 'no_confident_explanation'; headline: string; next_steps: string[]; dropped_causes: number; author: string; model: string | null }
  | { status: 'unavailable'; reason: string; author: string; model: string | null };

const TEXT = 400;
const STEPS = 5;
const CAUSES = 5;

export const EXPLANATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['headline', 'impact', 'causes', 'next_steps', 'confident'],
  properties: {
    headline: { type: 'string', maxLength: 300 },
    impact: { type: 'string', maxLength: 1000 },
    causes: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cause', 'confidence', 'evidence'],
        properties: { cause: { type: 'string', maxLength: 1000 }, confidence: { type: 'number', minimum: 0, maximum: 1 }, evidence: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 100 } } },
      },
    },
    next_steps: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 1000 } },
    confident: { type: 'boolean' },
  },
};

const checkReply = compileConfigSchema(EXPLANATION_SCHEMA);

export function explanationContext(alert: Alert): ExplanationContext {
  return {
    service: redactLine(alert.service, 100),
    severity: alert.severity,
    opened_at: new Date(alert.openedAt).toISOString(),
    findings: alert.findings.map((f, i) => ({
      id: `F${i + 1}`,
      kind: f.kind,
      pattern_id: f.pattern || null,
      template: f.template ?? null,
      since: new Date(f.start).toISOString(),
      observed: f.observed,
      expected: f.expected,
      error_records: f.error,
      // Redacted when gathered; masked again here, as everything an author sees is.
      lines: (f.samples ?? []).map((l, j) => ({ id: `F${i + 1}.L${j + 1}`, severity: l.severity, text: redactLine(l.body, TEXT), brought_back: l.how === 'retro' })),
    })),
    changes_before: (alert.changes ?? []).map((c, i) => {
      const base = { id: `C${i + 1}`, kind: `${c.kind} change`, minutes_before: Math.round((alert.openedAt - c.at) / 60_000) };
      return c.kind === 'policy' ? { ...base, version: c.version } : { ...base, key: c.key, from: c.from, to: c.to };
    }),
  };
}

/** What a cause may cite: the findings', lines' and changes' ids, and the patterns' ids. */
function citable(context: ExplanationContext): Set<string> {
  return new Set([...context.findings.flatMap((f) => [f.id, ...f.lines.map((l) => l.id), ...(f.pattern_id ? [f.pattern_id] : [])]), ...context.changes_before.map((c) => c.id)]);
}

const mask = (text: string, max = TEXT) => redactLine(text, max);

/** A reply's text checked against the schema and the context: the explanation to show. */
export function readExplanation(text: string, context: ExplanationContext, author: string, model: string | null, minConfidence: number): Explanation {
  const unfenced = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*)\n```$/, '$1');
  let value: unknown;
  try {
    value = JSON.parse(unfenced);
  } catch (error) {
    return { status: 'unavailable', reason: `the reply is not JSON: ${(error as Error).message}`, author, model };
  }
  const problems = checkReply(value);
  if (problems.length > 0) return { status: 'unavailable', reason: `the reply does not match the schema: ${problems.map((p) => `${p.path || '(reply)'}: ${p.message}`).join('; ').slice(0, 300)}`, author, model };
  const reply = value as { headline: string; impact: string; causes: Cause[]; next_steps: string[]; confident: boolean };
  const known = citable(context);
  const kept: Cause[] = [];
  let dropped = 0;
  for (const c of reply.causes) {
    const evidence = c.evidence.filter((e) => known.has(e));
    // Evidence is all or nothing: a cause resting partly on something invented is not trusted either.
    if (evidence.length === 0 || evidence.length < c.evidence.length || c.confidence < minConfidence) {
      dropped += 1;
      continue;
    }
    kept.push({ cause: mask(c.cause), confidence: c.confidence, evidence });
  }
  kept.sort((a, b) => b.confidence - a.confidence);
  const steps = reply.next_steps.slice(0, STEPS).map((s) => mask(s));
  const headline = mask(reply.headline, 200);
  if (!reply.confident || kept.length === 0) return { status: 'no_confident_explanation', headline, next_steps: steps, dropped_causes: dropped, author, model };
  return { status: 'explained', headline, impact: mask(reply.impact), causes: kept.slice(0, CAUSES), next_steps: steps, dropped_causes: dropped, author, model };
}

/** A release or deployment this close before an alert is what the built-in author names as a probable cause. */
const RELEASE_BEFORE_MINUTES = 15;

/**
 * The built-in author: it names what happened from the findings and points at where to look. It abstains on
 * the cause — the findings alone do not say why (the rates are counted before sampling, so not even a policy
 * change explains them) — except a new release or deployment of the service just before, named as a
 * probable cause at modest confidence, resting on the change and the findings.
 */
export function rulesExplanation(context: ExplanationContext): Explanation {
  const kinds = [...new Set(context.findings.map((f) => f.kind))].join(', ');
  const patterns = context.findings.filter((f) => f.pattern_id);
  const headline = `${context.service}: ${kinds}${patterns.length > 0 ? ` on ${patterns.length} pattern${patterns.length === 1 ? '' : 's'}` : ''}`;
  const release = context.changes_before.filter((c) => c.kind === 'resource change' && c.minutes_before <= RELEASE_BEFORE_MINUTES).at(-1);
  const next_steps = [
    ...patterns.slice(0, 3).map((f) => `Look at the kept lines of pattern ${f.pattern_id}${f.template ? ` (${f.template})` : ''} since ${f.since}.`),
    release ? `Compare ${release.key} ${release.to} with ${release.from ?? 'the version before'}; roll back if it is the cause.` : 'Check what was deployed or changed in the service just before the alert opened.',
  ];
  if (!release) return { status: 'no_confident_explanation', headline, next_steps, dropped_causes: 0, author: 'rules', model: null };
  const cause = { cause: `${release.key} became ${release.to} ${release.minutes_before} min before the alert opened.`, confidence: 0.5, evidence: [release.id, ...context.findings.map((f) => f.id)] };
  return { status: 'explained', headline, impact: `${context.findings.length} finding${context.findings.length === 1 ? '' : 's'} on ${context.service} since the change.`, causes: [cause], next_steps, dropped_causes: 0, author: 'rules', model: null };
}
