// Reads an HTTP request body within a size cap and decompresses it within the same cap, so neither a large
// body nor a gzip bomb can exhaust memory.
import type http from 'node:http';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { LogsiftError } from '../../pipeline/errors.js';

/** A request refused before it reached a pipeline, with the HTTP status it is answered with. */
export class HttpError extends LogsiftError {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super('LOGSIFT_ERR_REQUEST_INVALID', message);
  }
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`, 'too_large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(new HttpError(413, `request body exceeds the limit of ${maxBytes} bytes`, 'too_large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HttpError(400, `request body could not be read: ${error.message}`, 'malformed'));
    };
    const onAborted = () => {
      cleanup();
      reject(new HttpError(400, 'the client aborted the request', 'aborted'));
    };
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

/** Content-Encoding values the receiver understands (Node 20 has no zstd). */
export const SUPPORTED_ENCODINGS = ['gzip', 'deflate', 'identity'] as const;

export async function decompress(body: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const inflater = encoding === 'gzip' || encoding === 'x-gzip' ? gunzip : encoding === 'deflate' ? inflate : undefined;
  if (!inflater) return body;
  try {
    return await inflater(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpError(413, `decompressed body exceeds the limit of ${maxBytes} bytes`, 'too_large');
    }
    throw new HttpError(400, `${encoding} body could not be decompressed: ${(error as Error).message}`, 'malformed');
  }
}
