// Routes components add to the telemetry server (the tuner's control API): a component registers a path
// prefix at start and answers every request under it. The server owns the socket; handlers own their paths.
import type http from 'node:http';

/** A JSON answer (no body when `body` is undefined, as a HEAD or a 304 needs). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
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
