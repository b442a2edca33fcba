// Quiet hours, as Alertmanager's mute time intervals: weekdays and a time of day range in a time zone (a
// range past midnight runs into the next day). While one is on, notifications are held — the newest per
// alert — and sent when it ends: an alert still firing is told then, one that fired and resolved within the
// quiet hours is not told at all. Critical alerts go out anyway unless `hold_critical` says otherwise.
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface QuietInterval {
  /** Absent or empty: every day. */
  weekdays?: Weekday[];
  /** "HH:MM", 24-hour; `to` may be earlier than `from` (past midnight); "24:00" ends a day. */
  from: string;
  to: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

export const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$';

export class QuietHours {
  readonly #format: Intl.DateTimeFormat;

  constructor(
    private readonly intervals: readonly QuietInterval[],
    timeZone: string,
  ) {
    this.#format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  /** Whether `time` (ms) falls in a quiet interval, in the configured time zone. */
  quiet(time: number): boolean {
    if (this.intervals.length === 0) return false;
    const parts = Object.fromEntries(this.#format.formatToParts(new Date(time)).map((p) => [p.type, p.value]));
    const day = WEEKDAYS.indexOf(String(parts.weekday).toLowerCase() as Weekday);
    const minute = Number(parts.hour) * 60 + Number(parts.minute);
    const yesterday = WEEKDAYS[(day + 6) % 7]!;
    const today = WEEKDAYS[day]!;
    const on = (i: QuietInterval, d: Weekday) => !i.weekdays || i.weekdays.length === 0 || i.weekdays.includes(d);
    return this.intervals.some((i) => {
      const from = minutesOf(i.from);
      const to = minutesOf(i.to);
      if (from <= to) return on(i, today) && minute >= from && minute < to;
      // Past midnight: the evening part belongs to today, the morning part to the day it started.
      return (on(i, today) && minute >= from) || (on(i, yesterday) && minute < to);
    });
  }
}

/** Valid IANA time zone names (what Intl accepts here). */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `${timeZone} is not a time zone this Node knows (an IANA name such as Europe/Berlin, or UTC)`;
  }
}
