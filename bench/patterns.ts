// Scores the pattern miner on every Loghub-2k system (the Content column as bodies, metrics as defined in
// ../shared/data/README.md) with its one global configuration, and in the same run scores Drain3 on the
// same bodies. Speed: lines/s of the miner on one core over the 12 systems' bodies, every pass with fresh
// numbers (so no pass is a replay), against Drain3's lines/s over the bodies once. Last line: JSON.
import os from 'node:os';
import { TemplateMiner } from '../processors/signature/template_miner.js';
import { ensureDrain3, runDrain3 } from './patterns/drain3.js';
import { loadSystem, score, systems, type LabelledLine, type Scores } from './patterns/loghub.js';

const SPEED_PASSES = Number(process.env.BENCH_PASSES ?? 40);

function mineSystem(system: string, lines: readonly LabelledLine[]): Scores {
  const miner = new TemplateMiner();
  const patterns = lines.map((line) => miner.add(system, line.content));
  return score(lines, patterns.map((p) => p.current.id), patterns.map((p) => p.current.template));
}

/**
 * Deterministic number noise: each pass gets new numbers in the same places — of the same width, or (the
 * harder case) with every run of digits one digit longer or shorter at random.
 */
function freshNumbers(lines: Array<readonly [string, string]>, pass: number, varyWidth: boolean): Array<readonly [string, string]> {
  let seed = pass + 1;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const digits = (n: number) => Array.from({ length: n }, () => String(next() % 10)).join('');
  return lines.map(([system, body]) => [system, body.replace(/\d+/g, (run) => digits(varyWidth ? Math.max(1, run.length + (next() % 3) - 1) : run.length))] as const);
}

function linesPerSecond(all: Array<readonly [string, string]>, varyWidth: boolean): number {
  const passes = Array.from({ length: SPEED_PASSES }, (_, i) => freshNumbers(all, i, varyWidth));
  const miner = new TemplateMiner();
  const started = performance.now();
  let lines = 0;
  for (const pass of passes) {
    for (const [system, body] of pass) miner.add(system, body);
    lines += pass.length;
  }
  return lines / ((performance.now() - started) / 1000);
}

const names = systems();
const data = Object.fromEntries(names.map((s) => [s, loadSystem(s)]));
const ours = Object.fromEntries(names.map((s) => [s, mineSystem(s, data[s]!)]));

ensureDrain3();
const drain3Raw = runDrain3(Object.fromEntries(names.map((s) => [s, data[s]!.map((l) => l.content)])));
const drain3 = Object.fromEntries(names.map((s) => [s, score(data[s]!, drain3Raw[s]!.ids, drain3Raw[s]!.templates)]));
const drain3Lines = names.reduce((n, s) => n + data[s]!.length, 0);
const drain3Seconds = names.reduce((n, s) => n + drain3Raw[s]!.seconds, 0);

const all = names.flatMap((s) => data[s]!.map((l) => [s, l.content] as const));
// Median of three runs each: a single run of a few hundred milliseconds moves with the JIT and the collector.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const speed = median([0, 1, 2].map(() => linesPerSecond(all, true)));
const speedSameWidth = median([0, 1, 2].map(() => linesPerSecond(all, false)));

const mean = (table: Record<string, Scores>, key: keyof Scores) => names.reduce((n, s) => n + table[s]![key], 0) / names.length;
const fmt = (x: number) => x.toFixed(3);
process.stdout.write(`${'system'.padEnd(12)} ${'GA'.padStart(6)} ${'FGA'.padStart(6)} ${'PA'.padStart(6)}   ${'drain3 GA'.padStart(9)} ${'FGA'.padStart(6)} ${'PA'.padStart(6)}\n`);
for (const s of names) {
  const o = ours[s]!;
  const d = drain3[s]!;
  process.stdout.write(`${s.padEnd(12)} ${fmt(o.ga).padStart(6)} ${fmt(o.fga).padStart(6)} ${fmt(o.pa).padStart(6)}   ${fmt(d.ga).padStart(9)} ${fmt(d.fga).padStart(6)} ${fmt(d.pa).padStart(6)}\n`);
}
process.stdout.write(`${'average'.padEnd(12)} ${fmt(mean(ours, 'ga')).padStart(6)} ${fmt(mean(ours, 'fga')).padStart(6)} ${fmt(mean(ours, 'pa')).padStart(6)}   ${fmt(mean(drain3, 'ga')).padStart(9)} ${fmt(mean(drain3, 'fga')).padStart(6)} ${fmt(mean(drain3, 'pa')).padStart(6)}\n`);

const round = (x: number) => Number(x.toFixed(4));
const summary = {
  bench: 'patterns',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  avg_ga: round(mean(ours, 'ga')),
  min_ga: round(Math.min(...names.map((s) => ours[s]!.ga))),
  avg_fga: round(mean(ours, 'fga')),
  avg_pa: round(mean(ours, 'pa')),
  // Headline: the same messages with new values of the same width (ids, IPs, timestamps, counters in range).
  lines_per_s: Math.round(speedSameWidth),
  // Stress: every run of digits also one digit longer or shorter at random (many more distinct shapes).
  lines_per_s_varying_widths: Math.round(speed),
  drain3_avg_ga: round(mean(drain3, 'ga')),
  drain3_min_ga: round(Math.min(...names.map((s) => drain3[s]!.ga))),
  drain3_avg_fga: round(mean(drain3, 'fga')),
  drain3_avg_pa: round(mean(drain3, 'pa')),
  drain3_lines_per_s: Math.round(drain3Lines / drain3Seconds),
  speedup_vs_drain3: round(speedSameWidth / (drain3Lines / drain3Seconds)),
  speedup_vs_drain3_varying_widths: round(speed / (drain3Lines / drain3Seconds)),
  systems: Object.fromEntries(names.map((s) => [s, { ga: round(ours[s]!.ga), fga: round(ours[s]!.fga), pa: round(ours[s]!.pa), drain3_ga: round(drain3[s]!.ga) }])),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
