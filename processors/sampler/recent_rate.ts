// A boosted pattern's recent rate: records counted in consecutive spans (boost_gate.ts sizes them),
// read over the span before and the one in progress. A window's count cannot say when a spike ended (a
// 30-second spike keeps its minute's count high to the minute's end) or whether traffic back after a lull
// is back at its usual rate (the window's first records say nothing); the last span or two can.
export class RecentRate {
  #start: number;
  #count: number;
  /** The span before's count; undefined until one span was counted whole. */
  #previous: number | undefined;

  constructor(
    readonly spanMs: number,
    now: number,
    /** Records already seen in the span ending now, when counting starts late. */
    seeded = 0,
  ) {
    // Seeded, the count stands for the last half span; unseeded, counting starts from nothing now.
    this.#start = seeded > 0 ? now - spanMs / 2 : now;
    this.#count = seeded;
  }

  #roll(now: number): void {
    if (now < this.#start + this.spanMs) return;
    const spans = Math.floor((now - this.#start) / this.spanMs);
    // Spans with no record in between count as quiet spans: zero is evidence too.
    this.#previous = spans === 1 ? this.#count : 0;
    this.#start += spans * this.spanMs;
    this.#count = 0;
  }

  note(now: number): void {
    this.#roll(now);
    this.#count += 1;
  }

  /**
   * Records per second over the span before and the one in progress — or, before a whole span was counted,
   * over the one in progress (judged over at least a quarter of a span).
   */
  perSecond(now: number): number {
    this.#roll(now);
    if (this.#previous === undefined) return (this.#count * 1000) / Math.max(this.spanMs / 4, now - this.#start);
    return ((this.#previous + this.#count) * 1000) / (this.spanMs + Math.max(0, now - this.#start));
  }
}
