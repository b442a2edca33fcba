// One POST of a protobuf body, optionally gzip'd, classified into a SendResult: what the posthog and
// otlp_http exporters share.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Clock } from '../pipeline/clock.js';
import { classifyHttpStatus, type SendResult } from './helper/send_result.js';

const gzipAsync = promisify(gzip);

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  gzip: boolean;
  clock: Clock;
}

export async function postProtobuf(protobuf: Uint8Array, options: PostOptions, signal: AbortSignal): Promise<SendResult> {
  const body = options.gzip ? await gzipAsync(protobuf) : protobuf;
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', ...options.headers };
  if (options.gzip) headers['content-encoding'] = 'gzip';
  let response: Response;
  try {
    // Node's typings allow a SharedArrayBuffer here; these buffers never are one.
    response = await fetch(options.url, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer>, signal });
  } catch (error) {
    const cause = signal.aborted ? 'timed out or cancelled' : `${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}`;
    return { kind: 'retryable', reason: `${options.url} unreachable: ${cause}` };
  }
  const text = await response.text().catch(() => '');
  return classifyHttpStatus(response.status, text, response.headers.get('retry-after'), options.clock.now());
}
