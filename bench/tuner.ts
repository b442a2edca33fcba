// The tuner benchmark: generated traffic (bench/workload.ts) replayed twice through the default chain, side by
// side: once under a loose starting policy left alone (the baseline), once with the `rules` tuner steering it
// toward a cost target — a round every 5 minutes of traffic time, watches checked every minute. Both are
// scored like bench:sampling (after the first hour, the tuner's convergence); the tuner's own cost is timed:
// rounds per minute of wall time, and the replay gate's time per candidate.
// BENCH_MINUTES (1440), BENCH_RATE (600, peak records per minute per service), BENCH_TARGET (0.08); BENCH_DEBUG
// prints each rollback on stderr. Last line: JSON.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { builtinRegistry } from '../cmd/components.js';
import { replayInto } from '../cmd/replay.js';
import type { OfflinePipeline } from '../cmd/offline_pipeline.js';
import { parseConfigText } from '../pipeline/load_config.js';
import { realClock, type Clock } from '../pipeline/clock.js';
import { Telemetry } from '../pipeline/telemetry.js';
import type { TunerConfig } from '../tuner/config.js';
import { NO_CHANGE, type RoundOutcome } from '../tuner/round.js';
import { Tuner } from '../tuner/tuner.js';
import { scoreRun } from './sampling_score.js';
import { START, generateWorkload } from './workload.js';

const MINUTES = Number(process.env.BENCH_MINUTES ?? 1440);
const RATE = Number(process.env.BENCH_RATE ?? 600);
const TARGET = Number(process.env.BENCH_TARGET ?? 0.08);
const ROUND_MS = 5 * 60_000;
const CONVERGED_FROM = START + 60 * 60_000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-tuner-bench-'));
const traffic = path.join(dir, 'traffic.jsonl');
const { incidents } = generateWorkload(traffic, MINUTES, RATE);
const registry = builtinRegistry();
// The starting policy keeps 30% of the records: far over the target, what a cautious first rollout looks like.
const yaml = `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m, retro: { window: 2m }, policy: { budget: { keep_fraction: 0.3 } } }
exporters:
  nop:
extensions:
  tuner:
    provider: rules
    interval: 5m
    min_change_interval: 10m
    target: { keep_fraction: ${TARGET} }
service:
  extensions: [tuner]
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`;
const loaded = parseConfigText(yaml, registry, {});
if (loaded.kind !== 'loaded') throw new Error(loaded.errors.join('\n'));
const config = loaded.config;

const round = (x: number) => Number(x.toFixed(4));

const baselineStarted = performance.now();
await replayInto(config, registry, traffic, path.join(dir, 'baseline'));
const baselineSeconds = (performance.now() - baselineStarted) / 1000;

const outcomes: RoundOutcome[] = [];
let tuner: Tuner | undefined;
let nextRound = 0;
let nextWatch = 0;
let tunerMs = 0;
let rollbacks = 0;
const afterBatch = async (offline: OfflinePipeline) => {
  if (!tuner) {
    // Time is the traffic's; the rules provider sets no timers.
    const clock: Clock = { now: () => offline.clock.now(), setTimeout: realClock.setTimeout, clearTimeout: realClock.clearTimeout };
    const tunerConfig = config.extensions.get('tuner')!.config as TunerConfig;
    tuner = new Tuner(tunerConfig, { clock, logger: pino({ level: 'silent' }), telemetry: new Telemetry(), store: offline.store, policies: offline.policies, daemonShared: offline.daemonShared });
    nextRound = offline.clock.now() + ROUND_MS;
    nextWatch = offline.clock.now() + 60_000;
  }
  const now = offline.clock.now();
  if (now >= nextWatch) {
    const started = performance.now();
    const back = tuner.checkWatches();
    rollbacks += back.length;
    if (process.env.BENCH_DEBUG) for (const b of back) process.stderr.write(`${new Date(now).toISOString()} rollback ${b.service}: ${b.reason}\n`);
    tunerMs += performance.now() - started;
    nextWatch += 60_000;
  }
  if (now >= nextRound) {
    const started = performance.now();
    outcomes.push(...(await tuner.tick()));
    tunerMs += performance.now() - started;
    nextRound += ROUND_MS;
  }
};
const tunedStarted = performance.now();
await replayInto(config, registry, traffic, path.join(dir, 'tuned'), afterBatch);
const tunedSeconds = (performance.now() - tunedStarted) / 1000;

const score = (out: string) => scoreRun({ traffic, out: path.join(dir, out), incidents, external: false, from: CONVERGED_FROM });
const baseline = score('baseline');
const tuned = score('tuned');
const gate = outcomes.filter((o) => o.replay).map((o) => o.replay!.candidate.duration_ms + o.replay!.current.duration_ms);
const gateRecords = outcomes.filter((o) => o.replay).map((o) => o.replay!.candidate.records);
const keepFraction = 1 - tuned.record_reduction;
const summary = {
  bench: 'tuner',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  traffic: `generated, ${MINUTES} minutes, peak ${RATE} records/min/service`,
  target_keep_fraction: TARGET,
  scored_from_minute: 60,
  baseline: { ...baseline, keep_fraction: round(1 - baseline.record_reduction), replay_seconds: round(baselineSeconds) },
  tuned: { ...tuned, keep_fraction: round(keepFraction), replay_seconds: round(tunedSeconds) },
  meets_target: keepFraction <= TARGET,
  rounds: outcomes.length,
  accepted: outcomes.filter((o) => o.version !== null).length,
  rejected: outcomes.filter((o) => o.version === null && o.candidate !== null && o.reason !== NO_CHANGE).length,
  unchanged: outcomes.filter((o) => o.reason === NO_CHANGE).length,
  rollbacks,
  // Why candidates were turned down, by the reason's first words.
  rejection_reasons: outcomes
    .filter((o) => o.version === null && o.reason !== NO_CHANGE)
    .reduce<Record<string, number>>((counts, o) => {
      const key = o.reason.split(/[:(]/)[0]!.trim();
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {}),
  rounds_per_wall_minute: outcomes.length === 0 ? null : round((outcomes.length / tunerMs) * 60_000),
  replay_gate_ms_mean: gate.length === 0 ? null : round(gate.reduce((a, b) => a + b, 0) / gate.length / 2),
  replay_gate_records_mean: gateRecords.length === 0 ? null : Math.round(gateRecords.reduce((a, b) => a + b, 0) / gateRecords.length),
  tuner_share_of_replay: round(tunerMs / 1000 / tunedSeconds),
  final_policies: Object.fromEntries(['checkout', 'auth', 'search', 'storage'].map((s) => [s, outcomes.filter((o) => o.service === s && o.version !== null).at(-1)?.candidate?.budget.keep_fraction ?? null])),
};
writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 1));
process.stdout.write(`${JSON.stringify(summary)}\n`);
