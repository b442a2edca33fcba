// Server-Sent Events on one response: `event: <name>` and a JSON `data:` line per message, a comment every
// 15 s so proxies keep the connection, and one place that notices the client leaving. A client that reads
// slower than we write is cut off once a megabyte waits for it, rather than held in the daemon's memory.
import type http from 'node:http';

const KEEPALIVE_MS = 15_000;
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface EventStream {
  send(event: string, data: unknown): void;
  onClose(listener: () => void): void;
  close(): void;
  readonly closed: boolean;
}

export function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): EventStream {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
  res.write(': logsift\n\n');
  const listeners: Array<() => void> = [];
  let closed = false;
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    for (const listener of listeners) listener();
  };
  res.on('close', finish);
  return {
    send(event, data) {
      if (closed) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
    close() {
      res.end();
      finish();
    },
    get closed() {
      return closed;
    },
  };
}
