// Every figure on screen comes from the daemon's API: one fetch helper that sends the token the user gave
// (kept in this tab's sessionStorage only), and a Server-Sent Events reader built on fetch — EventSource
// cannot send an Authorization header.
const TOKEN_KEY = 'logsift.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Listeners told when the API asks for a token (401) — the app then shows its sign-in form. */
const unauthorized = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorized.add(listener);
  return () => unauthorized.delete(listener);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return { accept: 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra };
}

export interface Answer<T> {
  status: number;
  body: T;
  etag: string | null;
}

/** A JSON request; resolves with any 2xx (and the ETag), rejects with an ApiError otherwise. */
export async function request<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? extra : { 'content-type': 'application/json', ...extra }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (response.status === 401) for (const listener of unauthorized) listener();
  if (!response.ok) {
    const message = (parsed as { error?: string } | null)?.error ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, parsed);
  }
  return { status: response.status, body: parsed as T, etag: response.headers.get('etag') };
}

export const get = <T>(path: string) => request<T>('GET', path).then((a) => a.body);

/** Follows an event stream until `signal` aborts; reconnects after a pause when the connection drops. */
export function follow(path: string, onEvent: (event: string, data: unknown) => void, signal: AbortSignal): void {
  const run = async () => {
    while (!signal.aborted) {
      try {
        const response = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal });
        if (response.status === 401) for (const listener of unauthorized) listener();
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent(event, JSON.parse(data));
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  void run();
}
