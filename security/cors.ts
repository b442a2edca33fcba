// Cross-origin requests from browsers, in the Collector's confighttp keys: `cors: {allowed_origins,
// allowed_headers, max_age}`. An origin pattern may hold `*` for any run of characters (`https://*.example.com`;
// `*` alone allows every origin). A preflight (OPTIONS with Access-Control-Request-Method) from an allowed
// origin, for a method the server takes and headers it allows, is answered here before authentication (a
// browser sends no credentials with it); the answer to an allowed origin's real request names that origin.
// Anything else gets no CORS headers, so the browser refuses it.
import type http from 'node:http';

export interface CorsSettings {
  allowed_origins: string[];
  /** Request headers allowed besides the CORS-safelisted ones; `*` allows any. */
  allowed_headers?: string[];
  /** Seconds a browser may cache a preflight's answer; its own default when unset. */
  max_age?: number;
}

export const CORS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['allowed_origins'],
  properties: {
    allowed_origins: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowed_headers: { type: 'array', items: { type: 'string', minLength: 1 } },
    max_age: { type: 'integer', minimum: 0 },
  },
};

// Headers a browser sends without asking (the Fetch standard's safelist, and what XHR and rs/cors add).
const SAFELISTED = ['accept', 'accept-language', 'content-language', 'content-type', 'origin', 'x-requested-with'];

function originPattern(pattern: string): RegExp {
  const escaped = pattern.toLowerCase().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

export class CorsPolicy {
  readonly #origins: RegExp[];
  readonly #anyHeader: boolean;
  readonly #headers: Set<string>;

  /**
   * `methods`: what the server answers to; `serverHeaders`: request headers its own protocol needs (the
   * control API's If-None-Match); `exposed`: response headers a page may read (its ETag).
   */
  constructor(
    private readonly settings: CorsSettings,
    private readonly methods: readonly string[],
    serverHeaders: readonly string[] = [],
    private readonly exposed: readonly string[] = [],
  ) {
    this.#origins = settings.allowed_origins.map(originPattern);
    const configured = (settings.allowed_headers ?? []).map((h) => h.toLowerCase());
    this.#anyHeader = configured.includes('*');
    this.#headers = new Set([...SAFELISTED, ...serverHeaders.map((h) => h.toLowerCase()), ...configured]);
  }

  allows(origin: string): boolean {
    const lower = origin.toLowerCase();
    return this.#origins.some((pattern) => pattern.test(lower));
  }

  /** Answers a preflight (true: answered, nothing more to do); anything else is left to the server. */
  preflight(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || !origin || typeof method !== 'string') return false;
    req.resume();
    const headers: http.OutgoingHttpHeaders = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers', 'content-length': 0 };
    const requested = (req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const allowed = this.allows(origin) && this.methods.includes(method.toUpperCase()) && (this.#anyHeader || requested.every((h) => this.#headers.has(h)));
    if (allowed) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-methods'] = method.toUpperCase();
      if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
      if (this.settings.max_age !== undefined) headers['access-control-max-age'] = String(this.settings.max_age);
    }
    res.writeHead(204, headers).end();
    return true;
  }

  /** Names an allowed origin on the answer to its request (set before the answer's head is written). */
  decorate(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    if (!origin || !this.allows(origin)) return;
    res.setHeader('access-control-allow-origin', origin);
    if (this.exposed.length > 0) res.setHeader('access-control-expose-headers', this.exposed.join(', '));
  }
}
