// The daemon's own log lines as OTLP logs (`service.telemetry.logs.otlp`): the real `logsift run` sends them,
// as records of service logsift, to an OTLP/HTTP stand-in while still writing them to stderr; and a
// configuration sending them to the daemon's own receiver is refused, since they would feed its pipeline.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../../cmd/components.js';
import { parseConfigText } from '../../pipeline/load_config.js';
import { startCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const config = (logsEndpoint: string, http: string, telemetry: string, dir: string) => `
receivers:
  otlp:
    protocols:
      http: { endpoint: "${http}" }
exporters:
  nop: {}
service:
  data_dir: "${dir}"
  telemetry:
    logs: { level: info, otlp: { endpoint: "${logsEndpoint}" } }
    metrics: { address: "${telemetry}" }
  pipelines:
    logs: { receivers: [otlp], exporters: [nop] }
`;

describe('the daemon\'s own logs over OTLP', () => {
  it('refuses to send them to its own receiver, whatever name the host goes by', () => {
    for (const endpoint of ['http://127.0.0.1:4318/v1/logs', 'http://localhost:4318/v1/logs']) {
      const loaded = parseConfigText(config(endpoint, '0.0.0.0:4318', '127.0.0.1:13133', '/tmp/x'), builtinRegistry(), {});
      assert.equal(loaded.kind, 'invalid', endpoint);
      assert.match(loaded.kind === 'invalid' ? loaded.errors.join('\n') : '', /service\.telemetry\.logs\.otlp\.endpoint: is this daemon's own receiver otlp \(0\.0\.0\.0:4318\)/);
    }
    assert.equal(parseConfigText(config('http://collector.monitoring:4318/v1/logs', '0.0.0.0:4318', '127.0.0.1:13133', '/tmp/x'), builtinRegistry(), {}).kind, 'loaded');
    assert.equal(parseConfigText(config('http://127.0.0.1:14318/v1/logs', '0.0.0.0:4318', '127.0.0.1:13133', '/tmp/x'), builtinRegistry(), {}).kind, 'loaded');
  });

  it('sends every line the daemon logs as an OTLP log record of service logsift, and still writes it to stderr', async () => {
    const received: Array<{ service: string; severity: string; body: string }> = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const request = JSON.parse(body) as { resourceLogs: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue: string } }> }; scopeLogs: Array<{ logRecords: Array<{ severityText: string; body: { stringValue: string } }> }> }> };
        for (const rl of request.resourceLogs) {
          const service = rl.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const sl of rl.scopeLogs) for (const r of sl.logRecords) received.push({ service, severity: r.severityText, body: r.body.stringValue });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-self-logs-'));
    try {
      const file = path.join(dir, 'config.yaml');
      writeFileSync(file, config(`http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/logs`, `127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`, dir));
      const run = await startCli(['run', '--config', file]);
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
      assert.match(run.logs(), /"logsift is running"/, 'stderr still has the lines');
      const running = received.find((r) => r.body === 'logsift is running');
      assert.ok(running, JSON.stringify(received));
      assert.deepEqual({ service: running.service, severity: running.severity }, { service: 'logsift', severity: 'INFO' });
      assert.ok(received.length >= 2, 'the lines of the stop as well');
    } finally {
      collector.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
