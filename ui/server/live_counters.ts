// The console's live figures: once a second the daemon's own counters (the ones /metrics shows) are read and
// the change since the last read kept, per second, for the last ten minutes: records accepted, kept and
// dropped by the sampler (intentional), refused (the client was told to retry), exported, and lost to
// delivery (dead-lettered or lost) — so a chart can show intentional drops apart from real loss. A ring of
// fixed size: the cost never grows with the daemon's history.
import type { Registry } from 'prom-client';

export const LIVE_SECONDS = 600;

export const LIVE_FIELDS = ['accepted', 'kept', 'dropped', 'refused', 'exported', 'delivery_lost'] as const;
export type LiveField = (typeof LIVE_FIELDS)[number];

export interface LivePoint {
  /** ms since the epoch: the end of the second. */
  t: number;
  values: Record<LiveField, number>;
}

/** Totals since the daemon started, as the counters hold them. */
export type LiveTotals = Record<LiveField, number>;

interface Reading {
  totals: LiveTotals;
  queue: number;
}

async function sum(registry: Registry, name: string, keep: (labels: Record<string, string | number>) => boolean = () => true): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  let total = 0;
  for (const v of data.values) if (keep(v.labels as Record<string, string | number>)) total += v.value;
  return total;
}

export async function readCounters(registry: Registry): Promise<Reading> {
  const [accepted, kept, dropped, refused, exported, deadLettered, lost, queue] = await Promise.all([
    sum(registry, 'logsift_receiver_accepted_log_records_total'),
    sum(registry, 'logsift_sampler_decisions_total', (l) => l.decision !== 'dropped'),
    sum(registry, 'logsift_sampler_decisions_total', (l) => l.decision === 'dropped'),
    sum(registry, 'logsift_receiver_refused_log_records_total'),
    sum(registry, 'logsift_exporter_sent_log_records_total'),
    sum(registry, 'logsift_exporter_dead_lettered_log_records_total'),
    sum(registry, 'logsift_exporter_lost_log_records_total'),
    sum(registry, 'logsift_exporter_queue_size_log_records'),
  ]);
  return { totals: { accepted, kept, dropped, refused, exported, delivery_lost: deadLettered + lost }, queue };
}

export class LiveCounters {
  readonly #points: LivePoint[] = [];
  #last: Reading | undefined;

  constructor(private readonly registry: Registry) {}

  /** Reads the counters and notes the second that ended at `now`. */
  async tick(now: number): Promise<LivePoint | undefined> {
    const reading = await readCounters(this.registry);
    const last = this.#last;
    this.#last = reading;
    if (!last) return undefined;
    const values = {} as Record<LiveField, number>;
    // A counter never goes back; a reading that does (a component restarted its series) counts as nothing.
    for (const field of LIVE_FIELDS) values[field] = Math.max(0, reading.totals[field] - last.totals[field]);
    const point = { t: now, values };
    this.#points.push(point);
    if (this.#points.length > LIVE_SECONDS) this.#points.shift();
    return point;
  }

  /** The last ten minutes, a column per field (what uPlot draws). */
  series(): { t: number[] } & Record<LiveField, number[]> {
    const out = { t: this.#points.map((p) => p.t) } as { t: number[] } & Record<LiveField, number[]>;
    for (const field of LIVE_FIELDS) out[field] = this.#points.map((p) => p.values[field]);
    return out;
  }

  totals(): LiveTotals | undefined {
    return this.#last?.totals;
  }

  queue(): number {
    return this.#last?.queue ?? 0;
  }
}
