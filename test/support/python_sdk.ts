// The real OpenTelemetry Python SDK, in a virtualenv the tests make themselves (test/.venv-otel, ignored by
// git) from pinned requirements; reinstalled only when the requirements change.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const venv = path.join(here, '..', '.venv-otel');
const requirements = path.join(here, 'python', 'requirements.txt');
const script = path.join(here, 'python', 'emit_logs.py');
const python = path.join(venv, 'bin', 'python');

export async function ensurePythonSdk(): Promise<void> {
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const marker = path.join(venv, 'requirements.sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
  await run('python3', ['-m', 'venv', '--clear', venv]);
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], { timeout: 300_000 });
  writeFileSync(marker, wanted);
}

export interface PythonIds {
  trace_id: string;
  span_id: string;
}

/** Emits `count` WARN records through Python's logging bridge; returns the trace/span id of each. */
export async function emitFromPython(protocol: 'grpc' | 'http', endpoint: string, count: number, runId: string, gzip: boolean): Promise<PythonIds[]> {
  const { stdout } = await run(python, [script, protocol, endpoint, String(count), runId, gzip ? 'gzip' : 'none'], { timeout: 60_000 });
  return JSON.parse(stdout) as PythonIds[];
}
