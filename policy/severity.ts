// OTLP severity numbers in classes (the spec's ranges: 1–4 TRACE … 21–24 FATAL); severity_text only when the
// number is unset, as PostHog does.
export const SEVERITY_CLASSES = ['UNSPECIFIED', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type SeverityClass = (typeof SEVERITY_CLASSES)[number];

const TEXT_CLASSES: Record<string, SeverityClass> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  information: 'INFO',
  notice: 'INFO',
  warn: 'WARN',
  warning: 'WARN',
  error: 'ERROR',
  err: 'ERROR',
  critical: 'FATAL',
  crit: 'FATAL',
  alert: 'FATAL',
  emergency: 'FATAL',
  fatal: 'FATAL',
};

export function severityClass(number: number, text: string): SeverityClass {
  if (number >= 1 && number <= 24) return SEVERITY_CLASSES[Math.ceil(number / 4)]!;
  return TEXT_CLASSES[text.trim().toLowerCase()] ?? 'UNSPECIFIED';
}

/** The class's rank, for "at or above" comparisons (ERROR and FATAL are ≥ ERROR). */
export function severityRank(cls: SeverityClass): number {
  return SEVERITY_CLASSES.indexOf(cls);
}
