// What no policy can change, in one place: the sampler enforces it, the tuner's guard clamps to it, and the
// prompt's list of rules is rendered from it — so the three cannot drift apart.
import { SEVERITY_CLASSES, severityRank, type SeverityClass } from './severity.js';

/** Records at or above this severity are always kept (the sampler's `keep_at_or_above` may lower it, never raise it). */
export const ALWAYS_KEPT_FROM: SeverityClass = 'ERROR';
/** The classes always kept. */
export const ALWAYS_KEPT: readonly SeverityClass[] = SEVERITY_CLASSES.filter((c) => severityRank(c) >= severityRank(ALWAYS_KEPT_FROM));
/** Every policy keeps at least this many first records of every pattern in every window. */
export const MIN_FIRST_K = 1;
/** The keep-probability floor both the sampler (`min_keep`) and the tuner's guard (`guard.min_keep`) start from. */
export const KEEP_FLOOR = 0.001;

/** The floor a policy is clamped to: the guard's and the sampler's, whichever is higher (the sampler enforces its own anyway). */
export function effectiveFloor(guardMinKeep: number, samplerMinKeep: number): number {
  return Math.max(guardMinKeep, samplerMinKeep);
}

/** The rules as the prompt states them to an LLM, with the floors in force. */
export function invariantsText(floors: { minKeep: number; maxStep: number; minBoost: number; maxFirstK: number }): string {
  return [
    `- ${ALWAYS_KEPT.join(' and ')} records are always kept (probability 1).`,
    `- The first record of every pattern in every window is kept (first_k_per_window from ${MIN_FIRST_K} to ${floors.maxFirstK}).`,
    `- No keep probability or keep fraction goes below ${floors.minKeep}.`,
    `- A step changes any probability, fraction or rate by at most ${floors.maxStep}× either way.`,
    `- Anomalies boost their pattern: anomaly_boost.keep is at least ${floors.minBoost}; the boost cannot be switched off.`,
  ].join('\n');
}
