// When, within a window, a series' records usually arrive: per eighth of the window, the share of the
// window's count that had arrived by the eighth's end (an EWMA over completed windows). The detector judges
// a spike in the window in progress against this share of the window's expectation: traffic spread over the
// window has an eighth of its count by the first eighth's end, so a ×8 spike shows within a second or two;
// a series that arrives in one clump at the window's start (a job that logs every minute on the minute, a
// collector that forwards in batches) has all of it, so its clump is not a spike.
//
// What is seen of a window in progress is the count at each batch, so the count at an eighth's end is known
// only from above: it is at most the count at the first batch after it. That bound is what is kept — it errs
// toward a larger share, a larger expectation, fewer findings.

const PARTS = 8;
const ALPHA = 0.1;
/** Windows learnt before the profile is used; until then the whole window's expectation stands. */
const LEARNT_AFTER = 3;

export class ArrivalProfile {
  #window = Number.NEGATIVE_INFINITY;
  /** For the window in progress: an upper bound on the count at each eighth's end (NaN: no batch after it yet). */
  readonly #reached = new Float64Array(PARTS).fill(Number.NaN);
  readonly #share = new Float64Array(PARTS);
  #learnt = 0;

  /** The count so far in the window starting at `windowStart`, `elapsed` (0–1) of the way through it. */
  note(windowStart: number, elapsed: number, count: number): void {
    if (windowStart !== this.#window) {
      this.#window = windowStart;
      this.#reached.fill(Number.NaN);
    }
    const part = partOf(elapsed);
    // Every earlier eighth without a bound ended before this batch: this count bounds it.
    for (let q = 0; q < part; q++) if (Number.isNaN(this.#reached[q]!)) this.#reached[q] = count;
  }

  /** The window starting at `windowStart` completed with `total` records. */
  learn(windowStart: number, total: number): void {
    if (total <= 0) return;
    const seen = windowStart === this.#window;
    for (let q = 0; q < PARTS; q++) {
      const reached = seen && !Number.isNaN(this.#reached[q]!) ? Math.min(1, this.#reached[q]! / total) : 1;
      this.#share[q] = this.#learnt === 0 ? reached : this.#share[q]! + ALPHA * (reached - this.#share[q]!);
    }
    this.#learnt += 1;
  }

  /** The usual share of a window's count arrived by the end of the eighth `elapsed` falls in (1 until learnt). */
  shareBy(elapsed: number): number {
    return this.#learnt < LEARNT_AFTER ? 1 : this.#share[partOf(elapsed)]!;
  }
}

function partOf(elapsed: number): number {
  return Math.min(PARTS - 1, Math.max(0, Math.floor(elapsed * PARTS)));
}
