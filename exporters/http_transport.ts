// One POST of a protobuf body, optionally gzip'd, classified into a SendResult: what the posthog and
// otlp_http exporters share.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Clock } from '../pipeline/clock.js';
import { classifyHttpStatus, type SendResult } from '../pipeline/send_result.js';

const gzipAsync = promisify(gzip);

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  gzip: boolean;
  clock: Clock;
}

/** `onSuccessBody` sees the body of a 2xx answer (OTLP backends put partial_success there). */
export async function postProtobuf(
  protobuf: Uint8Array,
  options: PostOptions,
  signal: AbortSignal,
  onSuccessBody?: (body: Uint8Array) => void,
): Promise<SendResult> {
  const payload = options.gzip ? await gzipAsync(protobuf) : protobuf;
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', ...options.headers };
  if (options.gzip) headers['content-encoding'] = 'gzip';
  let response: Response;
  try {
    // Node's typings allow a SharedArrayBuffer here; these buffers never are one.
    response = await fetch(options.url, { method: 'POST', headers, body: payload as Uint8Array<ArrayBuffer>, signal });
  } catch (error) {
    const cause = signal.aborted ? 'timed out or cancelled' : `${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}`;
    return { kind: 'retryable', reason: `${options.url} unreachable: ${cause}` };
  }
  const answer = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
  if (response.ok && onSuccessBody) onSuccessBody(answer);
  return classifyHttpStatus(response.status, Buffer.from(answer).toString('utf8'), response.headers.get('retry-after'), options.clock.now());
}
