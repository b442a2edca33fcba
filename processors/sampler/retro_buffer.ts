// Recently dropped records, per (service, pattern), bounded by count per pattern, in total, and by age — so
// when an anomaly opens, the lines that led up to it can be exported after all (retroactive flush). No step
// costs more with the number of patterns the daemon has seen: a pattern's ring grows as it is used (to
// `maxPerPattern`) and is deleted once empty, so rings are at most `maxTotal`; over the total, the oldest
// record of a largest ring goes first (a loud pattern gives way before a quiet one's context), found through
// rings grouped by size; records past `maxAgeMs` are swept at most four times a window.
import { detachHeld, type HeldRecord } from '../../pipeline/batch.js';

const FIRST_CAPACITY = 8;

class Ring {
  held: Array<HeldRecord | undefined>;
  times: Float64Array;
  head = 0;
  size = 0;

  constructor(
    readonly service: string,
    readonly pattern: string,
    private readonly maxCapacity: number,
  ) {
    const capacity = Math.min(FIRST_CAPACITY, maxCapacity);
    this.held = new Array<HeldRecord | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Adds, overwriting the oldest when at its greatest size; true when nothing was overwritten. */
  push(held: HeldRecord, time: number): boolean {
    if (this.size === this.held.length && this.size < this.maxCapacity) this.#grow();
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

  #grow(): void {
    const capacity = Math.min(this.maxCapacity, this.held.length * 2);
    const held = new Array<HeldRecord | undefined>(capacity);
    const times = new Float64Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) % this.held.length;
      held[i] = this.held[from];
      times[i] = this.times[from]!;
    }
    this.held = held;
    this.times = times;
    this.head = 0;
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
  /** Rings by their size (index 1 … maxPerPattern), and the largest size any ring has. */
  readonly #bySize: Array<Set<Ring>>;
  #largest = 0;
  #total = 0;
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxPerPattern: number,
    private readonly maxTotal: number,
    private readonly maxAgeMs: number,
  ) {
    this.#bySize = Array.from({ length: maxPerPattern + 1 }, () => new Set<Ring>());
  }

  add(service: string, pattern: string, held: HeldRecord, time: number): void {
    let byPattern = this.#rings.get(service);
    if (!byPattern) this.#rings.set(service, (byPattern = new Map()));
    let ring = byPattern.get(pattern);
    if (!ring) byPattern.set(pattern, (ring = new Ring(service, pattern, this.maxPerPattern)));
    detachHeld(held);
    const before = ring.size;
    if (ring.push(held, time)) this.#total += 1;
    this.#resized(ring, before);
    if (time - this.#sweptAt >= this.maxAgeMs / 4) this.#sweep(time);
    while (this.#total > this.maxTotal) this.#dropFromLargest();
  }

  /** Records older than the age bound leave every ring (at most four times a window: it visits every ring). */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const byPattern of this.#rings.values()) {
      for (const ring of byPattern.values()) {
        const before = ring.size;
        while (ring.size > 0 && now - ring.oldestTime() > this.maxAgeMs) {
          ring.dropOldest();
          this.#total -= 1;
        }
        if (ring.size !== before) this.#resized(ring, before);
      }
    }
  }

  #dropFromLargest(): void {
    while (this.#largest > 0 && this.#bySize[this.#largest]!.size === 0) this.#largest -= 1;
    const ring = this.#bySize[this.#largest]!.values().next().value as Ring;
    const before = ring.size;
    ring.dropOldest();
    this.#total -= 1;
    this.#resized(ring, before);
  }

  /** Keeps the size groups true after a ring's size changed; an empty ring is deleted. */
  #resized(ring: Ring, before: number): void {
    if (ring.size === before) return;
    if (before > 0) this.#bySize[before]!.delete(ring);
    if (ring.size > 0) {
      this.#bySize[ring.size]!.add(ring);
      if (ring.size > this.#largest) this.#largest = ring.size;
      return;
    }
    const byPattern = this.#rings.get(ring.service);
    byPattern?.delete(ring.pattern);
    if (byPattern?.size === 0) this.#rings.delete(ring.service);
  }

  /** Removes and returns the held records of the pattern (every pattern of the service for '') since `since`. */
  take(service: string, pattern: string, since: number): HeldRecord[] {
    const byPattern = this.#rings.get(service);
    if (!byPattern) return [];
    const out: HeldRecord[] = [];
    for (const [p, ring] of [...byPattern]) {
      if (pattern !== '' && p !== pattern) continue;
      out.push(...ring.since(since));
      this.#total -= ring.size;
      this.#bySize[ring.size]!.delete(ring);
      byPattern.delete(p);
    }
    if (byPattern.size === 0) this.#rings.delete(service);
    return out;
  }

  get size(): number {
    return this.#total;
  }

  /** How many rings are held (each pattern with records held has one). */
  get rings(): number {
    let n = 0;
    for (const byPattern of this.#rings.values()) n += byPattern.size;
    return n;
  }
}
