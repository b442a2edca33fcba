// Starts a real daemon in-process on free loopback ports, from YAML text, with its data in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parseConfigText } from '../../pipeline/load_config.js';
import type { Clock } from '../../pipeline/clock.js';
import { Daemon } from '../../pipeline/daemon.js';
import { builtinRegistry } from '../../cmd/components.js';
import { freePort } from './ports.js';

export interface TestDaemon {
  daemon: Daemon;
  dir: string;
  grpcPort: number;
  httpPort: number;
  telemetryPort: number;
  httpUrl: string;
  stop(): Promise<void>;
}

/** `yaml` may use {{GRPC}}, {{HTTP}}, {{TELEMETRY}} and {{DIR}} placeholders. */
export interface StartOptions {
  /** Drives the daemon's timers (backoff); real time when absent. */
  clock?: Clock;
  /** Receives the daemon's JSON log lines (level info and up); silent when absent. */
  logs?: string[];
}

export async function startDaemon(yaml: string, options: StartOptions = {}): Promise<TestDaemon> {
  // A port found free can be taken by another process before the daemon binds it: try again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(yaml, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) throw error;
    }
  }
}

async function startOnFreePorts(yaml: string, options: StartOptions): Promise<TestDaemon> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-test-'));
  const [grpcPort, httpPort, telemetryPort] = [await freePort(), await freePort(), await freePort()];
  const text = yaml
    .replaceAll('{{GRPC}}', `127.0.0.1:${grpcPort}`)
    .replaceAll('{{HTTP}}', `127.0.0.1:${httpPort}`)
    .replaceAll('{{TELEMETRY}}', `127.0.0.1:${telemetryPort}`)
    .replaceAll('{{DIR}}', dir);
  const registry = builtinRegistry();
  // A config without its own data_dir keeps its state in the daemon's temp dir, never in the shared default
  // ./data (where one test's queued batches were resumed by the next daemon, in another test).
  const loaded = parseConfigText(text, registry, /^\s*data_dir:/m.test(text) ? {} : { LOGSIFT_DATA_DIR: path.join(dir, 'data') });
  if (loaded.kind !== 'loaded') throw new Error(`test config invalid:\n${loaded.errors.join('\n')}`);
  const logs = options.logs;
  const logger = logs ? pino({ level: 'info' }, { write: (line: string) => logs.push(line) }) : pino({ level: 'silent' });
  const daemon = new Daemon(loaded.config, registry, { logger, ...(options.clock ? { clock: options.clock } : {}) });
  await daemon.start();
  return {
    daemon,
    dir,
    grpcPort,
    httpPort,
    telemetryPort,
    httpUrl: `http://127.0.0.1:${httpPort}/v1/logs`,
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The otlp receiver on both transports, on the ports startDaemon picks. */
export const OTLP_RECEIVER = `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: "{{GRPC}}" }
      http: { endpoint: "{{HTTP}}" }
`;

/** The usual test config: OTLP on both transports, through the batch processor, into a file exporter. */
export const FILE_PIPELINE = `${OTLP_RECEIVER}processors:
  batch: { timeout: 20ms }
exporters:
  file: { path: "{{DIR}}/out.jsonl" }
service:
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [file] }
`;

/** POSTs string bodies as one OTLP/JSON request to the daemon's HTTP receiver; the answer's status. */
export async function postBodies(d: TestDaemon, bodies: readonly string[]): Promise<number> {
  const res = await fetch(d.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: bodies.map((b) => ({ body: { stringValue: b } })) }] }] }),
  });
  await res.arrayBuffer();
  return res.status;
}
