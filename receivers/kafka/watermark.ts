// Which offsets of each partition may be committed: messages are handed on in offset order but finish in any
// order (one waits for a retry while the next is acknowledged), and a commit says "everything before this
// offset is done". So each partition keeps its messages in arrival order and only the contiguous finished
// prefix moves the watermark — never "the last one seen". A message given up on (the daemon stopping before
// its records were accepted) stays unfinished and holds the watermark where it is.
interface Entry<M> {
  readonly message: M;
  done: boolean;
}

interface Partition<M> {
  readonly entries: Array<Entry<M>>;
  head: number;
  /** The newest message of the finished prefix, not yet committed. */
  committable: M | undefined;
}

export class PartitionWatermarks<M> {
  readonly #partitions = new Map<string, Partition<M>>();

  /** A message handed on; finish it with the handle returned. */
  start(partition: string, message: M): Entry<M> {
    let p = this.#partitions.get(partition);
    if (!p) this.#partitions.set(partition, (p = { entries: [], head: 0, committable: undefined }));
    const entry: Entry<M> = { message, done: false };
    p.entries.push(entry);
    return entry;
  }

  finish(partition: string, entry: Entry<M>): void {
    entry.done = true;
    const p = this.#partitions.get(partition);
    if (!p) return;
    while (p.head < p.entries.length && p.entries[p.head]!.done) p.committable = p.entries[p.head++]!.message;
    // Space from the finished prefix is given back now and then, not on every message.
    if (p.head > 1024 && p.head * 2 > p.entries.length) {
      p.entries.splice(0, p.head);
      p.head = 0;
    }
  }

  /** Each partition's newest committable message since the last call. */
  takeCommittable(): M[] {
    const out: M[] = [];
    for (const p of this.#partitions.values()) {
      if (p.committable !== undefined) out.push(p.committable);
      p.committable = undefined;
    }
    return out;
  }

  /** Messages handed on and not finished, all partitions together. */
  get unfinished(): number {
    let n = 0;
    for (const p of this.#partitions.values()) for (let i = p.head; i < p.entries.length; i++) if (!p.entries[i]!.done) n += 1;
    return n;
  }

  /** Forgets a partition this consumer no longer owns (its new owner starts from the last commit). */
  drop(partition: string): void {
    this.#partitions.delete(partition);
  }
}
