// A backfill of PostHog's logs over [from, to): cut into time slices, read at most `concurrency` slices at
// once (the client holds queries in flight to its own limit), each slice page by page through the logs
// query's cursor — or through HogQL keyset pages where the instance has no cursor — and checkpointed in the
// store after every page the sink has made safe. A backfill started again with the same job name goes on
// where it stopped: a finished slice is not read again, an unfinished one is read again from the time of
// its last delivered row, skipping the rows already delivered at that very time (the uuids are kept, so
// no order of UUIDs among equal times is assumed), and the sink is first put back where that checkpoint
// saw it. Rows outside a slice's [start, end) are left to the slice they belong to, and a row that comes
// again out of order is dropped, so pages and slices neither overlap nor leave gaps.
import type { BackfillSliceRow, Store } from '../../store/store.js';
import type { PosthogLogRow, PosthogLogsClient } from './query_client.js';
import { isoToMicros } from './rows_to_otlp.js';

export interface Slice {
  startUs: number;
  endUs: number;
}

/** Where rows go: a file (cmd/posthog_source.ts), or a pipeline (the `posthog` receiver). */
export interface BackfillSink {
  /** Before a slice is read (again): the sink goes back to where the slice's checkpoint saw it. */
  resume(slice: Slice, offset: number): Promise<void>;
  /** Takes one page's new rows and resolves, once they are safe, with the sink's offset after them. */
  write(slice: Slice, rows: PosthogLogRow[]): Promise<number>;
}

export interface BackfillProgress {
  slices: number;
  slicesDone: number;
  rows: number;
  mode: 'logs_query' | 'hogql';
}

export interface BackfillOptions {
  job: string;
  fromUs: number;
  toUs: number;
  sliceUs: number;
  /** Slices read at once (PostHog allows 3 queries in flight per team). */
  concurrency: number;
  store: Store;
  client: PosthogLogsClient;
  sink: BackfillSink;
  onProgress?: (progress: BackfillProgress) => void;
  /**
   * The job's range ends at `toUs` whatever its earlier runs planned: slices are added from where they ended
   * (a receiver reading up to "now" at each start reads on, never again).
   */
  extend?: boolean;
  /** Stops the backfill before its next query (the run rejects with the signal's reason; checkpoints stand). */
  signal?: AbortSignal;
}

export interface BackfillResult extends BackfillProgress {
  /** Rows a page repeated (already delivered, or outside its slice) and that were not delivered again. */
  skipped: number;
  /** Rows without a uuid or a readable time: left out, counted (a malformed row never stops the backfill). */
  unreadable: number;
}

/** A row's time in microseconds, or undefined when it has none that reads (or no uuid to tell it by). */
function rowTime(row: PosthogLogRow): number | undefined {
  if (typeof row.uuid !== 'string' || row.uuid === '' || typeof row.timestamp !== 'string') return undefined;
  try {
    return isoToMicros(row.timestamp);
  } catch {
    return undefined;
  }
}

/** The last delivered time and the uuids delivered at it: what a resumed slice skips. */
interface Position {
  us: number;
  uuids: Set<string>;
}

export class Backfill {
  #mode: BackfillProgress['mode'] = 'logs_query';
  #rows = 0;
  #skipped = 0;
  #unreadable = 0;
  #done = 0;
  #slices: BackfillSliceRow[] = [];
  #modeFound!: () => void;
  readonly #modeKnown = new Promise<void>((resolve) => (this.#modeFound = resolve));

  constructor(private readonly options: BackfillOptions) {
    if (!(options.toUs > options.fromUs)) throw new RangeError('a backfill needs from < to');
    if (!(options.sliceUs > 0)) throw new RangeError('a backfill needs a positive slice');
  }

