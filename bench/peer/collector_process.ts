// The peer OpenTelemetry Collector as its own process for bench:peer: built once by build_collector.sh, run
// on a config written to a temp dir, ready once its OTLP/HTTP receiver answers an empty export.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/ports.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const COLLECTOR_BIN = path.join(HERE, '.build', 'otelcol-peer', 'otelcol-peer');

/** Builds the Collector if needed; the reason it cannot be had otherwise (Go missing, build failed). */
export function ensureCollector(): { ok: true } | { ok: false; reason: string } {
  if (existsSync(COLLECTOR_BIN)) return { ok: true };
  process.stderr.write('building the peer OpenTelemetry Collector (bench/peer/build_collector.sh, about four minutes cold)…\n');
  const build = spawnSync('bash', [path.join(HERE, 'build_collector.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status === 3) return { ok: false, reason: 'Go is not installed: bench:peer builds the OpenTelemetry Collector with Go, so the peer figures are skipped' };
  if (build.status !== 0 || !existsSync(COLLECTOR_BIN)) return { ok: false, reason: `building the Collector failed (exit ${build.status}); see the output above` };
  return { ok: true };
}

export interface CollectorProcess {
  httpPort: number;
  stop(): Promise<void>;
  peakRssMb(): number;
}

/** `pipeline` is the YAML under `service.pipelines.logs` minus receivers; `components` the processors/exporters blocks. */
export async function startCollector(components: string, pipeline: string): Promise<CollectorProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-peer-'));
  const httpPort = await freePort();
  const file = path.join(dir, 'collector.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      http: { endpoint: 127.0.0.1:${httpPort} }`,
      components,
      'service:',
      '  telemetry:',
      '    logs: { level: warn }',
      '    metrics: { level: none }',
      '  pipelines:',
      '    logs:',
      '      receivers: [otlp]',
      pipeline,
      '',
    ].join('\n'),
  );
  const child = spawn(COLLECTOR_BIN, ['--config', file], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Collector exited (${child.exitCode}) before it was ready; config in ${file}`);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array() }).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    httpPort,
    peakRssMb: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
