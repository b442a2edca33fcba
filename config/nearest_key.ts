// "Did you mean" for unknown keys and component types.
import { closest, distance } from 'fastest-levenshtein';

export function nearestKey(unknown: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(unknown, [...candidates]);
  // Far-off suggestions mislead more than they help: only offer what is a typo away.
  const limit = Math.max(2, Math.floor(unknown.length / 3));
  return distance(unknown, best) <= limit ? best : undefined;
}

export function unknownKeyMessage(unknown: string, candidates: readonly string[]): string {
  const near = nearestKey(unknown, candidates);
  return near ? `unknown key (did you mean "${near}"?)` : `unknown key (valid keys: ${candidates.join(', ') || 'none'})`;
}
