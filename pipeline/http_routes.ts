// Routes components add to the telemetry server (the tuner's control API): a component registers a path
// prefix at start and answers every request under it. The server owns the socket; handlers own their paths.
import type http from 'node:http';

/** A JSON answer (no body when `body` is undefined, as a HEAD or a 304 needs). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
}

// Bodies read, by request: the audit log records what a write asked for after its route answered.
const BODIES = new WeakMap<http.IncomingMessage, unknown>();

/** The JSON body a route read from this request, if it read one. */
export function bodyRead(req: http.IncomingMessage): unknown {
  return BODIES.get(req);
}

/** A request's JSON body, or the answer refusing it (413 past `maxBytes`, 400 when it is not JSON). */
export async function readJsonBody(req: http.IncomingMessage, maxBytes: number): Promise<{ kind: 'read'; value: unknown } | { kind: 'refused'; status: number; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return { kind: 'refused', status: 413, error: `the body is over ${maxBytes} bytes` };
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    BODIES.set(req, value);
    return { kind: 'read', value };
  } catch (error) {
    return { kind: 'refused', status: 400, error: `the body is not JSON: ${(error as Error).message}` };
  }
}

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>;

export class HttpRoutes {
  readonly #routes = new Map<string, RouteHandler>();

  add(prefix: string, handler: RouteHandler): () => void {
    if (this.#routes.has(prefix)) throw new Error(`${prefix} already has a handler`);
    this.#routes.set(prefix, handler);
    return () => this.#routes.delete(prefix);
  }

  /** The handler of the longest registered prefix of `path`. */
  find(path: string): RouteHandler | undefined {
    let best: [string, RouteHandler] | undefined;
    for (const entry of this.#routes) if (path.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
    return best?.[1];
  }
}
