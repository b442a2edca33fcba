// The redact processor (issue 17): recall and precision on a labelled corpus (bench/redact_corpus.ts: every
// kind of personal data and secret the processor names, planted in realistic bodies, JSON bodies and
// attributes, beside look-alikes that must stay), through the redactor the processor builds from its default
// config; and what it costs: the daemon (its own process) fed OTLP batches through the default chain with
// and without `redact` first, alternated, in the same run — our realistic service logs (personal data rare),
// the same with `client.address` on every record, the Loghub-2k systems' lines (logs it was not written
// for, a third of them holding addresses), and the labelled corpus itself (every record holds something).
// Last line: JSON.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { defaultRedactConfig, redactorFromConfig } from '../processors/redact/factory.js';
import type { Counts } from '../processors/redact/redactor.js';
import { startDaemonProcess } from './daemon_process.js';
import { runLoad } from './load_generator.js';
import { loghubBodies } from './loghub_batch.js';
import { realisticBodies, realisticBodiesWithClientAddress } from './realistic_batch.js';
import { labelledBodies } from './redact_corpus_batch.js';
import { redactCorpus } from './redact_corpus.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
// Four rounds, alternated: on this machine one 8 s measurement swings by ±10% on its own.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 8000);

// Accuracy.
const redactor = redactorFromConfig(defaultRedactConfig());
const perKind = new Map<string, { planted: number; removed: number }>();
let truePositives = 0;
let redactions = 0;
let lookalikes = 0;
let lookalikesLost = 0;
const misses: string[] = [];
const lost: string[] = [];
for (const record of redactCorpus(RECORDS)) {
  const counts: Counts = new Map();
  const out = [redactor.text(record.body, counts)];
  for (const [key, value] of Object.entries(record.attributes)) {
    // (As the processor judges an attribute: a blocked key, a key that says what a bare value is, the text.)
    const context = redactor.keyContext(key);
    if (redactor.keyBlocked(key)) out.push(String(redactor.blockedValue(value, counts) ?? ''));
    else out.push(key, (context !== undefined ? redactor.underKey(context, value, counts) : undefined) ?? redactor.text(value, counts));
  }
  const text = out.join('\n');
  for (const n of counts.values()) redactions += n;
  for (const p of record.planted) {
    const kind = perKind.get(p.kind) ?? { planted: 0, removed: 0 };
    kind.planted += 1;
    if (!text.includes(p.value)) {
      kind.removed += 1;
      truePositives += 1;
    } else if (misses.length < 10) misses.push(`${p.kind}: ${p.value}`);
    perKind.set(p.kind, kind);
  }
  for (const l of record.lookalikes) {
    lookalikes += 1;
    if (!text.includes(l)) {
      lookalikesLost += 1;
      if (lost.length < 10 && !lost.includes(l)) lost.push(l);
    }
  }
}
const planted = [...perKind.values()].reduce((n, k) => n + k.planted, 0);
const falsePositives = Math.max(0, redactions - truePositives);

// Cost: the default chain with and without redact, alternated, on four kinds of traffic: our realistic
// service logs (personal data rare), the same with the client's IP in `client.address` on every record (as
// an HTTP server's logs carry it), the twelve Loghub-2k systems' lines (a third hold an address), and the
// labelled corpus (every record holds something).
const chain = ['signature', 'ratestats', 'anomaly', 'sampler'];
// The daemon's CPU time (user + system, all its threads) over the measured stretch, per record accepted: what
// each record costs it, less moved than throughput by the load generator sharing the machine's two cores.
const CLOCK_TICKS_PER_S = 100;
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

