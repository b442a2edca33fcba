// Durations in the Collector's (Go's) notation: "500ms", "30s", "1m30s", "2h". A config's durations are read
// once, when it is validated: every duration setting then holds a `Duration` (milliseconds beside the text the
// user wrote, for messages), so no component parses a string again.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;

export interface Duration {
  readonly ms: number;
  /** As written, e.g. "30s" — what messages quote back. */
  readonly text: string;
}

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const match = DURATION.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** A duration written in code (a default, a test): a mistake there is ours, so it throws. */
export function duration(text: string): Duration {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return { ms, text };
}

/** A plain object, not a class: defaults are copied with structuredClone, which keeps no prototype. */
export function isDuration(value: unknown): value is Duration {
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 2) return false;
  const { ms, text } = value as Duration;
  // Both fields and in agreement: a user's `window: {ms: 5}` merged over a default is not a duration.
  return typeof text === 'string' && typeof ms === 'number' && parseDuration(text) === ms;
}
