// `host:port` endpoints as the Collector writes them ("0.0.0.0:4317", "[::1]:4318", "localhost:0").
export interface Endpoint {
  host: string;
  port: number;
}

export function parseEndpoint(text: string): Endpoint | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.\-_]*)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Reachable from this machine only: 127.0.0.0/8, ::1 (and their v4-mapped form), localhost. */
export function isLoopback(address: string): boolean {
  return address === '::1' || address === 'localhost' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
