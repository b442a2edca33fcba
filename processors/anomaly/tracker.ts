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
   * The count per window this pattern usually has, beyond which its records are an open anomaly's excess;
   * 0 when the whole pattern is the anomaly's (a new pattern, a drop, a service-wide anomaly); undefined
   * when no anomaly is open for it. With several open, the lowest.
   */
  usualFor(service: string, pattern: string): number | undefined {
    let usual: number | undefined;
    for (const { anomaly } of this.#open.values()) {
      if (anomaly.service !== service || (anomaly.pattern !== pattern && anomaly.pattern !== '')) continue;
      usual = Math.min(usual ?? Number.POSITIVE_INFINITY, usualCount(anomaly));
    }
    return usual;
  }

  /** Whether an anomaly is open for this pattern (or service-wide for the service). */
  isOpenFor(service: string, pattern: string): boolean {
    for (const { anomaly } of this.#open.values()) if (anomaly.service === service && (anomaly.pattern === pattern || anomaly.pattern === '')) return true;
    return false;
  }
}

/** A spike's or an upward level shift's expected count (what the pattern usually sends); 0 otherwise. */
export function usualCount(anomaly: Pick<Anomaly, 'kind' | 'pattern' | 'observed' | 'expected'>): number {
  if (anomaly.pattern === '') return 0;
  if (anomaly.kind === 'spike' || (anomaly.kind === 'level_shift' && anomaly.observed > anomaly.expected)) return Math.max(0, anomaly.expected);
  return 0;
}
