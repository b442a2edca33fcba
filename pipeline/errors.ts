// Failures that retrying cannot fix (a record over the backend's size limit, a rejected token). Receivers
// answer them as non-retryable (HTTP 400, gRPC INVALID_ARGUMENT) so clients do not resend forever.
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** The component cannot take more now (a full queue, memory over its limit); the client should retry later. */
export class BackpressureError extends Error {
  override name = 'BackpressureError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}
