// `logsift analyze --posthog HOST --project ID`: the logs already in PostHog, backfilled into slice files
// under the run's directory, then analysed like any traffic file. The backfill's checkpoints live beside
// the files, so the same command run again (same range, same directory) goes on where it stopped. A range
// written relative to now is aligned to whole slices, so a run again within the same slice is the same job.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseDuration } from '../config/duration.js';
import { Backfill, type BackfillProgress, type BackfillResult } from '../receivers/posthog/backfill.js';
import { PosthogLogsClient } from '../receivers/posthog/query_client.js';
import { isoToMicros } from '../receivers/posthog/rows_to_otlp.js';
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

/** A span in Go's notation, or whole days ("7d"). */
function spanMs(text: string): number | undefined {
  const days = /^(\d+)d$/.exec(text.trim());
  return days ? Number(days[1]) * 86_400_000 : parseDuration(text);
}

/** The range [fromUs, toUs) the options mean, or the reason they mean none. */
export function backfillRange(options: Pick<PosthogSourceOptions, 'from' | 'to' | 'slice'>, nowMs: number): { fromUs: number; toUs: number; sliceUs: number } | string {
  const slice = spanMs(options.slice);
  if (slice === undefined || !(slice >= 1000)) return `--slice must be a duration of a second or more, not ${JSON.stringify(options.slice)}`;
  const sliceUs = slice * 1000;
  let toUs: number;
  if (options.to === 'now') toUs = Math.floor((nowMs * 1000) / sliceUs) * sliceUs;
  else {
    try {
      toUs = isoToMicros(options.to);
    } catch {
      return `--to must be an ISO 8601 time or "now", not ${JSON.stringify(options.to)}`;
    }
  }
  const back = spanMs(options.from);
  let fromUs: number;
  if (back !== undefined) fromUs = toUs - back * 1000;
  else {
    try {
      fromUs = isoToMicros(options.from);
    } catch {
      return `--from must be an ISO 8601 time or a span back from --to ("24h", "7d"), not ${JSON.stringify(options.from)}`;
    }
  }
  if (!(fromUs < toUs)) return '--from must be before --to';
  return { fromUs, toUs, sliceUs };
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
  const job = createHash('sha256')
    .update(JSON.stringify([options.host.replace(/\/$/, ''), options.project, services, range.fromUs, range.toUs, range.sliceUs]))
    .digest('hex')
    .slice(0, 16);
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
