// The Python SDK as a user gets it: a virtual environment of its own (under test-artifacts) with the wheel
// `pip wheel` builds from sdk/python, installed afresh with its test extras. Shared by its test and its benchmark.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PYTHON_SDK_DIR = path.join(repo, 'sdk', 'python');
const env = path.join(repo, 'test-artifacts', 'python-sdk-env');

/** Builds and installs the wheel; returns the environment's python. */
export function installPythonSdk(): string {
  const python = path.join(env, 'bin', 'python');
  if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', env], { stdio: 'inherit' });
  const wheels = path.join(repo, 'test-artifacts', 'python-sdk-wheels');
  rmSync(wheels, { recursive: true, force: true });
  mkdirSync(wheels, { recursive: true });
  execFileSync(python, ['-m', 'pip', 'wheel', '--quiet', '--no-deps', '-w', wheels, PYTHON_SDK_DIR], { stdio: 'inherit' });
  const wheel = readdirSync(wheels).find((f) => f.endsWith('.whl'))!;
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--force-reinstall', `${path.join(wheels, wheel)}[test]`], { stdio: 'inherit' });
  return python;
}
