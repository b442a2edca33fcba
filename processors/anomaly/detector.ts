// The rules that turn a completed window into anomalies: a pattern's rate spiking or dropping against its
// baseline (Poisson tails, not z-scores, so low counts are judged fairly), a new pattern arriving in a burst
// (sooner at ERROR), a service's error ratio surging, a steady high-volume pattern falling silent.
import type { SeriesSnapshot } from '../ratestats/rate_table.js';
import { severityRank } from '../ratestats/severity.js';
import { poissonLowerTail, poissonUpperTail } from './poisson.js';

export type AnomalyKind = 'spike' | 'drop' | 'new_pattern' | 'error_ratio' | 'silence';

export interface DetectorOptions {
  /** A window is anomalous when its count is this improbable under the baseline. */
  pValue: number;
  /** Completed windows a baseline needs before spikes and drops are judged against it. */
  warmupWindows: number;
  /** A spike needs at least this many records and this many times the expected count. */
  spikeMinCount: number;
  spikeMinRatio: number;
  /** Drops and silences are judged only for patterns expected at least this often per window. */
  dropMinExpected: number;
  silenceWindows: number;
  /** Records of a brand-new pattern in its first window that make a burst (at ERROR and above). */
  newPatternBurst: number;
  newErrorPatternBurst: number;
  /** An error-ratio surge needs this many errors and this many times the expected ratio. */
  errorMinCount: number;
  errorMinRatio: number;
}

