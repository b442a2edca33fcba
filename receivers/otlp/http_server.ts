// OTLP/HTTP: POST {logs_url_path} with protobuf or JSON bodies, optionally gzip/deflate; answers in the
// request's encoding, per the OTLP/HTTP spec.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseEndpoint } from '../../config/endpoint.js';
import type { Logger } from '../../pipeline/logger.js';
import { decodeExportRequest, encodeExportResponse, type PbExportRequest } from '../../proto/otlp.js';
import { readJsonExportRequest } from '../../proto/otlp_json.js';
import type { HttpConfig } from './config.js';
import type { ExportHandler, ExportOutcome } from './export_handler.js';
import { HttpError, SUPPORTED_ENCODINGS, decompress, readBody } from './request_body.js';
import { GRPC_CODE, encodeStatus, type WireEncoding } from './status.js';
import type { RequestAuthenticator } from '../../security/bearer_token_auth.js';
import { serverTlsOptions } from '../../security/tls.js';
import { CorsPolicy } from '../../security/cors.js';
import { tenantOf } from '../../security/rate_limit.js';

const CONTENT_TYPES: Record<string, WireEncoding> = {
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
  'application/json': 'json',
};
const RESPONSE_TYPE: Record<WireEncoding, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

function mediaType(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export class OtlpHttpServer {
  readonly #server: http.Server;
  readonly #inflight = new Set<Promise<void>>();
  readonly #cors: CorsPolicy | undefined;
  #stopping = false;
  #authenticator: RequestAuthenticator | undefined;

  constructor(
    private readonly config: HttpConfig,
    private readonly handler: ExportHandler,
    private readonly logger: Logger,
  ) {
    const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const work = this.#serve(req, res).catch((error: unknown) => {
        this.logger.error({ err: error }, 'unexpected error answering an OTLP/HTTP request');
        if (!res.headersSent) this.#reply(res, 500, 'json', encodeStatus('json', 13, 'internal error'));
        else res.destroy();
      });
      this.#inflight.add(work);
      void work.finally(() => this.#inflight.delete(work));
    };
    this.#cors = config.cors ? new CorsPolicy(config.cors, ['POST']) : undefined;
    this.#server = config.tls ? https.createServer(serverTlsOptions(config.tls), serve) : http.createServer(serve);
    // A client that sends headers forever or a body slowly must not hold a socket indefinitely.
    this.#server.requestTimeout = 60_000;
    this.#server.headersTimeout = 30_000;
  }

  #reply(res: http.ServerResponse, status: number, encoding: WireEncoding, body: Buffer | Uint8Array, headers: http.OutgoingHttpHeaders = {}): void {
    const close = this.#stopping || status === 413 ? { connection: 'close' } : {};
    res.writeHead(status, { 'content-type': RESPONSE_TYPE[encoding], 'content-length': body.byteLength, ...headers, ...close });
    res.end(body);
  }

  #error(res: http.ServerResponse, encoding: WireEncoding, error: HttpError, headers: http.OutgoingHttpHeaders = {}): void {
    this.handler.refusedRequest(error.reason);
    const code = error.status === 404 ? GRPC_CODE.NOT_FOUND : error.status === 405 ? GRPC_CODE.UNIMPLEMENTED : GRPC_CODE.INVALID_ARGUMENT;
    this.#reply(res, error.status, encoding, encodeStatus(encoding, code, error.message), headers);
  }

  /** Every request must pass this authenticator (set before start). */
  requireAuth(authenticator: RequestAuthenticator): void {
    this.#authenticator = authenticator;
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.#cors) {
      // Before authentication: a browser's preflight carries no credentials.
      if (this.#cors.preflight(req, res)) return;
      this.#cors.decorate(req, res);
    }
    const encoding: WireEncoding = CONTENT_TYPES[mediaType(req)] ?? 'json';
    if (this.#authenticator && !this.#authenticator.allows(req.headers.authorization)) {
      req.resume();
      this.handler.refusedRequest('unauthenticated');
      this.#reply(res, 401, encoding, encodeStatus(encoding, GRPC_CODE.UNAUTHENTICATED, 'a valid bearer token is required'), { 'www-authenticate': 'Bearer realm="logsift"' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.config.logs_url_path) {
      req.resume();
      this.#error(res, encoding, new HttpError(404, `no such path ${path}; OTLP logs are posted to ${this.config.logs_url_path}`, 'not_found'));
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      this.#error(res, encoding, new HttpError(405, `method ${req.method} is not allowed; use POST`, 'method_not_allowed'), { allow: 'POST' });
      return;
    }
    if (!CONTENT_TYPES[mediaType(req)]) {
      req.resume();
      const got = req.headers['content-type'] ?? '(none)';
      this.#error(res, 'json', new HttpError(415, `unsupported content-type ${got}; use application/x-protobuf or application/json`, 'unsupported_media_type'));
      return;
    }
    const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!(SUPPORTED_ENCODINGS as readonly string[]).includes(contentEncoding) && contentEncoding !== 'x-gzip') {
      req.resume();
      this.#error(res, encoding, new HttpError(415, `unsupported content-encoding ${contentEncoding}; use gzip, deflate or none`, 'unsupported_media_type'));
      return;
    }
    if (this.#stopping) {
      req.resume();
      this.#reply(res, 503, encoding, encodeStatus(encoding, GRPC_CODE.UNAVAILABLE, 'logsift is shutting down; retry against another instance'), { 'retry-after': '5' });
      return;
    }

    let request: PbExportRequest;
    let size: number;
    try {
      const raw = await readBody(req, this.config.max_request_body_size);
      const body = await decompress(raw, contentEncoding, this.config.max_request_body_size);
      size = body.length;
      request = decode(body, encoding);
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 413) req.resume();
        this.#error(res, encoding, error);
        return;
      }
      throw error;
    }
    this.#answer(res, encoding, await this.handler.handle(request, size, tenantOf(req.headers.authorization, req.socket.remoteAddress)));
  }

  #answer(res: http.ServerResponse, encoding: WireEncoding, outcome: ExportOutcome): void {
    switch (outcome.kind) {
      case 'accepted': {
        const body = encoding === 'json'
          ? Buffer.from(JSON.stringify(outcome.rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(outcome.rejected), errorMessage: outcome.message } } : {}))
          : encodeExportResponse(outcome.rejected, outcome.message);
        this.#reply(res, 200, encoding, body);
        return;
      }
      case 'refused':
        this.#reply(res, 429, encoding, encodeStatus(encoding, GRPC_CODE.RESOURCE_EXHAUSTED, outcome.reason), { 'retry-after': String(outcome.retryAfterSeconds) });
        return;
      case 'failed':
        if (outcome.permanent) this.#reply(res, 400, encoding, encodeStatus(encoding, GRPC_CODE.INVALID_ARGUMENT, `rejected downstream: ${outcome.reason}`));
        else this.#reply(res, 503, encoding, encodeStatus(encoding, GRPC_CODE.UNAVAILABLE, `not acknowledged downstream: ${outcome.reason}`), { 'retry-after': '1' });
        return;
    }
  }

  start(): Promise<AddressInfo> {
    const endpoint = parseEndpoint(this.config.endpoint)!;
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(endpoint.port, endpoint.host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting, lets in-flight requests get their answers, then closes every connection. */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await Promise.allSettled([...this.#inflight]);
    this.#server.closeAllConnections();
    await closed;
  }
}

function decode(body: Buffer, encoding: WireEncoding): PbExportRequest {
  try {
    return encoding === 'json' ? readJsonExportRequest(body.toString('utf8')) : decodeExportRequest(body);
  } catch (error) {
    const what = encoding === 'json' ? 'OTLP/JSON' : 'protobuf';
    throw new HttpError(400, `malformed ${what} ExportLogsServiceRequest: ${(error as Error).message}`, 'malformed');
  }
}
