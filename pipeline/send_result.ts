// What one attempt to hand data to a backend came to. Transports classify; the helper decides what follows.
export type SendResult =
  | { kind: 'success' }
  /** Worth trying again: 429/502/503/504, network errors, timeouts. `retryAfterMs` when the backend said when. */
  | { kind: 'retryable'; reason: string; retryAfterMs?: number }
  /** The backend refused this size (413): smaller parts may pass. */
  | { kind: 'too_large'; reason: string }
  /** Will not change on resend: 400, 401, 403, a record over every limit. */
  | { kind: 'permanent'; reason: string };

/** HTTP status → result, as OTLP/HTTP and PostHog's capture endpoint both prescribe. */
export function classifyHttpStatus(status: number, body: string, retryAfter: string | null, now: number): SendResult {
  if (status >= 200 && status < 300) return { kind: 'success' };
  const reason = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 413) return { kind: 'too_large', reason };
  if ([429, 502, 503, 504].includes(status)) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, retryAfterMs };
  }
  return { kind: 'permanent', reason };
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
