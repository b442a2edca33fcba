// The Python SDK's overhead per log call (bench/sdk/overhead.py, in the SDK's own virtual environment with the
// wheel built afresh): stdlib logging with OpenTelemetry's LoggingHandler alone against logging with
// logsift's handler, over the calls every SDK benchmark makes (bench/sdk/calls.ts). Last line: JSON.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { installPythonSdk } from '../test/support/python_sdk_env.js';
import { writeSdkCalls } from './sdk/calls.js';
import { printOverhead, type OverheadRun } from './sdk/measure.js';

const files = writeSdkCalls(path.resolve('test-artifacts/bench'), 100_000);
const python = installPythonSdk();
const out = execFileSync(python, [path.resolve('bench/sdk/overhead.py'), '--calls', files.calls, '--templates', files.templates, '--rounds', process.env.BENCH_SDK_ROUNDS ?? '10', '--per-round', process.env.BENCH_SDK_PER_ROUND ?? '10000', '--rate', process.env.BENCH_SDK_RATE ?? '2000'], { encoding: 'utf8', maxBuffer: 1 << 24 });
printOverhead('sdk_python', 20, JSON.parse(out.trim().split('\n').pop()!) as OverheadRun);
