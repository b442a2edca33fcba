// Anomalies as they live: a finding opens one (or raises an open one of the same kind, service and pattern —
// no duplicates while open); it closes after `closeAfter` windows in a row without a finding (hysteresis, so
// a flapping rate does not open and close every window).
//
// A finding from the window in progress (applyEarly) opens one provisionally: the sampler boosts at once, but
// nothing is announced (no `opened` event, no alert, no row) until the window's end bears it out; when it does
// not — the part of the window looked like a spike, the whole did not — it is withdrawn without a word.
import type { AnomalyKind, Finding } from './detector.js';

export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  service: string;
  pattern: string;
  start: number;
  /** When the window's end bore it out (the processor's time: the clock, or record time). */
  detected: number;
  /** Set when closed: the end of the last anomalous window. */
  end: number | undefined;
  /** Set when closed: when the quiet windows that close it were judged (`end` plus the hysteresis). */
  closed: number | undefined;
  observed: number;
  expected: number;
  score: number;
  windows: number;
  /** About records of ERROR and above (an error pattern, or an error-ratio surge). */
  error: boolean;
}

export interface TrackerEvents {
  opened?(anomaly: Anomaly): void;
  closed?(anomaly: Anomaly): void;
}

export class AnomalyTracker {
  readonly #open = new Map<string, { anomaly: Anomaly; quiet: number; lastWindow: number; confirmed: boolean }>();

  constructor(
    private readonly windowMs: number,
    private readonly closeAfter: number,
    private readonly events: TrackerEvents = {},
  ) {}

  /** Applies one evaluated window's findings, judged at `at`. */
  apply(windowStart: number, findings: readonly Finding[], at = windowStart + this.windowMs): void {
    const seen = new Set<string>();
    for (const f of findings) seen.add(this.#note(windowStart, f, at, true));
    for (const [key, open] of this.#open) {
      if (seen.has(key)) continue;
      if (!open.confirmed) {
        // Found early in this window, not at its end: withdrawn (one opened early in a later window waits).
        if (open.lastWindow <= windowStart) this.#open.delete(key);
        continue;
      }
      open.quiet += 1;
      if (open.quiet >= this.closeAfter) {
        open.anomaly.end = open.lastWindow + this.windowMs;
        open.anomaly.closed = at;
        this.#open.delete(key);
        this.events.closed?.(open.anomaly);
      }
    }
  }

  /**
   * Findings from the window in progress: they open (or refresh) anomalies now; closing waits for whole
   * windows. The same finding at the window's end then counts that window once.
   */
  applyEarly(windowStart: number, findings: readonly Finding[], at: number): void {
    for (const f of findings) this.#note(windowStart, f, at, false);
  }

  /** Opens an anomaly for a finding (announced once `confirmed`), or refreshes the open one; returns its key. */
  #note(windowStart: number, f: Finding, at: number, confirmed: boolean): string {
    const key = `${f.kind}\u0000${f.service}\u0000${f.pattern}`;
    const open = this.#open.get(key);
    if (open) {
      open.quiet = 0;
      if (confirmed && !open.confirmed) {
        open.confirmed = true;
        open.anomaly.detected = at;
        this.events.opened?.(open.anomaly);
      }
      if (open.lastWindow !== windowStart) open.anomaly.windows += 1;
      open.lastWindow = windowStart;
      if (f.score > open.anomaly.score) Object.assign(open.anomaly, { observed: f.observed, expected: f.expected, score: f.score });
      return key;
    }
    const anomaly: Anomaly = {
      id: `${f.kind}:${f.service}:${f.pattern}:${windowStart}`,
      kind: f.kind,
      service: f.service,
      pattern: f.pattern,
      start: windowStart,
      detected: at,
      end: undefined,
      closed: undefined,
      observed: f.observed,
      expected: f.expected,
      score: f.score,
      windows: 1,
      error: f.error,
    };
    this.#open.set(key, { anomaly, quiet: 0, lastWindow: windowStart, confirmed });
    if (confirmed) this.events.opened?.(anomaly);
    return key;
  }

  /** The open anomalies the sampler acts on: those found early and not yet borne out too. */
  open(): Anomaly[] {
    return [...this.#open.values()].map((o) => o.anomaly);
  }

  /** The open anomalies announced (borne out by a window's end). */
  announced(): Anomaly[] {
    return [...this.#open.values()].filter((o) => o.confirmed).map((o) => o.anomaly);
  }

  /**
   * How an open anomaly on this pattern wants it boosted (see BoostScope); undefined when none is open on it.
   * With several open, the most generous: whole over excess or deficit, the lowest usual count. A
   * service-wide finding (an error-ratio surge) boosts nothing by itself: its errors are kept by severity,
   * its new error patterns have findings of their own, and the retro flush brings back what led up to it —
   * boosting every line of the service while errors surged cost the demo most of its savings.
   */
  boostFor(service: string, pattern: string): BoostScope | undefined {
    let scope: BoostScope | undefined;
    for (const { anomaly } of this.#open.values()) {
      if (anomaly.service !== service || anomaly.pattern !== pattern) continue;
      scope = widest(scope, boostScope(anomaly, this.windowMs));
    }
    return scope;
  }

  /** Whether an anomaly is open for this pattern (or service-wide for the service). */
  isOpenFor(service: string, pattern: string): boolean {
    for (const { anomaly } of this.#open.values()) if (anomaly.service === service && (anomaly.pattern === pattern || anomaly.pattern === '')) return true;
    return false;
  }
}

/**
 * What a boost keeps of a pattern under an anomaly: its `excess` beyond the usual rate (a spike, an upward
 * shift), its records while they run short of it (a drop, a silence, a downward shift: few records, each
 * telling), or the `whole` pattern (a new pattern). The usual rate is per second:
 * the detector's windows and the sampler's need not be the same length.
 */
export type BoostScope = { kind: 'excess' | 'deficit'; usualPerSecond: number } | { kind: 'whole' };

export function boostScope(anomaly: Pick<Anomaly, 'kind' | 'pattern' | 'observed' | 'expected'>, windowMs: number): BoostScope {
  const perSecond = (count: number) => (Math.max(0, count) * 1000) / windowMs;
  if (anomaly.kind === 'new_pattern') return { kind: 'whole' };
  if (anomaly.kind === 'spike') return { kind: 'excess', usualPerSecond: perSecond(anomaly.expected) };
  if (anomaly.kind === 'level_shift' && anomaly.observed > anomaly.expected) return { kind: 'excess', usualPerSecond: perSecond(anomaly.expected) };
  return { kind: 'deficit', usualPerSecond: perSecond(anomaly.expected) };
}

function widest(a: BoostScope | undefined, b: BoostScope): BoostScope {
  if (!a) return b;
  if (a.kind === 'whole' || b.kind === 'whole') return { kind: 'whole' };
  if (a.kind !== b.kind) return { kind: 'whole' };
  return { kind: a.kind, usualPerSecond: a.kind === 'excess' ? Math.min(a.usualPerSecond, b.usualPerSecond) : Math.max(a.usualPerSecond, b.usualPerSecond) };
}
