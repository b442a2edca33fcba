// The console's files, as esbuild wrote them at build time (scripts/build_ui.js → dist/ui/static): read
// once at start, gzipped once, answered from memory with an ETag. They hold no data — every figure the
// page shows comes from the API, with the API's auth — so they are served without a token (as a login page is).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const UI_PREFIX = '/ui';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

// The page's scripts and styles are its own; it talks only to the daemon that served it.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface StaticFile {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** Where the built console is: beside the compiled server (dist/ui/static), or dist/ from the sources. */
export function consoleBundleDir(): string | undefined {
  const candidates = [new URL('../static/', import.meta.url), new URL('../../dist/ui/static/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

export class StaticFiles {
  readonly #files = new Map<string, StaticFile>();

  constructor(dir: string | undefined) {
    if (!dir) return;
    for (const name of readdirSync(dir)) {
      const dot = name.lastIndexOf('.');
      const type = TYPES[name.slice(dot)];
      if (!type) continue;
      const body = readFileSync(`${dir}${name}`);
      this.#files.set(name, { type, body, gzipped: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
  }

  get built(): boolean {
    return this.#files.has('index.html');
  }

  /** Bytes of each file gzipped, as a browser fetches them. */
  gzippedSizes(): Record<string, number> {
    return Object.fromEntries([...this.#files].map(([name, f]) => [name, f.gzipped.length]));
  }

  answer(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    req.resume();
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end('{"error":"the console is read with GET"}');
      return;
    }
    if (path === UI_PREFIX) {
      // Relative asset paths resolve under /ui/ only with the slash.
      res.writeHead(308, { location: `${UI_PREFIX}/` }).end();
      return;
    }
    if (!this.built) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"the console was not built: run npm run build"}');
      return;
    }
    const name = path.slice(UI_PREFIX.length + 1) || 'index.html';
    const file = this.#files.get(name);
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such console file"}');
      return;
    }
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': file.type, etag: file.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzipped : file.body;
    res.writeHead(200, { ...headers, 'content-length': String(body.length), ...(gzip ? { 'content-encoding': 'gzip' } : {}) }).end(method === 'HEAD' ? undefined : body);
  }
}