  /** The job's slices, made on its first run and read back from the store after. */
  #plan(): BackfillSliceRow[] {
    const { store, job, fromUs, toUs, sliceUs } = this.options;
    const known = store.backfillSlices(job);
    if (known.length > 0 && !this.options.extend) return known;
    const slices: BackfillSliceRow[] = [...known];
    // A job asked again with a later end (extend) reads on from where its slices end.
    for (let start = known.length > 0 ? known.at(-1)!.slice_end : fromUs; start < toUs; start += sliceUs) {
      const row = { slice_start: start, slice_end: Math.min(toUs, start + sliceUs), after_us: null, after_uuid: null, rows: 0, done: 0, sink_offset: 0 };
      store.saveBackfillSlice(job, row);
      slices.push(row);
    }
    return slices;
  }

  async run(): Promise<BackfillResult> {
    this.#slices = this.#plan();
    this.#rows = this.#slices.reduce((n, s) => n + s.rows, 0);
    this.#done = this.#slices.filter((s) => s.done).length;
    this.#report();
    const pending = this.#slices.filter((s) => !s.done);
    const worker = async (first?: BackfillSliceRow) => {
      for (let slice = first ?? pending.shift(); slice; slice = pending.shift()) await this.#readSlice(slice);
    };
    // The first answer says whether the instance pages by cursor: one reader starts, the rest once it is known.
    const firstWorker = worker(pending.shift());
    await Promise.race([this.#modeKnown, firstWorker.catch(() => undefined)]);
    const workers = [firstWorker, ...Array.from({ length: Math.max(0, Math.min(this.options.concurrency - 1, pending.length)) }, () => worker())];
    // Every worker ends (its page delivered and checkpointed, or not at all) before the run does, even
    // when one failed: the caller may close the store and the sink as soon as the run settles.
    const failed = (await Promise.allSettled(workers)).find((w) => w.status === 'rejected');
    if (failed) throw failed.reason;
    return { ...this.#progress(), skipped: this.#skipped, unreadable: this.#unreadable };
  }

  #progress(): BackfillProgress {
    return { slices: this.#slices.length, slicesDone: this.#done, rows: this.#rows, mode: this.#mode };
  }

  #report(): void {
    this.options.onProgress?.(this.#progress());
  }

  async #readSlice(row: BackfillSliceRow): Promise<void> {
    const slice = { startUs: row.slice_start, endUs: row.slice_end };
    await this.options.sink.resume(slice, row.sink_offset);
    const position: Position | undefined = row.after_us === null ? undefined : { us: row.after_us, uuids: new Set(JSON.parse(row.after_uuid ?? '[]') as string[]) };
    if (this.#mode === 'logs_query') {
      const paged = await this.#readByCursor(row, slice, position);
      if (paged) return;
    }
    await this.#readByKeyset(row, slice, position);
  }

  /** Pages through the logs query; false when the instance has no cursor (nothing was delivered then). */
  async #readByCursor(row: BackfillSliceRow, slice: Slice, resumeAt: Position | undefined): Promise<boolean> {
    let position = resumeAt;
    let cursor: string | undefined;
    const from = position ? Math.max(slice.startUs, Math.floor(position.us / 1000) * 1000) : slice.startUs;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const page = await this.options.client.logsPage(from, slice.endUs, cursor);
      if (page.kind === 'no_cursor') this.#mode = 'hogql';
      this.#modeFound();
      if (page.kind === 'no_cursor') return false;
      position = await this.#deliver(row, slice, page.rows, position, !page.hasMore);
      if (!page.hasMore) return true;
      if (!page.nextCursor) throw new Error('PostHog said hasMore without a nextCursor');
      cursor = page.nextCursor;
    }
  }

  async #readByKeyset(row: BackfillSliceRow, slice: Slice, resumeAt: Position | undefined): Promise<void> {
    let position = resumeAt;
    // A resumed slice reads again from its last time (inclusive) and skips by uuid; later pages follow the keyset.
    let after: { us: number; uuid: string } | undefined;
    const from = position ? position.us : slice.startUs;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const rows = await this.options.client.hogqlPage(from, slice.endUs, after);
      const finished = rows.length < this.options.client.pageSize;
      position = await this.#deliver(row, slice, rows, position, finished);
      if (finished) return;
      // The keyset moves past the page's last row that has a time and a uuid.
      const last = [...rows].reverse().find((r) => rowTime(r) !== undefined);
      if (!last) throw new Error('a full HogQL page without one row that has a readable time and uuid: cannot page past it');
      after = { us: rowTime(last)!, uuid: last.uuid };
    }
  }

  /** Delivers a page's new rows, checkpoints after them (and the slice's end when `finished`). */
  async #deliver(row: BackfillSliceRow, slice: Slice, rows: PosthogLogRow[], position: Position | undefined, finished: boolean): Promise<Position | undefined> {
    const fresh: PosthogLogRow[] = [];
    let at = position;
    for (const r of rows) {
      const us = rowTime(r);
      if (us === undefined) {
        this.#unreadable += 1;
        continue;
      }
      const repeated = at !== undefined && (us < at.us || (us === at.us && at.uuids.has(r.uuid)));
      if (repeated || us < slice.startUs || us >= slice.endUs) {
        this.#skipped += 1;
        continue;
      }
      if (at === undefined || us > at.us) at = { us, uuids: new Set() };
      at.uuids.add(r.uuid);
      fresh.push(r);
    }
    if (fresh.length > 0) {
      row.sink_offset = await this.options.sink.write(slice, fresh);
      row.rows += fresh.length;
      row.after_us = at!.us;
      row.after_uuid = JSON.stringify([...at!.uuids]);
      this.#rows += fresh.length;
    }
    if (finished) {
      row.done = 1;
      this.#done += 1;
    }
    if (fresh.length > 0 || finished) {
      this.options.store.saveBackfillSlice(this.options.job, row);
      this.#report();
    }
    return at;
  }
}
