// The sampling benchmark: a generated day of bursty traffic (bench/workload.ts) replayed through the default chain
// (`logsift replay`, windows of one minute), scored against the generator's truth: record and byte
// reduction, ERROR+ retention, per-window pattern coverage, count-estimate error (re-weighted kept counts vs
// truth per template and hour), incident retention, and anomaly precision, recall and detection delay.
// BENCH_RATE: peak records per minute per service (600); BENCH_MINUTES: how long (a day, from Friday noon;
// a week or more shows the weekly cycle whole). BENCH_TRAFFIC=FILE replays traffic we did not
// generate (file exporter format) instead: then patterns are logsift's own, their truth is the ledger's
// exact counts, and the incident figures need BENCH_INCIDENTS=FILE (a JSON array of {kind, service,
// template: "" or a pattern id, start, end} in ms). Last line: JSON.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replayCommand } from '../cmd/replay.js';
import { scoreRun } from './sampling_score.js';
import { generateWorkload, type Deploy, type Incident } from './workload.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-sampling-'));
const external = process.env.BENCH_TRAFFIC;
const traffic = external ?? path.join(dir, 'traffic.jsonl');
const generated = external ? undefined : generateWorkload(traffic, Number(process.env.BENCH_MINUTES ?? 24 * 60), Number(process.env.BENCH_RATE ?? 600));
const incidents: Incident[] = generated?.incidents ?? (process.env.BENCH_INCIDENTS ? (JSON.parse(readFileSync(process.env.BENCH_INCIDENTS, 'utf8')) as Incident[]) : []);
const deploys: Deploy[] = generated?.deploys ?? [];
const config = path.join(dir, 'config.yaml');
writeFileSync(config, `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m, retro: { window: 2m } }
exporters:
  nop:
service:
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`);
const out = path.join(dir, 'out');
const replayStarted = performance.now();
const code = await replayCommand({ config, input: traffic, out });
const replaySeconds = (performance.now() - replayStarted) / 1000;
if (code !== 0) throw new Error('replay failed');

const round = (x: number) => Number(x.toFixed(4));
const summary = {
  bench: 'sampling',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  traffic: external ?? `generated, peak ${process.env.BENCH_RATE ?? 600} records/min/service`,
  replay_seconds: round(replaySeconds),
  ...scoreRun({ traffic, out, incidents, deploys, external: external !== undefined, debug: process.env.BENCH_DEBUG !== undefined }),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
