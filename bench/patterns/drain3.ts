// Drain3 from PyPI in an ignored virtualenv under bench/, run over the same bodies as the logsift miner.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VENV = fileURLToPath(new URL('../.venv/', import.meta.url));
const RUNNER = fileURLToPath(new URL('./drain3_runner.py', import.meta.url));
const PYTHON = `${VENV}bin/python`;
const DRAIN3 = 'drain3==0.9.11';

export interface Drain3Result {
  ids: string[];
  templates: string[];
  seconds: number;
}

export function ensureDrain3(): void {
  if (existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import drain3']).status === 0) return;
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', DRAIN3], { stdio: 'inherit' });
}

export function runDrain3(bodies: Record<string, string[]>): Record<string, Drain3Result> {
  const out = execFileSync(PYTHON, [RUNNER], { input: JSON.stringify(bodies), maxBuffer: 256 * 1024 * 1024 });
  const results = JSON.parse(out.toString()) as Record<string, Drain3Result>;
  // Drain3 names its masks (<NUM>, <IP>, ...); for template comparison they are all <*>.
  for (const r of Object.values(results)) r.templates = r.templates.map((t) => t.replace(/<[A-Z]+>/g, '<*>'));
  return results;
}
