// Overload: a backend that never answers while clients keep sending. The daemon refuses with 429 instead of
// buffering, its RSS stays under the configured memory limit, and once the backend is back every
// acknowledged record arrives.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { encodeExportRequest } from '../../proto/otlp.js';
import { startCli } from '../support/cli.js';
import { writeConfigFile } from '../support/config_file.js';
import { PosthogStandin } from '../support/posthog_standin.js';

const LIMIT_MIB = 350;

function rssMib(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

function request(marker: string, records: number): Uint8Array {
  return encodeExportRequest({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'overload' } }] },
        scopeLogs: [{ logRecords: Array.from({ length: records }, (_, i) => ({ body: { stringValue: `${marker}-${i} GET /api/items/${i} 200 in ${i % 97}ms user=u${i % 1000}` }, severityNumber: 9 })) }],
      },
    ],
  });
}

describe('overload with a backend that never answers', () => {
  const standin = new PosthogStandin();
  after(() => standin.stop());

  it('refuses with 429, keeps RSS under the limit, then delivers everything it acknowledged', async () => {
    standin.gate = new Promise(() => undefined);
    const host = await standin.start();
    const { file, httpPort } = await writeConfigFile({
      processors: `  memory_limiter: { limit_mib: ${LIMIT_MIB}, check_interval: 100ms }`,
      exporters: [
        '  posthog:',
        `    endpoint: ${host}`,
        '    api_key: phc_overload',
        '    timeout: 500ms',
        '    sending_queue: { queue_size: 20000 }',
        '    retry_on_failure: { initial_interval: 50ms, max_interval: 200ms }',
      ].join('\n'),
      service: '  limits: { max_inflight_records: 20000 }',
      pipeline: { processors: ['memory_limiter'], exporters: ['posthog'] },
    });
    const daemon = await startCli(['run', '--config', file]);
    const pid = daemon.child.pid!;
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let peakRss = 0;
    const lane = async (lane: number) => {
      for (let r = 0; r < 60; r++) {
        const marker = `l${lane}r${r}`;
        const res = await fetch(`http://127.0.0.1:${httpPort}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body: request(marker, 1000) as Uint8Array<ArrayBuffer>,
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) acknowledged.push(marker);
        else assert.equal(res.status, 429, `an overloaded daemon answers 429, got ${res.status}`);
        peakRss = Math.max(peakRss, rssMib(pid));
      }
    };
    await Promise.all([0, 1, 2, 3].map(lane));
    assert.ok((statuses.get(429) ?? 0) > 100, `most of the 240 requests were refused: ${[...statuses]}`);
    assert.ok(acknowledged.length >= 20, 'the queue took what fits');
    assert.ok(peakRss < LIMIT_MIB, `peak RSS ${peakRss.toFixed(0)} MiB stays under the ${LIMIT_MIB} MiB limit`);

    // The backend comes back: everything acknowledged arrives.
    standin.gate = undefined;
    const wanted = new Set(acknowledged.flatMap((m) => Array.from({ length: 1000 }, (_, i) => `${m}-${i}`)));
    for (;;) {
      const got = new Set(standin.bodies().map((b) => b.split(' ')[0]));
      if ([...wanted].every((b) => got.has(b))) break;
      await once(standin, 'received');
    }
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
    process.stdout.write(`# overload: ${[...statuses].map(([s, n]) => `${n}×${s}`).join(', ')}; peak RSS ${peakRss.toFixed(0)} MiB\n`);
  });
});
