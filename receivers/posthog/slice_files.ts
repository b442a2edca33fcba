// A backfill sink writing each slice to its own file of OTLP/JSON lines (one page a line, as the file
// exporter writes them), so slices read side by side never interleave and the files, read in slice order,
// are the logs in time order. Each page is synced to disk before its offset is returned; a resumed slice
// cuts its file back to the checkpointed offset first, so a page written but not checkpointed before a
// crash is written once, not twice.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { exportRequestJson } from '../../proto/otlp_json.js';
import type { BackfillSink, Slice } from './backfill.js';
import type { PosthogLogRow } from './query_client.js';
import { rowsToRequest } from './rows_to_otlp.js';

export class SliceFiles implements BackfillSink {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  #file(slice: Slice): string {
    // Zero-padded microseconds: names sort as the slices do.
    return path.join(this.dir, `${String(slice.startUs).padStart(17, '0')}.jsonl`);
  }

  async resume(slice: Slice, offset: number): Promise<void> {
    const file = this.#file(slice);
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size < offset) throw new Error(`${file} holds ${size} bytes but its checkpoint says ${offset}: it was changed since; start the backfill over in a new directory`);
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w');
    try {
      ftruncateSync(fd, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async write(slice: Slice, rows: PosthogLogRow[]): Promise<number> {
    const fd = openSync(this.#file(slice), 'a');
    try {
      writeSync(fd, `${JSON.stringify(exportRequestJson(rowsToRequest(rows)))}\n`);
      fsyncSync(fd);
      return statSync(this.#file(slice)).size;
    } finally {
      closeSync(fd);
    }
  }

  /** The slice files written, in time order. */
  files(): string[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .map((name) => path.join(this.dir, name));
  }
}
