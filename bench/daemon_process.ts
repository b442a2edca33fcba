// Benchmarks run the daemon as its own process, from a config written to a temp dir, and wait for /readyz.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';

const BIN = fileURLToPath(new URL('../cmd/logsift.js', import.meta.url));

export interface DaemonProcess {
  pid: number;
  httpPort: number;
  dir: string;
  stop(): Promise<void>;
  peakRssMb(): number;
}

export interface PipelineShape {
  /** The `exporters:` block's body. */
  exportersYaml: string;
  exporterIds: string[];
  /** The `processors:` block's body, if any. */
  processorsYaml?: string;
  processorIds?: string[];
}

/** Runs `logsift run` on otlp → processors → exporters. */
export async function startDaemonProcess(shape: PipelineShape, dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-'))): Promise<DaemonProcess> {
  const { exportersYaml, exporterIds, processorsYaml, processorIds = [] } = shape;
  const [grpc, httpPort, telemetry] = [await freePort(), await freePort(), await freePort()];
  const config = path.join(dir, 'bench.yaml');
  writeFileSync(config, `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpc} }
      http: { endpoint: 127.0.0.1:${httpPort} }
${processorsYaml ? `processors:\n${processorsYaml}\n` : ''}exporters:
${exportersYaml}
service:
  data_dir: ${dir}
  limits: { max_inflight_records: 200000 }
  telemetry: { logs: { level: warn }, metrics: { address: 127.0.0.1:${telemetry} } }
  pipelines:
    logs: { receivers: [otlp], processors: [${processorIds.join(', ')}], exporters: [${exporterIds.join(', ')}] }
`);
  const child = spawn(process.execPath, [BIN, 'run', '--config', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${telemetry}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    httpPort,
    dir,
    peakRssMb: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
