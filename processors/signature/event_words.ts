// Words that name an event rather than carry a value: masking leaves them alone and the miner keeps them
// apart (merging two events costs more than splitting one — a POST spike hides in a GET pattern).

/** HTTP request methods: `"GET /api/users"` and `"POST /api/users"` are two events. */
export const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

/** A protocol and its version (HTTP/1.1, HTTP/2, TLSv1.3) is part of the message, not a variable. */
export const PROTOCOL_VERSION = /^["'(]?(HTTP|HTTPS|SPDY|TLSv?|SSLv?|SMB|NFSv?)\/?\d(\.\d)?["'),]?$/i;

/**
 * Keys whose value names the event in key=value logs (logfmt, `event=order_created`, `status=FAILED`): a
 * word-like value there is kept; a value with digits is still a variable.
 */
export const EVENT_KEYS = new Set(['msg', 'message', 'event', 'evt', 'action', 'status', 'state', 'result', 'outcome', 'method', 'op', 'operation', 'type', 'kind', 'level', 'lvl']);

const WORDLIKE_VALUE = /^["']?[A-Za-z][A-Za-z _.-]*["']?$/;

/** Whether `key=value` holds an event-naming key with a word-like value (kept whole by masking). */
export function isEventKeyValue(key: string, value: string): boolean {
  return EVENT_KEYS.has(key.toLowerCase()) && WORDLIKE_VALUE.test(value);
}
