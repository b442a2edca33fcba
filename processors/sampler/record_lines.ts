// What the console shows of a pattern's records: a few recent kept lines, and a live tail of what the sampler
// decides for it. Both sit on the data path, so both are cheap when unused: a pattern's recent lines are
// refreshed at most once a second (one map lookup and a time compare per kept record otherwise), and the tail
// costs one size check per record while nobody watches. Dropped records reach a tail sampled (at most
// `droppedPerSecond` a second per tail) so a noisy pattern cannot flood a browser. Bounded everywhere: lines
// per pattern, patterns, tails.
import { LRUCache } from 'lru-cache';
import type { LogRecordView } from '../../pipeline/batch.js';
import { evidenceLine, type EvidenceLine } from './alert_evidence.js';

export interface TailLine extends EvidenceLine {
  kept: boolean;
  /** The sampler's reason for a kept record (`severity`, `first`, `sampled`, `boost`, `rule`); `dropped` else. */
  reason: string;
}

export type TailListener = (line: TailLine) => void;

const REFRESH_MS = 1_000;
const MAX_TAILS = 64;

interface Tail {
  listener: TailListener;
  /** The second dropped lines are being counted in, and how many went out in it. */
  second: number;
  dropped: number;
}

export class RecordLines {
  readonly #recent: LRUCache<string, { lines: EvidenceLine[]; refreshed: number }>;
  readonly #tails = new Map<string, Set<Tail>>();

  constructor(
    private readonly perPattern = 5,
    maxPatterns = 5_000,
    private readonly droppedPerSecond = 5,
  ) {
    this.#recent = new LRUCache({ max: maxPatterns });
  }

  /** Whether any tail is open: the data path asks this before building a key. */
  get tailing(): boolean {
    return this.#tails.size > 0;
  }

  /** A kept record: noted when the pattern's lines were last refreshed a second or more ago (`at` is arrival ms). */
  kept(service: string, pattern: string, record: LogRecordView, time: number, at: number): void {
    const key = `${service}\u0000${pattern}`;
    const entry = this.#recent.get(key);
    if (entry && at - entry.refreshed < REFRESH_MS) return;
    const line = evidenceLine(record, time, 'kept');
    if (!entry) {
      this.#recent.set(key, { lines: [line], refreshed: at });
      return;
    }
    if (entry.lines.length >= this.perPattern) entry.lines.shift();
    entry.lines.push(line);
    entry.refreshed = at;
  }

  /** A decided record, for the pattern's tails (call only when `tailing`). */
  decided(service: string, pattern: string, record: LogRecordView, time: number, at: number, kept: boolean, reason: string): void {
    const tails = this.#tails.get(`${service}\u0000${pattern}`);
    if (!tails) return;
    let line: TailLine | undefined;
    const second = Math.floor(at / 1000);
    for (const tail of tails) {
      if (!kept) {
        if (tail.second !== second) {
          tail.second = second;
          tail.dropped = 0;
        }
        if (tail.dropped >= this.droppedPerSecond) continue;
        tail.dropped += 1;
      }
      line ??= { ...evidenceLine(record, time, 'kept'), kept, reason };
      tail.listener(line);
    }
  }

  /** The pattern's newest kept lines, oldest first. */
  recent(service: string, pattern: string, max: number): EvidenceLine[] {
    return (this.#recent.peek(`${service}\u0000${pattern}`)?.lines ?? []).slice(-max);
  }

  /** Follows a pattern's decisions; undefined when `MAX_TAILS` are open already. Returns the unsubscribe. */
  tail(service: string, pattern: string, listener: TailListener): (() => void) | undefined {
    let open = 0;
    for (const set of this.#tails.values()) open += set.size;
    if (open >= MAX_TAILS) return undefined;
    const key = `${service}\u0000${pattern}`;
    const tail: Tail = { listener, second: 0, dropped: 0 };
    let set = this.#tails.get(key);
    if (!set) this.#tails.set(key, (set = new Set()));
    set.add(tail);
    return () => {
      set.delete(tail);
      if (set.size === 0 && this.#tails.get(key) === set) this.#tails.delete(key);
    };
  }
}
