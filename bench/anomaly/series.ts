// Generated series with the properties of real ones, and labelled anomalies: counts per 5 minutes that are
// overdispersed (gamma–Poisson, φ from 3 to 30), follow a day (night at a fifth of the afternoon) and a week
// (quieter weekends), at volumes from tens to thousands; latencies with a daily swell and heavy-ish noise.
// Labelled: spikes (×4–10 for 1–4 points), drops (to 5–20% for 2–6 points), level shifts (×0.4 or ×2.5,
// kept). Anomaly-free series of the same kinds measure false positives. Seeded: the same series every run.
import { random, samplers } from '../draws.js';

export interface LabelledSeries {
  name: string;
  points: Array<{ time: number; value: number }>;
  /** Indices where a labelled anomaly starts. */
  anomalies: number[];
}

const STEP = 5 * 60_000;
const DAY = 24 * 3_600_000;
const LENGTH = 14 * 288;
const START = Date.UTC(2026, 10, 2); // a Monday

function dayCurve(i: number): number {
  const time = START + i * STEP;
  const hour = (time % DAY) / 3_600_000;
  const weekend = [0, 6].includes(new Date(time).getUTCDay()) ? 0.6 : 1;
  return weekend * (0.6 - 0.4 * Math.cos((2 * Math.PI * (hour - 3)) / 24));
}

type Effect = (i: number, x: number) => number;

/** Up to three anomalies at random places after the first two days, apart from each other. */
function plantAnomalies(uniform: () => number, kinds: Array<'spike' | 'drop' | 'shift'>): { effect: Effect; starts: number[] } {
  const starts: number[] = [];
  const effects: Effect[] = [];
  let shifted = false;
  for (const kind of kinds) {
    let at: number;
    do at = 2 * 288 + Math.floor(uniform() * (LENGTH - 3 * 288));
    while (starts.some((s) => Math.abs(s - at) < 300));
    starts.push(at);
    if (kind === 'spike') {
      const [factor, length] = [4 + uniform() * 6, 1 + Math.floor(uniform() * 4)];
      effects.push((i, x) => (i >= at && i < at + length ? x * factor : x));
    } else if (kind === 'drop') {
      const [factor, length] = [0.05 + uniform() * 0.15, 2 + Math.floor(uniform() * 5)];
      effects.push((i, x) => (i >= at && i < at + length ? x * factor : x));
    } else if (!shifted) {
      shifted = true;
      const factor = uniform() < 0.5 ? 0.4 : 2.5;
      effects.push((i, x) => (i >= at ? x * factor : x));
    }
  }
  return { effect: (i, x) => effects.reduce((v, f) => f(i, v), x), starts: starts.sort((a, b) => a - b) };
}

export function generateSeries(): { labelled: LabelledSeries[]; clean: LabelledSeries[] } {
  const labelled: LabelledSeries[] = [];
  const clean: LabelledSeries[] = [];
  const kinds: Array<Array<'spike' | 'drop' | 'shift'>> = [['spike'], ['spike', 'drop'], ['shift'], ['spike', 'shift'], ['drop', 'spike', 'spike']];
  let seed = 1;
  for (const volume of [20, 200, 2000]) {
    for (const phi of [3, 10, 30]) {
      const u = random(seed++);
      const { negativeBinomial } = samplers(u);
      const plan = plantAnomalies(u, kinds[seed % kinds.length]!);
      labelled.push({ name: `counts v${volume} φ${phi}`, anomalies: plan.starts, points: Array.from({ length: LENGTH }, (_, i) => ({ time: START + i * STEP, value: negativeBinomial(plan.effect(i, volume * dayCurve(i)), phi) })) });
      const v = random(1000 + seed);
      const clean_ = samplers(v);
      clean.push({ name: `clean counts v${volume} φ${phi}`, anomalies: [], points: Array.from({ length: LENGTH }, (_, i) => ({ time: START + i * STEP, value: clean_.negativeBinomial(volume * dayCurve(i), phi) })) });
    }
  }
  for (const noise of [5, 15]) {
    const u = random(seed++);
    const { normal } = samplers(u);
    const spikes = plantAnomalies(u, ['spike', 'spike', 'shift']);
    // Latency in ms: multiplicative anomalies on the excess over a floor.
    labelled.push({ name: `latency noise ${noise}`, anomalies: spikes.starts, points: Array.from({ length: LENGTH }, (_, i) => ({ time: START + i * STEP, value: 80 + spikes.effect(i, 40 + 20 * dayCurve(i)) + noise * normal() })) });
    const v = samplers(random(2000 + seed));
    clean.push({ name: `clean latency noise ${noise}`, anomalies: [], points: Array.from({ length: LENGTH }, (_, i) => ({ time: START + i * STEP, value: 120 + 20 * dayCurve(i) + noise * v.normal() })) });
  }
  return { labelled, clean };
}