async function throughput(processors: string[], bodies: Buffer[]): Promise<{ recordsPerS: number; cpuUsPerRecord: number }> {
  const loadOptions = { bodies, recordsPerBody: 1000, concurrency: 8, warmupMs: 3000, measureMs: MEASURE_MS };
  const daemon = await startDaemonProcess({ exportersYaml: '  nop:', exporterIds: ['nop'], processorsYaml: processors.map((p) => `  ${p}:`).join('\n'), processorIds: processors });
  let cpuFrom = 0;
  let cpuTo = 0;
  const marks = [setTimeout(() => (cpuFrom = cpuSeconds(daemon.pid)), loadOptions.warmupMs), setTimeout(() => (cpuTo = cpuSeconds(daemon.pid)), loadOptions.warmupMs + loadOptions.measureMs)];
  const load = await runLoad({ port: daemon.httpPort, ...loadOptions });
  marks.forEach(clearTimeout);
  await daemon.stop();
  const records = load.acceptedRecordsPerS * (loadOptions.measureMs / 1000);
  return { recordsPerS: load.acceptedRecordsPerS, cpuUsPerRecord: ((cpuTo - cpuFrom) * 1e6) / records };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Rounds of the chain without, then with, redact; the figures. */
async function cost(bodies: Buffer[]) {
  const without: number[] = [];
  const withRedact: number[] = [];
  const cpuWithout: number[] = [];
  const cpuWithRedact: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = await throughput(chain, bodies);
    const b = await throughput(['redact', ...chain], bodies);
    without.push(a.recordsPerS);
    withRedact.push(b.recordsPerS);
    cpuWithout.push(a.cpuUsPerRecord);
    cpuWithRedact.push(b.cpuUsPerRecord);
  }
  return {
    records_per_s_default_chain: without.map(Math.round),
    records_per_s_with_redact: withRedact.map(Math.round),
    redact_cost: Number((1 - mean(withRedact) / mean(without)).toFixed(3)),
    // Each round's pair (without, then with) on its own: less moved by the machine drifting over the run.
    redact_cost_paired_median: Number(median(without.map((w, i) => 1 - withRedact[i]! / w)).toFixed(3)),
    cpu_us_per_record_default_chain: cpuWithout.map((x) => Number(x.toFixed(3))),
    cpu_us_per_record_with_redact: cpuWithRedact.map((x) => Number(x.toFixed(3))),
    // The throughput a daemon bound by its CPU would lose: 1 − (CPU a record without) / (CPU a record with).
    redact_cpu_cost: Number((1 - mean(cpuWithout) / mean(cpuWithRedact)).toFixed(3)),
  };
}
const realistic = await cost(realisticBodies(32, 1000));
const withClientAddress = await cost(realisticBodiesWithClientAddress(32, 1000));
const loghub = await cost(loghubBodies(1000));
const labelled = await cost(labelledBodies(RECORDS, 1000));

if (misses.length > 0) process.stderr.write(`missed, e.g.:\n  ${misses.join('\n  ')}\n`);
if (lost.length > 0) process.stderr.write(`look-alikes lost, e.g.:\n  ${lost.join('\n  ')}\n`);
const summary = {
  bench: 'redact',
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
  corpus_records: RECORDS,
  planted,
  recall: Number((truePositives / planted).toFixed(4)),
  precision: Number((truePositives / (truePositives + falsePositives)).toFixed(4)),
  lookalikes,
  lookalikes_kept: Number(((lookalikes - lookalikesLost) / lookalikes).toFixed(4)),
  recall_by_kind: Object.fromEntries([...perKind].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Number((v.removed / v.planted).toFixed(4))])),
  ...realistic,
  client_address: withClientAddress,
  loghub,
  labelled_corpus: labelled,
};
console.log(`recall ${summary.recall}, precision ${summary.precision}, look-alikes kept ${summary.lookalikes_kept}; redact's cost (throughput, paired median, CPU a record): ${realistic.redact_cost}, ${realistic.redact_cost_paired_median}, ${realistic.redact_cpu_cost} on realistic service logs; ${withClientAddress.redact_cost}, ${withClientAddress.redact_cost_paired_median}, ${withClientAddress.redact_cpu_cost} on them with client.address; ${loghub.redact_cost}, ${loghub.redact_cost_paired_median}, ${loghub.redact_cpu_cost} on the Loghub-2k lines; ${labelled.redact_cost}, ${labelled.redact_cost_paired_median}, ${labelled.redact_cpu_cost} on the labelled corpus`);
console.log(JSON.stringify(summary));
