// Logging libraries' levels as OpenTelemetry severity numbers (the first of each class's range).
export const SEVERITY = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 } as const;

/** pino's numeric levels (10 trace … 60 fatal; custom levels fall in the class below them). */
export function pinoSeverity(level: number): number {
  if (level >= 60) return SEVERITY.FATAL;
  if (level >= 50) return SEVERITY.ERROR;
  if (level >= 40) return SEVERITY.WARN;
  if (level >= 30) return SEVERITY.INFO;
  if (level >= 20) return SEVERITY.DEBUG;
  return SEVERITY.TRACE;
}

const NAMED: Record<string, number> = {
  emerg: SEVERITY.FATAL, alert: SEVERITY.FATAL, crit: SEVERITY.FATAL, fatal: SEVERITY.FATAL,
  error: SEVERITY.ERROR, warn: SEVERITY.WARN, warning: SEVERITY.WARN, notice: SEVERITY.INFO, info: SEVERITY.INFO,
  http: SEVERITY.DEBUG, verbose: SEVERITY.DEBUG, debug: SEVERITY.DEBUG, silly: SEVERITY.TRACE, trace: SEVERITY.TRACE,
};

/** winston's (npm and syslog) level names; an unknown name is INFO. */
export function namedSeverity(level: string): number {
  return NAMED[level.toLowerCase()] ?? SEVERITY.INFO;
}
