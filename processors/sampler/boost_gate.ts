// Whether a pattern is boosted now: an anomaly is open on it, or closed less than the policy's cooldown ago —
// and only while what the anomaly is about lasts (see BoostScope), judged on the pattern's recent rate
// (recent_rate.ts). A spike or an upward shift: while it runs at EXCESS × the usual rate or more. A drop, a
// silence, a downward shift: while it runs below DEFICIT × it. Back at the usual rate, nothing is boosted,
// however long the anomaly stays open or the cooldown lasts — one spike once kept five minutes of a pattern
// whole, and traffic back after a lull kept its first minutes whole. A spike's onset (its first `onsetMs`
// while the excess lasts) is kept whole: the first seconds of an incident are what a reader opens first, and
// a sample of them is a hole in the story; after it, its excess only.
import type { AnomalyView } from '../anomaly/factory.js';
import type { BoostScope } from '../anomaly/tracker.js';
import { RecentRate } from './recent_rate.js';

// Under a spike, a pattern running at this many times its usual rate still has an excess; under a drop, one
// below this share of it still runs short.
const EXCESS = 1.5;
const DEFICIT = 0.5;

// The recent rate is read over two spans: a steady reading over spans of a twelfth of the sampler's window
// (5 s of a minute), or as long as it takes the usual rate to send STEADY_RECORDS (a quarter window at
// most), and a quick one over spans a quarter as long. Under a spike the boost lasts while both show the
// excess: the steady reading keeps a bursty spike from flickering, the quick one ends the boost within a few
// seconds of the spike's end (quarter-window spans kept a 30-second spike boosted 30 s after it). A quick
// span that would hold fewer than QUICK_RECORDS usual records is not read: a batch arriving at once reads
// as a burst over a short span.
const SPANS_PER_WINDOW = 12;
const STEADY_RECORDS = 24;
const QUICK_RECORDS = 8;

export class BoostGate {
  /** Per boosted pattern: until when (the cooldown), what is boosted of it, since when, and its recent rate. */
  readonly #state = new Map<string, { until: number; scope: BoostScope; since: number; rate: RecentRate; quick: RecentRate | undefined }>();

  /**
   * `windowMs`: the sampler's window (the recent rate's spans are measured from it); `onsetMs`: how long a
   * spike or a rise is kept whole, from when its boost began, before only its excess is.
   */
  constructor(
    private readonly windowMs: number,
    private readonly onsetMs: number,
  ) {}

  /** The steady and the quick reading's spans for a pattern of this usual rate (no quick one if too quiet). */
  #spans(scope: BoostScope): { steady: number; quick: number | undefined } {
    const usual = scope.kind === 'whole' ? 0 : scope.usualPerSecond;
    const takes = (records: number) => (usual > 0 ? (records * 1000) / usual : Number.POSITIVE_INFINITY);
    const steady = Math.min(this.windowMs / 4, Math.max(this.windowMs / SPANS_PER_WINDOW, takes(STEADY_RECORDS)));
    return { steady, quick: steady / 4 >= takes(QUICK_RECORDS) ? steady / 4 : undefined };
  }

  /**
   * How much of the pattern's traffic is the anomaly's now, as a share to keep beyond the policy: 1 under a
   * drop or a new pattern, and in a spike's or a rise's onset; after the onset the excess share (1 − usual /
   * recent rate) — so a ×8 spike keeps its seven extra records in eight and the eighth, the usual traffic,
   * is sampled as usual — and undefined when nothing is boosted.
   */
  boosted(anomalies: AnomalyView, cooldownSeconds: number, service: string, pattern: string, seenInWindow: number, windowStart: number, now: number): number | undefined {
    const scope = anomalies.boostFor(service, pattern);
    // Nothing open on it and nothing boosted at all: the usual case, answered without building a key.
    if (scope === undefined && this.#state.size === 0) return undefined;
    const key = `${service}\u0000${pattern}`;
    let state = this.#state.get(key);
    if (scope !== undefined) {
      const until = now + cooldownSeconds * 1000;
      if (state) {
        state.until = until;
        state.scope = scope;
      } else {
        // Counting starts now: the window so far stands in for the last half span.
        const spans = this.#spans(scope);
        const seeded = seenInWindow * Math.min(1, spans.steady / 2 / Math.max(1, now - windowStart));
        this.#state.set(key, (state = { until, scope, since: now, rate: new RecentRate(spans.steady, now, seeded), quick: spans.quick === undefined ? undefined : new RecentRate(spans.quick, now) }));
      }
    } else if (!state) {
      return undefined;
    } else if (state.until <= now) {
      this.#state.delete(key);
      return undefined;
    }
    state.rate.note(now);
    state.quick?.note(now);
    const s = state.scope;
    if (s.kind === 'whole') return 1;
    if (s.kind === 'deficit') return state.rate.perSecond(now) < DEFICIT * s.usualPerSecond ? 1 : undefined;
    // A spike just found is in excess by the detector's word until the readings have a quarter span to be read
    // over: seeded from a window that had only begun, the rate read a ×8 spike as quiet for its first second.
    if (now - state.since < (state.quick ?? state.rate).spanMs / 4) return 1;
    const steady = state.rate.perSecond(now);
    const recent = state.quick?.perSecond(now) ?? steady;
    if (steady < EXCESS * s.usualPerSecond || recent < EXCESS * s.usualPerSecond) return undefined;
    return now - state.since < this.onsetMs ? 1 : 1 - s.usualPerSecond / recent;
  }
}
