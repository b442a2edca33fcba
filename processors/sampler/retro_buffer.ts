// Recently dropped records, per (service, pattern), bounded by count per pattern, in total, and by age — so
// when an anomaly opens, the lines that led up to it can be exported after all (retroactive flush).
import type { HeldRecord } from '../../pipeline/batch.js';

interface Entry {
  held: HeldRecord;
  time: number;
}

export class RetroBuffer {
  readonly #byKey = new Map<string, Entry[]>();
  #total = 0;

  constructor(
    private readonly maxPerPattern: number,
    private readonly maxTotal: number,
    private readonly maxAgeMs: number,
  ) {}

  add(service: string, pattern: string, held: HeldRecord, time: number): void {
    const key = `${service}\u0000${pattern}`;
    let ring = this.#byKey.get(key);
    if (!ring) this.#byKey.set(key, (ring = []));
    ring.push({ held, time });
    this.#total += 1;
    if (ring.length > this.maxPerPattern) {
      ring.shift();
      this.#total -= 1;
    }
    if (this.#total > this.maxTotal) this.#trim(time);
  }

  /** Drops what is too old; if still over the total, the oldest of the largest rings go first. */
  #trim(now: number): void {
    for (const [key, ring] of this.#byKey) {
      const keepFrom = ring.findIndex((e) => now - e.time <= this.maxAgeMs);
      const drop = keepFrom < 0 ? ring.length : keepFrom;
      if (drop > 0) {
        ring.splice(0, drop);
        this.#total -= drop;
      }
      if (ring.length === 0) this.#byKey.delete(key);
    }
    while (this.#total > this.maxTotal) {
      const largest = [...this.#byKey.values()].reduce((a, b) => (b.length > a.length ? b : a));
      largest.shift();
      this.#total -= 1;
    }
  }

  /** Removes and returns the held records of the pattern (every pattern of the service for '') since `since`. */
  take(service: string, pattern: string, since: number): HeldRecord[] {
    const out: HeldRecord[] = [];
    for (const [key, ring] of this.#byKey) {
      const [s, p] = key.split('\u0000');
      if (s !== service || (pattern !== '' && p !== pattern)) continue;
      for (const e of ring) if (e.time >= since) out.push(e.held);
      this.#total -= ring.length;
      this.#byKey.delete(key);
    }
    return out;
  }

  get size(): number {
    return this.#total;
  }
}
