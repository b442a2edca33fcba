// The Go SDK's overhead per log call (sdk/go/internal/overhead, built here with `go build`): slog with the
// OpenTelemetry bridge alone against slog with logsift's Handler in front of the same bridge, over the calls
// every SDK benchmark makes (bench/sdk/calls.ts). Last line: JSON.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeSdkCalls } from './sdk/calls.js';
import { printOverhead, type OverheadRun } from './sdk/measure.js';

const files = writeSdkCalls(path.resolve('test-artifacts/bench'), 100_000);
const binary = path.resolve('test-artifacts/bench/sdk-go-overhead');
mkdirSync(path.dirname(binary), { recursive: true });
execFileSync('go', ['build', '-o', binary, './internal/overhead'], { cwd: path.resolve('sdk/go'), stdio: 'inherit' });
const out = execFileSync(binary, ['-calls', files.calls, '-templates', files.templates, '-rounds', process.env.BENCH_SDK_ROUNDS ?? '10', '-per-round', process.env.BENCH_SDK_PER_ROUND ?? '10000', '-rate', process.env.BENCH_SDK_RATE ?? '2000'], { encoding: 'utf8', maxBuffer: 1 << 24 });
printOverhead('sdk_go', 2, JSON.parse(out.trim().split('\n').pop()!) as OverheadRun);
