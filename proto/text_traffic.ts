// Plain log lines, one record a line (what most people have: a file their service wrote), made into traffic
// in the file exporter's format so the chain can replay them. Each line's time is read from the line where
// it starts with one (ISO 8601, syslog's `Jun 14 15:16:01`, `17/06/09 20:10:40`, `081109 203615`); a line
// without one takes the time of the line before it; a file with no times at all is spread evenly over
// `spanMs` ending at `endMs`. Severity is read from a level word (`ERROR`, `WARN`, `[error]` …); lines without
// one are INFO.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ISO = /^\D{0,32}?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/;
const SLASHED = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})/;
const COMPACT = /^(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})\b/;
// ctime, as Apache's error log writes it: "[Sun Dec 04 04:47:44 2005]".
const CTIME = /^\[?[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4})\]?/;
// Android's logcat: "03-17 16:13:38.811  1702  2395 D Tag: …" (no year), its level a letter after the ids.
const LOGCAT = /^(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})\s+\d+\s+\d+\s+([VDIWEFA])\s/;
// Unix seconds opening the line (alone or after a "- " marker, as supercomputer logs write them), 2001–2100.
const EPOCH = /^(?:- )?(\d{10})(?:\.(\d{1,6}))?\s/;
// A level word: upper case alone, or any case inside brackets.
const LEVEL = /\b(FATAL|CRITICAL|SEVERE|ERROR|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE)\b|\[(fatal|crit|critical|error|err|warn|warning|notice|info|debug|trace)\]/i;
const LOGCAT_SEVERITY: Record<string, number> = { V: 1, D: 5, I: 9, W: 13, E: 17, F: 21, A: 21 };
const SEVERITY: Record<string, number> = { trace: 1, debug: 5, info: 9, notice: 10, warn: 13, warning: 13, error: 17, err: 17, severe: 17, critical: 21, crit: 21, fatal: 21 };

/** The time a line starts with, in ms since the epoch (UTC where it names no zone), or undefined. */
export function lineTime(line: string, year: number): number | undefined {
  let m = ISO.exec(line);
  if (m) {
    const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + Math.floor(fraction);
    const zone = m[8];
    if (zone && zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return Number.isFinite(t) ? t : undefined;
  }
  if ((m = SYSLOG.exec(line))) {
    const month = MONTHS.indexOf(m[1]!.toLowerCase());
    return month < 0 ? undefined : Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  }
  if ((m = CTIME.exec(line))) {
    const month = MONTHS.indexOf(m[1]!.toLowerCase());
    return month < 0 ? undefined : Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  }
  if ((m = LOGCAT.exec(line))) {
    const month = Number(m[1]);
    return month >= 1 && month <= 12 ? Date.UTC(year, month - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : undefined;
  }
  if ((m = EPOCH.exec(line))) {
    const seconds = Number(m[1]);
    return seconds >= 978_307_200 && seconds < 4_102_444_800 ? seconds * 1000 + Math.floor(Number(`0.${m[2] ?? 0}`) * 1000) : undefined;
  }
  if ((m = SLASHED.exec(line)) || (m = COMPACT.exec(line))) {
    const t = Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? t : undefined;
  }
  return undefined;
}

/** The severity number of the line's level word (INFO when it has none). */
export function lineSeverity(line: string): number {
  const logcat = LOGCAT.exec(line);
  if (logcat) return LOGCAT_SEVERITY[logcat[7]!]!;
  const m = LEVEL.exec(line);
  if (!m) return 9;
  const word = (m[1] ?? m[2]!).toLowerCase();
  // An upper-case word is a level; a lower-case one outside brackets is prose ("connection error").
  if (m[1] && m[1] !== m[1].toUpperCase()) return 9;
  return SEVERITY[word] ?? 9;
}

export interface TextTrafficOptions {
  service: string;
  /** Where lines carry no time at all: they are spread over this span, ending at `endMs`. */
  spanMs: number;
  endMs: number;
  /** The year for syslog times, which name none. */
  year: number;
}

const LINES_PER_REQUEST = 1000;

/** Writes `input`'s lines to `output` as traffic; returns how many lines and how many carried their own time. */
export async function textToTraffic(input: string, output: string, options: TextTrafficOptions): Promise<{ lines: number; timed: number }> {
  // First pass: how many lines, and whether any has a time (else all are spread over the span).
  let total = 0;
  let timed = 0;
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    total += 1;
    if (lineTime(line, options.year) !== undefined) timed += 1;
  }
  const out = createWriteStream(output);
  const write = (records: object[]) =>
    new Promise<void>((resolve, reject) => {
      // Already OTLP/JSON: int64 times as decimal strings, enums as numbers.
      const request = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: options.service } }] }, scopeLogs: [{ logRecords: records }] }] };
      out.write(`${JSON.stringify(request)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  const spacing = total > 0 ? options.spanMs / total : 0;
  let index = 0;
  let last = options.endMs - options.spanMs;
  let batch: object[] = [];
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const own = timed > 0 ? lineTime(line, options.year) : undefined;
    const time = timed > 0 ? (own ?? last) : options.endMs - options.spanMs + Math.floor(index * spacing);
    last = time;
    index += 1;
    batch.push({ timeUnixNano: String(BigInt(time) * 1_000_000n), severityNumber: lineSeverity(line), body: { stringValue: line } });
    if (batch.length === LINES_PER_REQUEST) {
      await write(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await write(batch);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { lines: total, timed };
}
