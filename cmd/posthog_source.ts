// `logsift analyze --posthog HOST --project ID`: the logs already in PostHog, backfilled into slice files
// under the run's directory, then analysed like any traffic file. The backfill's checkpoints live beside
// the files, so the same command run again (same range, same directory) goes on where it stopped. A range
// written relative to now is aligned to whole slices (receivers/posthog/range.ts): a run again within the same slice resumes.
import path from 'node:path';
import { Backfill, type BackfillProgress, type BackfillResult } from '../receivers/posthog/backfill.js';
import { PosthogLogsClient } from '../receivers/posthog/query_client.js';
import { backfillJob, backfillRange } from '../receivers/posthog/range.js';
import { SliceFiles } from '../receivers/posthog/slice_files.js';
import { Store } from '../store/store.js';

export interface PosthogSourceOptions {
  host: string;
  project: string;
  /** ISO 8601, or a span back from `to` ("24h", "7d"). */
  from: string;
  /** ISO 8601, or "now". */
  to: string;
  slice: string;
  services: string[];
  personalApiKey: string;
  /** The run's directory: the backfill keeps its files and checkpoints in `posthog/` under it. */
  dir: string;
}

function progressBar(p: BackfillProgress): string {
  const share = p.slices === 0 ? 1 : p.slicesDone / p.slices;
  return `\rPostHog [${'#'.repeat(Math.round(share * 30)).padEnd(30)}] ${p.slicesDone}/${p.slices} slices  ${p.rows} rows${p.mode === 'hogql' ? '  (HogQL)' : ''}`;
}

/** Backfills the range into slice files; resolves with them in time order and what was read. */
export async function posthogTraffic(options: PosthogSourceOptions, nowMs: number): Promise<{ files: string[]; result: BackfillResult; fromUs: number; toUs: number }> {
  const range = backfillRange(options, nowMs);
  if (typeof range === 'string') throw new RangeError(range);
  const services = [...options.services].sort();
  const job = backfillJob(options.host, options.project, services, range);
  const dir = path.join(options.dir, 'posthog', job);
  const files = new SliceFiles(dir);
  const store = new Store(path.join(dir, 'checkpoints.db'), 'normal');
  const client = new PosthogLogsClient({ host: options.host, projectId: options.project, personalApiKey: options.personalApiKey, services, pageSize: 2000, maxInFlight: 3, maxRetries: 8 });
  const tty = process.stderr.isTTY;
  try {
    const result = await new Backfill({
      job,
      ...range,
      concurrency: 3,
      store,
      client,
      sink: files,
      onProgress: (p) => {
        if (tty) process.stderr.write(progressBar(p));
      },
    }).run();
    if (tty) process.stderr.write('\n');
    return { files: files.files(), result, fromUs: range.fromUs, toUs: range.toUs };
  } finally {
    store.close();
  }
}
