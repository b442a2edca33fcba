// Where the policy commands find a running daemon's control API when --endpoint and LOGSIFT_ENDPOINT are unset:
// the telemetry server's default address. A daemon with `service.auth` wants a token: LOGSIFT_TOKEN.
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:13133';

/** One request to a running daemon's telemetry server; status 0 (with the reason) when it cannot be reached. */
export async function callDaemon(endpoint: string, method: string, path: string, body: unknown, needs: string): Promise<{ status: number; value: unknown }> {
  const url = `${endpoint.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    const token = process.env.LOGSIFT_TOKEN;
    const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    return { status: 0, value: { error: `cannot reach the daemon at ${endpoint} (${(error as Error).message}); is it running, with ${needs}?` } };
  }
  const text = await response.text();
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: shown as it came.
  }
  return { status: response.status, value };
}

/** Prints a failed call's error and problems; the exit code. */
export function printFailure(result: { status: number; value: unknown }): number {
  const error = (result.value as { error?: string; problems?: string[] }) ?? {};
  process.stderr.write(`${result.status === 0 ? '' : `HTTP ${result.status}: `}${error.error ?? JSON.stringify(result.value)}\n`);
  if (result.status === 401) process.stderr.write(`  the daemon asks for a token: set LOGSIFT_TOKEN\n`);
  for (const problem of error.problems ?? []) process.stderr.write(`  ${problem}\n`);
  return 1;
}
