// One record's keep/drop decision, with nothing else in it: severity at or above the kept rank is kept, then a
// matching keep rule, then the first K of the pattern's window; the rest are kept with the policy's
// probability, never below the floor `minKeep`, drawn from the trace id when there is one. A boosted pattern
// keeps more (up to the boost's probability), but only what its bucket pays for. What the decision needs
// from the sampler's state comes through `DecisionPorts`, asked only when the decision gets that far (a
// share-out or a boost check costs more than the decision itself).
import type { SampleReason } from './sample_attributes.js';

export interface Decision {
  keep: boolean;
  /** The probability the record was kept (or dropped) with: 1 / it is `logsift.sample_rate`. */
  probability: number;
  reason: Exclude<SampleReason, 'retro' | 'dry_run_drop'>;
}

/** The parts of the decision fixed for a service's policy. */
export interface DecisionRules {
  /** Severity rank at or above which everything is kept. */
  keepRank: number;
  hasKeepRules: boolean;
  firstK: number;
  /** No probability goes below this, whatever a policy asks. */
  minKeep: number;
}

export interface DecisionPorts {
  /** Whether a keep rule matches the record. */
  matchesRule(): boolean;
  /** The probability the policy wants for the record (its pattern's, its budget share or its severity's). */
  wanted(): number;
  /** A uniform draw in [0, 1): the trace id's when there is one, so a request's records go together. */
  draw(): number;
  /** The boost's keep probability when the pattern is boosted and its bucket has room; else undefined. */
  boostKeep(): number | undefined;
  /** Spends one boosted record from the bucket; false (nothing spent) when it is empty. */
  takeBoost(): boolean;
}

export function decide(rules: DecisionRules, severityRank: number, seenInWindow: number, ports: DecisionPorts): Decision {
  if (severityRank >= rules.keepRank) return { keep: true, probability: 1, reason: 'severity' };
  if (rules.hasKeepRules && ports.matchesRule()) return { keep: true, probability: 1, reason: 'rule' };
  if (seenInWindow < rules.firstK) return { keep: true, probability: 1, reason: 'first' };
  const policyProbability = Math.min(1, Math.max(rules.minKeep, ports.wanted()));
  const draw = ports.draw();
  const boostKeep = ports.boostKeep();
  // Not boosted, or an empty bucket: the record is the policy's, at the policy's probability (so that
  // `logsift.sample_rate` stays the probability each record was really kept with).
  if (boostKeep === undefined) return { keep: draw < policyProbability, probability: policyProbability, reason: 'sampled' };
  const boosted = Math.min(1, Math.max(policyProbability, boostKeep));
  if (draw < policyProbability) return { keep: true, probability: boosted, reason: 'sampled' };
  // What the boost keeps beyond the policy comes out of its bucket.
  if (draw < boosted && ports.takeBoost()) return { keep: true, probability: boosted, reason: 'boost' };
  return { keep: false, probability: boosted, reason: 'boost' };
}
