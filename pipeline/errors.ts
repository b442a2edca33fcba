// Every error logsift reports has a stable code, listed here (and in README.md's table, which a test holds
// to this list): the config and start codes a command exits with, and the runtime codes carried by the
// error classes below — in log lines as `err.code`, so an alert can match a code rather than a message.
export const ERROR_CODES = {
  LOGSIFT_ERR_CONFIG_READ: 'the configuration file could not be read',
  LOGSIFT_ERR_CONFIG_SYNTAX: 'the configuration file is not valid YAML',
  LOGSIFT_ERR_CONFIG_INVALID: 'the configuration has errors (each is listed with its dotted path)',
  LOGSIFT_ERR_START: 'a component failed to start (port in use, unwritable path, ...)',
  LOGSIFT_ERR_REQUEST_INVALID: 'a client request was malformed, too large or of a type the receiver does not take (HTTP 4xx, gRPC INVALID_ARGUMENT)',
  LOGSIFT_ERR_BACKPRESSURE: 'the daemon or a component can take no more now (HTTP 429, gRPC RESOURCE_EXHAUSTED, with a retry hint)',
  LOGSIFT_ERR_EXPORT_PERMANENT: 'a backend refused data for good: retrying cannot help (the batch is dead-lettered)',
  LOGSIFT_ERR_EXPORT_GAVE_UP: 'a backend kept failing past retry_on_failure.max_elapsed_time (the batch is dead-lettered)',
  LOGSIFT_ERR_DATA_LOST: 'records could not be delivered nor kept as a dead letter (the store refused the write)',
  LOGSIFT_ERR_RECORD_TOO_LARGE: 'a record is larger than any request the backend takes on its own',
  LOGSIFT_ERR_PROVIDER: 'a call to an LLM provider failed (timeout, api, rate_limited, network, refusal or truncated)',
  LOGSIFT_ERR_BACKFILL: 'a PostHog backfill stopped (key refused, PostHog kept failing, or the pipeline failed a page); its checkpoints stand',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with its code. */
export class LogsiftError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Failures that retrying cannot fix (a record over the backend's size limit, a rejected token). Receivers
// answer them as non-retryable (HTTP 400, gRPC INVALID_ARGUMENT) so clients do not resend forever.
export class PermanentError extends LogsiftError {
  override name = 'PermanentError';
  constructor(message: string, code: ErrorCode = 'LOGSIFT_ERR_EXPORT_PERMANENT') {
    super(code, message);
  }
}

/** The component cannot take more now (a full queue, memory over its limit); the client should retry later. */
export class BackpressureError extends LogsiftError {
  override name = 'BackpressureError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('LOGSIFT_ERR_BACKPRESSURE', message);
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}
