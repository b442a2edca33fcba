// The application never sees an exception from the SDK: with the daemon down, hanging, or answering garbage,
// log calls go on (sampled under the policy in force, the default until one arrives), the problems go to
// the application's error handler, and shutdown still returns.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { configure } from '../src/configure.js';
import { freePort } from '../../../test/support/ports.js';

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; endpoint: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** Logs 2000 records through the SDK; with `first`, only once a problem matching it was told. */
async function logThrough(endpoint: string, first?: RegExp): Promise<{ kept: number; errors: string[] }> {
  const exporter = new InMemoryLogRecordExporter();
  const errors: string[] = [];
  let told: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => (told = resolve));
  const logsift = configure({
    service: 'faulty',
    endpoint,
    exporter,
    waitSeconds: 1,
    reportIntervalMs: 50,
    onError: (e) => {
      errors.push(e);
      if (first?.test(e)) told();
    },
  });
  if (first) await seen;
  // A window that completes while the app runs, so a report is attempted before shutdown too.
  const start = Date.now() - 120_000;
  for (let i = 0; i < 2000; i++) {
    logsift.logger.emit({ body: `GET /api/items/${i} 200 ${i % 50}ms`, severityNumber: i % 100 === 0 ? 17 : 9, timestamp: start + i * 60 });
  }
  await logsift.provider.forceFlush();
  const kept = exporter.getFinishedLogRecords().length;
  await logsift.shutdown();
  return { kept, errors };
}

describe('the JavaScript SDK when the daemon misbehaves', () => {
  it('daemon down: logging goes on under the default policy, the problem is told, shutdown returns', async () => {
    const { kept, errors } = await logThrough(`http://127.0.0.1:${await freePort()}`);
    assert.ok(kept >= 20 && kept < 2000, `errors and a share of the rest kept (${kept})`);
    assert.ok(errors.some((e) => e.includes('pattern report')), errors.join('\n'));
  });

  it('daemon hanging: no log call waits for it, and shutdown returns', async () => {
    const open = new Set<import('node:http').ServerResponse>();
    const { server, endpoint } = await serve((_req, res) => void open.add(res));
    try {
      const { kept } = await logThrough(endpoint);
      assert.ok(kept >= 20 && kept < 2000, `kept ${kept}`);
    } finally {
      for (const res of open) res.destroy();
      server.close();
    }
  });

  it('daemon answering garbage: a malformed policy is refused and reported, the default stays in force', async () => {
    const statuses: string[] = [];
    const { server, endpoint } = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url?.endsWith('/status')) statuses.push(body);
        if (req.url?.startsWith('/api/v1/policies/')) res.writeHead(200, { 'content-type': 'application/json', etag: '"x"' }).end(req.url.includes('/status') ? '{}' : '{"service":"faulty","mode":"everything"}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end('not json at all');
      });
    });
    try {
      const { kept, errors } = await logThrough(endpoint, /refused a policy/);
      assert.ok(kept >= 20 && kept < 2000, `kept ${kept}`);
      assert.ok(errors.some((e) => e.includes('refused a policy: mode')), errors.join('\n'));
      assert.ok(statuses.some((s) => JSON.parse(s).status === 'failed'), 'the refusal is reported to the daemon');
    } finally {
      server.close();
    }
  });
});
