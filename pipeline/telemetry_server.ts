// /healthz (the process is up), /readyz (the pipelines are running and not draining), Prometheus /metrics, and
// whatever components registered (the tuner's /api/v1/policies). With `service.auth`, every request but the
// probes (and /metrics, unless protected) must carry a bearer token or JWT with the scope it needs: 401
// without one, 403 with too little (security/control_auth.ts).
import http from 'node:http';
import https from 'node:https';
import { serverTlsOptions, type TlsSettings } from '../security/tls.js';
import { CorsPolicy, type CorsSettings } from '../security/cors.js';
import type { AddressInfo } from 'node:net';
import type { Endpoint } from '../config/endpoint.js';
import type { HttpRoutes } from './http_routes.js';
import type { Logger } from './logger.js';
import type { Telemetry } from './telemetry.js';
import type { ControlAuth } from '../security/control_auth.js';
import { AUDIT_PATH, type AuditLog } from '../security/audit.js';
import type { RateLimiter } from '../security/rate_limit.js';

/** What guards the control API: who may (auth), how often (limits, and failed authentications per address), and the record of writes. */
export interface ControlGuards {
  auth?: ControlAuth;
  limiter?: RateLimiter;
  failedAuthLimiter: RateLimiter;
  audit: AuditLog;
}

function tooMany(res: http.ServerResponse, waitSeconds: number): void {
  res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(waitSeconds) }).end(JSON.stringify({ error: `too many requests: try again in ${waitSeconds} s` }));
}

export class TelemetryServer {
  readonly #server: http.Server;
  readonly #cors: CorsPolicy | undefined;
  #ready = false;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly telemetry: Telemetry,
    private readonly routes: HttpRoutes,
    private readonly logger: Logger,
    private readonly guards?: ControlGuards,
    tls?: TlsSettings,
    cors?: CorsSettings,
  ) {
    // A page's SDK long-polls with If-None-Match and reads the ETag; the rest of the API is plain GET and JSON.
    this.#cors = cors ? new CorsPolicy(cors, ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], ['if-none-match', 'authorization'], ['ETag', 'Retry-After']) : undefined;
    const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#handle(req, res).catch((error: unknown) => {
        // A route's bug: the client gets a 500, the operator the reason.
        this.logger.error({ err: error, method: req.method, url: req.url }, 'a telemetry server route failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    };
    this.#server = tls ? https.createServer(serverTlsOptions(tls), serve) : http.createServer(serve);
  }

  setReady(ready: boolean): void {
    this.#ready = ready;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.#cors) {
      // Before authentication: a browser's preflight carries no credentials.
      if (this.#cors.preflight(req, res)) return;
      this.#cors.decorate(req, res);
    }
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      // Routes decode their path segments: a malformed escape is the client's error, said here once.
      decodeURIComponent(path);
    } catch {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the path has a malformed percent-escape' }));
      return;
    }
    const guards = this.guards;
    if (guards && path !== '/healthz' && path !== '/readyz') {
      // An answer before the body is read still reads (and drops) it, so the connection stays usable.
      const refuse = () => req.resume();
      const method = req.method ?? 'GET';
      const address = req.socket.remoteAddress ?? '';
      let who = { subject: 'anonymous', via: 'open' };
      if (guards.auth) {
        const decision = await guards.auth.decide(method, path, req.headers.authorization);
        if (decision.kind === 'unauthenticated') {
          // Guessing tokens is limited per address, whatever the general limit.
          refuse();
          const wait = guards.failedAuthLimiter.take(address);
          if (wait > 0) return tooMany(res, wait);
          res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="logsift", error="invalid_token"' }).end(JSON.stringify({ error: `authentication required: ${decision.reason}` }));
          return;
        }
        if (decision.kind === 'forbidden') {
          refuse();
          res.writeHead(403, { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="logsift", error="insufficient_scope", scope="${decision.needed}"` }).end(JSON.stringify({ error: `${decision.subject} lacks the scope ${decision.needed}` }));
          return;
        }
        if (decision.via !== 'open') who = { subject: decision.subject, via: decision.via };
      }
      if (guards.limiter) {
        const wait = guards.limiter.take(who.via === 'open' ? `address ${address}` : `subject ${who.subject}`);
        if (wait > 0) {
          refuse();
          return tooMany(res, wait);
        }
      }
      if (path === AUDIT_PATH) {
        refuse();
        return guards.audit.answer(req, res);
      }
      if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && path.startsWith('/api/')) guards.audit.watch(req, res, who);
    }
    const route = this.routes.find(path);
    if (route) {
      await route(req, res, path);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
      return;
    }
    switch (path) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      case '/readyz':
        res
          .writeHead(this.#ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: this.#ready ? 'ready' : 'not ready' }));
        return;
      case '/metrics': {
        const body = await this.telemetry.registry.metrics();
        res.writeHead(200, { 'content-type': this.telemetry.registry.contentType }).end(body);
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found; try /healthz, /readyz or /metrics"}');
    }
  }

  start(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.endpoint.port, this.endpoint.host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  shutdown(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
