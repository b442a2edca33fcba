// Benchmarks run the daemon as its own process, from a config written to a temp dir, and wait for /readyz.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigFile } from '../test/support/config_file.js';
import { freePort } from '../test/support/ports.js';

const BIN = fileURLToPath(new URL('../bin/logsift.js', import.meta.url));

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
  /** Extra `service:` settings, e.g. `  storage: { sync: normal }`. */
  serviceYaml?: string;
  /** Flags for the daemon's node, e.g. `--cpu-prof` (BENCH_DAEMON_NODE_ARGS, space-separated, adds to these). */
  nodeArgs?: string[];
}

/** Runs `logsift run` on otlp → processors → exporters. */
export async function startDaemonProcess(shape: PipelineShape, dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-'))): Promise<DaemonProcess> {
  const { exportersYaml, exporterIds, processorsYaml, processorIds = [], serviceYaml } = shape;
  // As `npm start` and the image run it: a larger young generation (see the Dockerfile).
  const nodeArgs = ['--max-semi-space-size=32', ...(shape.nodeArgs ?? []), ...(process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const { file: config, httpPort, telemetryPort: telemetry } = await writeConfigFile(
    {
      exporters: exportersYaml,
      pipeline: { exporters: exporterIds, processors: processorIds },
      service: ['  limits: { max_inflight_records: 200000 }', ...(serviceYaml ? [serviceYaml] : [])].join('\n'),
      logLevel: 'warn',
      ...(processorsYaml ? { processors: processorsYaml } : {}),
    },
    dir,
  );
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'run', '--config', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the daemon exited (${child.exitCode}) before it was ready; config in ${config}`);
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

export interface DefaultDaemon {
  httpPort: number;
  telemetryPort: number;
  stop(): Promise<void>;
}

/** `logsift run` on its embedded default configuration, on free ports with a temp data dir (`env` adds settings). */
export async function startDefaultDaemon(env: Record<string, string> = {}): Promise<DefaultDaemon> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-default-'));
  const [grpcPort, httpPort, telemetryPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--max-semi-space-size=32', BIN, 'run'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      LOGSIFT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
      LOGSIFT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      LOGSIFT_DATA_DIR: dir,
      LOGSIFT_TELEMETRY_ADDRESS: `127.0.0.1:${telemetryPort}`,
      LOGSIFT_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  while (!(await fetch(`http://127.0.0.1:${telemetryPort}/readyz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`the daemon exited (${child.exitCode}) before it was ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    httpPort,
    telemetryPort,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ConfigDaemon {
  telemetryPort: number;
  httpPort: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/**
 * `logsift run --config` on a YAML text of its own; `{{GRPC}}`, `{{HTTP}}`, `{{TELEMETRY}}` and `{{DIR}}` are
 * replaced with free loopback ports and a temp data dir.
 */
export async function startConfigDaemon(yaml: string, prepare?: (dir: string) => void): Promise<ConfigDaemon> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-bench-config-'));
  prepare?.(dir);
  const [grpcPort, httpPort, telemetryPort] = [await freePort(), await freePort(), await freePort()];
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, yaml.replaceAll('{{GRPC}}', `127.0.0.1:${grpcPort}`).replaceAll('{{HTTP}}', `127.0.0.1:${httpPort}`).replaceAll('{{TELEMETRY}}', `127.0.0.1:${telemetryPort}`).replaceAll('{{DIR}}', dir));
  const child = spawn(process.execPath, ['--max-semi-space-size=32', BIN, 'run', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  while (!(await fetch(`http://127.0.0.1:${telemetryPort}/readyz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`the daemon exited (${child.exitCode}) before it was ready; config in ${config}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    telemetryPort,
    httpPort,
    pid: child.pid!,
    dir,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
