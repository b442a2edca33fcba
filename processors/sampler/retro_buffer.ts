// Recently dropped records, per (service, pattern), bounded by count per pattern, in total, and by age — so
// when an anomaly opens, the lines that led up to it can be exported after all (retroactive flush). Each
// pattern has a fixed ring: adding is O(1) and allocates nothing once the ring is full.
import { detachHeld, type HeldRecord } from '../../pipeline/batch.js';

class Ring {
  readonly held: Array<HeldRecord | undefined>;
  readonly times: Float64Array;
  head = 0;
  size = 0;

  constructor(capacity: number) {
    this.held = new Array<HeldRecord | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Adds, overwriting the oldest when full; true when nothing was overwritten. */
  push(held: HeldRecord, time: number): boolean {
    const capacity = this.held.length;
    const at = (this.head + this.size) % capacity;
    this.held[at] = held;
    this.times[at] = time;
    if (this.size < capacity) {
      this.size += 1;
      return true;
    }
    this.head = (this.head + 1) % capacity;
    return false;
  }

  dropOldest(): void {
    this.held[this.head] = undefined;
    this.head = (this.head + 1) % this.held.length;
    this.size -= 1;
  }

  oldestTime(): number {
    return this.times[this.head]!;
  }

  *since(time: number): IterableIterator<HeldRecord> {
    for (let i = 0; i < this.size; i++) {
      const at = (this.head + i) % this.held.length;
      if (this.times[at]! >= time) yield this.held[at]!;
    }
  }
}

export class RetroBuffer {
  readonly #rings = new Map<string, Map<string, Ring>>();
  #total = 0;

  constructor(
    private readonly maxPerPattern: number,
    private readonly maxTotal: number,
    private readonly maxAgeMs: number,
  ) {}

  add(service: string, pattern: string, held: HeldRecord, time: number): void {
    let byPattern = this.#rings.get(service);
    if (!byPattern) this.#rings.set(service, (byPattern = new Map()));
    let ring = byPattern.get(pattern);
    if (!ring) byPattern.set(pattern, (ring = new Ring(this.maxPerPattern)));
    detachHeld(held);
    if (ring.push(held, time)) this.#total += 1;
    if (this.#total > this.maxTotal) this.#trim(time);
  }

  /** Drops what is too old; if still over the total, the oldest of the largest rings go first. */
  #trim(now: number): void {
    const rings = [...this.#rings.values()].flatMap((m) => [...m.values()]);
    for (const ring of rings) {
      while (ring.size > 0 && now - ring.oldestTime() > this.maxAgeMs) {
        ring.dropOldest();
        this.#total -= 1;
      }
    }
    while (this.#total > this.maxTotal) {
      const largest = rings.reduce((a, b) => (b.size > a.size ? b : a));
      largest.dropOldest();
      this.#total -= 1;
    }
  }

  /** Removes and returns the held records of the pattern (every pattern of the service for '') since `since`. */
  take(service: string, pattern: string, since: number): HeldRecord[] {
    const byPattern = this.#rings.get(service);
    if (!byPattern) return [];
    const out: HeldRecord[] = [];
    for (const [p, ring] of byPattern) {
      if (pattern !== '' && p !== pattern) continue;
      out.push(...ring.since(since));
      this.#total -= ring.size;
      byPattern.delete(p);
    }
    return out;
  }

  get size(): number {
    return this.#total;
  }
}
