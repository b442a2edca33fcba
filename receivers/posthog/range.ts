// What range a backfill reads, from how people write one: ISO 8601 times, or a span back from the end
// ("24h", "7d") and an end of "now" — aligned down to a whole slice, so the same words said again within
// that slice name the same range (and the same checkpointed job).
import { createHash } from 'node:crypto';
import { parseDuration } from '../../config/duration.js';
import { isoToMicros } from './rows_to_otlp.js';

/** A span in Go's notation, or whole days ("7d"). */
function spanMs(text: string): number | undefined {
  const days = /^(\d+)d$/.exec(text.trim());
  return days ? Number(days[1]) * 86_400_000 : parseDuration(text);
}

/** The range [fromUs, toUs) the options mean, or the reason they mean none. */
export function backfillRange(options: { from: string; to: string; slice: string }, nowMs: number): { fromUs: number; toUs: number; sliceUs: number } | string {
  const slice = spanMs(options.slice);
  if (slice === undefined || !(slice >= 1000)) return `slice must be a duration of a second or more, not ${JSON.stringify(options.slice)}`;
  const sliceUs = slice * 1000;
  let toUs: number;
  if (options.to === 'now') toUs = Math.floor((nowMs * 1000) / sliceUs) * sliceUs;
  else {
    try {
      toUs = isoToMicros(options.to);
    } catch {
      return `to must be an ISO 8601 time or "now", not ${JSON.stringify(options.to)}`;
    }
  }
  const back = spanMs(options.from);
  let fromUs: number;
  if (back !== undefined) fromUs = toUs - back * 1000;
  else {
    try {
      fromUs = isoToMicros(options.from);
    } catch {
      return `from must be an ISO 8601 time or a span back from to ("24h", "7d"), not ${JSON.stringify(options.from)}`;
    }
  }
  if (!(fromUs < toUs)) return 'from must be before to';
  return { fromUs, toUs, sliceUs };
}

/** A backfill's name in the store: what it reads, so the same backfill asked again resumes, and another starts afresh. */
export function backfillJob(host: string, project: string, services: readonly string[], range: { fromUs: number; toUs: number; sliceUs: number }): string {
  return createHash('sha256')
    .update(JSON.stringify([host.replace(/\/$/, ''), project, [...services].sort(), range.fromUs, range.toUs, range.sliceUs]))
    .digest('hex')
    .slice(0, 16);
}
