// Anomalies as they live: a finding opens one (or raises an open one of the same kind, service and pattern —
// no duplicates while open); it closes after `closeAfter` windows in a row without a finding (hysteresis, so
// a flapping rate does not open and close every window).
import type { AnomalyKind, Finding } from './detector.js';

export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  service: string;
  pattern: string;
  start: number;
  /** Set when closed: the end of the last anomalous window. */
  end: number | undefined;
  observed: number;
  expected: number;
  score: number;
  windows: number;
}

export interface TrackerEvents {
  opened?(anomaly: Anomaly): void;
  closed?(anomaly: Anomaly): void;
}

export class AnomalyTracker {
  readonly #open = new Map<string, { anomaly: Anomaly; quiet: number; lastWindow: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly closeAfter: number,
    private readonly events: TrackerEvents = {},
  ) {}

  /** Applies one evaluated window's findings. */
  apply(windowStart: number, findings: readonly Finding[]): void {
    const seen = new Set<string>();
    for (const f of findings) seen.add(this.#note(windowStart, f));
    for (const [key, open] of this.#open) {
      if (seen.has(key)) continue;
      open.quiet += 1;
      if (open.quiet >= this.closeAfter) {
        open.anomaly.end = open.lastWindow + this.windowMs;
        this.#open.delete(key);
        this.events.closed?.(open.anomaly);
      }
    }
  }

  /**
   * Findings from the window in progress: they open (or refresh) anomalies now; closing waits for whole
   * windows. The same finding at the window's end then counts that window once.
   */
  applyEarly(windowStart: number, findings: readonly Finding[]): void {
    for (const f of findings) this.#note(windowStart, f);
  }

  /** Opens an anomaly for a finding, or refreshes the open one; returns its key. */
  #note(windowStart: number, f: Finding): string {
    const key = `${f.kind}\u0000${f.service}\u0000${f.pattern}`;
    const open = this.#open.get(key);
    if (open) {
      open.quiet = 0;
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
      end: undefined,
      observed: f.observed,
      expected: f.expected,
      score: f.score,
      windows: 1,
    };
    this.#open.set(key, { anomaly, quiet: 0, lastWindow: windowStart });
    this.events.opened?.(anomaly);
    return key;
  }

  open(): Anomaly[] {
    return [...this.#open.values()].map((o) => o.anomaly);
  }

  /**
   * How much of this pattern an open anomaly calls for, undefined when none is open for it (or service-wide):
   * a spike's excess over the usual rate (1 − expected/observed), anything else all of it.
   */
  excessFor(service: string, pattern: string): number | undefined {
    let share: number | undefined;
    for (const { anomaly } of this.#open.values()) {
      if (anomaly.service !== service || (anomaly.pattern !== pattern && anomaly.pattern !== '')) continue;
      share = Math.max(share ?? 0, excessShare(anomaly));
    }
    return share;
  }

  /** Whether an anomaly is open for this pattern (or service-wide for the service). */
  isOpenFor(service: string, pattern: string): boolean {
    for (const { anomaly } of this.#open.values()) if (anomaly.service === service && (anomaly.pattern === pattern || anomaly.pattern === '')) return true;
    return false;
  }
}

export function excessShare(anomaly: Pick<Anomaly, 'kind' | 'observed' | 'expected'>): number {
  if (anomaly.kind !== 'spike' || anomaly.observed <= 0) return 1;
  return Math.max(0, Math.min(1, 1 - anomaly.expected / anomaly.observed));
}
