// What the SDK overhead benchmarks share: per-call timings summarised, and the heap a sampler holds as
// distinct templates pile up (record times 1 ms apart, windows taken every thousand records as the reporter
// takes them).

export interface CallTimes {
  p50_us: number;
  p99_us: number;
  mean_us: number;
}

/** Nanosecond timings (sorted in place) to microseconds. */
export function summarise(ns: Float64Array): CallTimes {
  ns.sort();
  const at = (q: number) => Number((ns[Math.floor(q * (ns.length - 1))]! / 1000).toFixed(3));
  let total = 0;
  for (const n of ns) total += n;
  return { p50_us: at(0.5), p99_us: at(0.99), mean_us: Number((total / ns.length / 1000).toFixed(3)) };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc: the heap is measured after a full collection');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface TemplateSink {
  decide(body: string, timeMs: number): void;
  windows(timeMs: number): void;
}

/** Heap growth after 10,000, 50,000 and 250,000 of `bodies` went through the sampler `create` makes. */
export function heapAfterTemplates(bodies: readonly string[], create: () => TemplateSink): Record<string, number> {
  const before = heapUsed();
  const sink = create();
  const start = Date.now();
  const out: Record<string, number> = {};
  let fed = 0;
  for (let at = 10_000; fed < bodies.length; at = Math.min(bodies.length, at * 5)) {
    for (; fed < at; fed++) {
      sink.decide(bodies[fed]!, start + fed);
      if (fed % 1000 === 999) sink.windows(start + fed);
    }
    out[`${at / 1000}k`] = heapUsed() - before;
  }
  return out;
}

export interface OverheadRun {
  baseline: CallTimes;
  logsift: CallTimes;
  decision: CallTimes;
  kept_share: number;
  [more: string]: unknown;
}

/** Prints a run's summary: a readable line, then the JSON (with what logsift adds at p50 and p99) last. */
export function printOverhead(bench: string, targetAddedP50Us: number, run: OverheadRun): void {
  const added = (q: 'p50_us' | 'p99_us') => Number((run.logsift[q] - run.baseline[q]).toFixed(3));
  const summary = { bench, ...run, added_p50_us: added('p50_us'), added_p99_us: added('p99_us'), target_added_p50_us: targetAddedP50Us, met: added('p50_us') <= targetAddedP50Us };
  console.log(`${bench}: baseline p50 ${run.baseline.p50_us} µs, with logsift ${run.logsift.p50_us} µs (the decision alone ${run.decision.p50_us}); kept ${(run.kept_share * 100).toFixed(1)}%; added ${summary.added_p50_us} µs at p50 (target ≤ ${targetAddedP50Us})`);
  console.log(JSON.stringify(summary));
}
