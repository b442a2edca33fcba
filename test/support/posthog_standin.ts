// A loopback stand-in for PostHog's log capture endpoint, following ../shared/contracts/posthog.md:
// POST /i/v1/logs; token as Bearer or ?token=; 401 for phx_ keys, tokens over 64 chars or non-ASCII;
// gzip by header, by ?compression=gzip or by magic bytes; 413 over 2 MiB decompressed; protobuf tried
// first, then OTLP/JSON, then JSON lines; 400 {"error":"Failed to decode ..."}; 200 {} on success.
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeExportRequest, type PbExportRequest } from '../../proto/otlp.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';

export const POSTHOG_LIMIT = 2 * 1024 * 1024;

export interface CapturedRequest {
  token: string;
  headers: http.IncomingHttpHeaders;
  wireBytes: number;
  decodedBytes: number;
  request: PbExportRequest;
}

export class PosthogStandin extends EventEmitter {
  readonly received: CapturedRequest[] = [];
  /** While set, accepted requests are recorded (and 'received' emitted) but answered only once it resolves. */
  gate: Promise<void> | undefined;
  /** Events taken by `/batch/` (those without an event name or distinct_id are dropped, as PostHog does). */
  readonly events: Array<{ api_key: string; event: string; distinct_id: string; properties: Record<string, unknown>; timestamp?: string }> = [];
  /** Every authorised request, with the status it was (to be) answered with. */
  readonly attempts: Array<{ at: number; status: number }> = [];
  /** Statuses to answer with before behaving normally again (scripted outages). */
  readonly scripted: number[] = [];
  readonly #server = http.createServer((req, res) => this.#handle(req, res));

  /** Listens on `port` (a free one when 0) and returns the base URL. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Resolves once at least `n` records have been received in all. */
  async waitForRecords(n: number): Promise<void> {
    while (this.records < n) await once(this, 'received');
  }

  /** Every record body received, in order (with any duplicates). */
  bodies(): string[] {
    return this.received.flatMap((r) => (r.request.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((l) => String(l.body?.stringValue)))));
  }

  get records(): number {
    let n = 0;
    for (const r of this.received) for (const rl of r.request.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
    return n;
  }

  /** POST /batch/: {"api_key", "batch": [{event, distinct_id, properties, timestamp}]}; under 20 MB. */
  #batch(raw: Buffer, headers: http.IncomingHttpHeaders, send: Send): void {
    if (raw.length > 20 * 1024 * 1024) return send(413, { error: 'payload too large' });
    let parsed: { api_key?: unknown; batch?: unknown };
    try {
      parsed = parseBatch(raw, headers) as { api_key?: unknown; batch?: unknown };
    } catch {
      return send(400, { error: 'Failed to decode batch body' });
    }
    if (typeof parsed.api_key !== 'string' || !Array.isArray(parsed.batch)) return send(400, { error: 'api_key and batch are required' });
    for (const e of parsed.batch as Array<Record<string, unknown>>) {
      if (typeof e.event !== 'string' || typeof e.distinct_id !== 'string') continue;
      this.events.push({ api_key: parsed.api_key, event: e.event, distinct_id: e.distinct_id, properties: (e.properties ?? {}) as Record<string, unknown>, timestamp: e.timestamp as string | undefined });
      this.emit('event', this.events.length);
    }
    return send(200, { status: 1 });
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const send = (status: number, body: object, headers: http.OutgoingHttpHeaders = {}) =>
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      if (req.method === 'POST' && url.pathname === '/batch/') return this.#batch(Buffer.concat(chunks), req.headers, send);
      if (req.method !== 'POST' || url.pathname !== '/i/v1/logs') return send(404, { error: 'not found' });

      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (url.searchParams.get('token') ?? '');
      if (!token) return send(401, { error: 'missing token' });
      if (token.startsWith('phx_')) return send(401, { error: 'personal API keys are not accepted for ingestion' });
      if (token.length > 64 || !/^[\x00-\x7f]+$/.test(token)) return send(401, { error: 'invalid token' });

      this.attempts.push({ at: Date.now(), status: this.scripted[0] ?? 200 });
      this.emit('attempt', this.attempts.length);
      const status = this.scripted.shift();
      if (status !== undefined) return send(status, { error: 'scripted failure' }, status === 429 ? { 'retry-after': '900' } : {});

      let body = Buffer.concat(chunks);
      const wireBytes = body.length;
      const gzipped = req.headers['content-encoding'] === 'gzip' || url.searchParams.get('compression') === 'gzip' || (body[0] === 0x1f && body[1] === 0x8b);
      if (gzipped) {
        try {
          body = gunzipSync(body, { maxOutputLength: POSTHOG_LIMIT + 1 });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return send(413, { error: 'payload too large' });
          return send(400, { error: `Failed to decode gzip body: ${(error as Error).message}` });
        }
      }
      if (body.length > POSTHOG_LIMIT) return send(413, { error: 'payload too large' });

      const request = decodeAny(body);
      if (!request) return send(400, { error: 'Failed to decode body as OTLP protobuf or JSON' });
      this.received.push({ token, headers: req.headers, wireBytes, decodedBytes: body.length, request });
      this.emit('received', this.received.length);
      if (this.gate) void this.gate.then(() => send(200, {}));
      else send(200, {});
    });
  }
}

type Send = (status: number, body: object, headers?: http.OutgoingHttpHeaders) => void;

function parseBatch(raw: Buffer, headers: http.IncomingHttpHeaders): unknown {
  const body = headers['content-encoding'] === 'gzip' || (raw[0] === 0x1f && raw[1] === 0x8b) ? gunzipSync(raw) : raw;
  return JSON.parse(body.toString('utf8'));
}

function decodeAny(body: Buffer): PbExportRequest | undefined {
  try {
    return decodeExportRequest(body);
  } catch {
    // Not protobuf: try OTLP/JSON, then JSON lines.
  }
  const text = body.toString('utf8');
  try {
    return decodeJsonExportRequest(text);
  } catch {
    const lines = text.split('\n').filter((l) => l.trim());
    try {
      return { resourceLogs: lines.flatMap((l) => decodeJsonExportRequest(l).resourceLogs ?? []) };
    } catch {
      return undefined;
    }
  }
}