export interface Finding {
  kind: AnomalyKind;
  service: string;
  /** '' for service-wide findings (error ratio). */
  pattern: string;
  windowStart: number;
  observed: number;
  expected: number;
  /** −log10 of the finding's probability under the baseline (higher is stranger). */
  score: number;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const scoreOf = (p: number) => Number((-Math.log10(Math.max(p, 1e-300))).toFixed(3));
const isError = (s: SeriesSnapshot) => severityRank(s.severity) >= severityRank('ERROR');

/**
 * Findings for the window starting at `windowStart`, over series already advanced past it. `newPatterns` is
 * false while the detector itself is warming up: right after a start every pattern is new to it.
 */
export function detect(series: Iterable<SeriesSnapshot>, windowStart: number, o: DetectorOptions, newPatterns = true): Finding[] {
  const findings: Finding[] = [];
  const perPattern = new Map<string, { service: string; pattern: string; observed: number; expected: number; typical: number; warm: boolean; silentFor: number; isNew: boolean; error: boolean }>();
  const perService = new Map<string, { errors: number; total: number; expectedErrors: number; expectedTotal: number }>();

  for (const s of series) {
    const last = s.lastCompleted;
    if (!last || last.start !== windowStart) continue;
    const key = `${s.service}\u0000${s.pattern}`;
    const p = perPattern.get(key) ?? { service: s.service, pattern: s.pattern, observed: 0, expected: 0, typical: 0, warm: true, silentFor: Number.POSITIVE_INFINITY, isNew: false, error: false };
    p.observed += last.count;
    p.expected += last.expected?.count ?? 0;
    // The median of the windows before this one: a spike lifts the EWMA for a while but not the median, so
    // the window after a spike is not mistaken for a drop.
    p.typical += median(s.history.slice(0, -1));
    p.warm &&= last.expected !== undefined && s.windowsSeen > o.warmupWindows;
    // Windows in a row with nothing, newest last (a pattern is silent only if all its severities are).
    let silent = 0;
    for (let i = s.history.length - 1; i >= 0 && s.history[i] === 0; i--) silent++;
    p.silentFor = Math.min(p.silentFor, silent);
    if (s.windowsSeen === 1 && s.firstSeen >= windowStart && last.count > 0) p.isNew = true;
    if (isError(s) && last.count > 0) p.error = true;
    perPattern.set(key, p);

    const svc = perService.get(s.service) ?? { errors: 0, total: 0, expectedErrors: 0, expectedTotal: 0 };
    svc.total += last.count;
    svc.expectedTotal += last.expected?.count ?? 0;
    if (isError(s)) {
      svc.errors += last.count;
      svc.expectedErrors += last.expected?.count ?? 0;
    }
    perService.set(s.service, svc);
  }

  for (const p of perPattern.values()) {
    const base = { service: p.service, pattern: p.pattern, windowStart, observed: p.observed, expected: Number(p.expected.toFixed(3)) };
    if (p.isNew) {
      if (!newPatterns) continue;
      const burst = p.error ? o.newErrorPatternBurst : o.newPatternBurst;
      if (p.observed >= burst) findings.push({ ...base, kind: 'new_pattern', score: scoreOf(poissonUpperTail(p.observed, 0.1)) });
      continue;
    }
    if (!p.warm) continue;
    if (p.observed >= o.spikeMinCount && p.observed >= o.spikeMinRatio * p.expected) {
      const prob = poissonUpperTail(p.observed, p.expected);
      if (prob < o.pValue) findings.push({ ...base, kind: 'spike', score: scoreOf(prob) });
    }
    const low = Math.min(p.expected, p.typical);
    if (low >= o.dropMinExpected) {
      if (p.silentFor >= o.silenceWindows) {
        findings.push({ ...base, kind: 'silence', score: scoreOf(poissonLowerTail(0, low) ** o.silenceWindows) });
      } else {
        const prob = poissonLowerTail(p.observed, low);
        if (prob < o.pValue && p.observed * 3 <= low) findings.push({ ...base, kind: 'drop', score: scoreOf(prob) });
      }
    }
  }

  for (const [service, s] of perService) {
    // No baseline yet (a service's first window): nothing to surge against.
    if (s.errors < o.errorMinCount || s.total === 0 || s.expectedTotal === 0) continue;
    const expectedRatio = s.expectedTotal > 0 ? s.expectedErrors / s.expectedTotal : 0;
    const expectedErrors = expectedRatio * s.total;
    if (s.errors / s.total < o.errorMinRatio * expectedRatio) continue;
    // A service that had no errors at all still gets a small expectation, so its first burst can be scored.
    const prob = poissonUpperTail(s.errors, Math.max(expectedErrors, 0.01));
    if (prob < o.pValue) findings.push({ kind: 'error_ratio', service, pattern: '', windowStart, observed: s.errors, expected: Number(expectedErrors.toFixed(3)), score: scoreOf(prob) });
  }
  return findings;
}

/**
 * Findings from the window in progress, for the kinds whose verdict can only firm up as the window fills (a
 * spike's count and a new pattern's burst only grow): what the window's end would find anyway, found as soon
 * as the count so far is enough — so the sampler's boost starts within the window, not after it.
 */
export function detectEarly(series: Iterable<SeriesSnapshot>, windowStart: number, o: DetectorOptions, newPatterns = true): Finding[] {
  const perPattern = new Map<string, { service: string; pattern: string; observed: number; expected: number; warm: boolean; isNew: boolean; error: boolean }>();
  for (const s of series) {
    if (s.windowStart !== windowStart || s.current.count === 0) continue;
    const key = `${s.service}\u0000${s.pattern}`;
    const p = perPattern.get(key) ?? { service: s.service, pattern: s.pattern, observed: 0, expected: 0, warm: true, isNew: false, error: false };
    p.observed += s.current.count;
    p.expected += s.baseline?.count ?? 0;
    p.warm &&= s.baseline !== undefined && s.windowsSeen > o.warmupWindows;
    if (s.windowsSeen === 0 && s.firstSeen >= windowStart) p.isNew = true;
    if (isError(s)) p.error = true;
    perPattern.set(key, p);
  }
  const findings: Finding[] = [];
  for (const p of perPattern.values()) {
    const base = { service: p.service, pattern: p.pattern, windowStart, observed: p.observed, expected: Number(p.expected.toFixed(3)) };
    if (p.isNew) {
      if (newPatterns && p.observed >= (p.error ? o.newErrorPatternBurst : o.newPatternBurst)) findings.push({ ...base, kind: 'new_pattern', score: scoreOf(poissonUpperTail(p.observed, 0.1)) });
      continue;
    }
    if (!p.warm || p.observed < o.spikeMinCount || p.observed < o.spikeMinRatio * p.expected) continue;
    const prob = poissonUpperTail(p.observed, p.expected);
    if (prob < o.pValue) findings.push({ ...base, kind: 'spike', score: scoreOf(prob) });
  }
  return findings;
}
