// Generated series with the properties of real ones, and labelled anomalies: counts per 5 minutes that are
// overdispersed (gamma–Poisson, φ from 3 to 30), follow a day (night at a fifth of the afternoon) and a week
// (quieter weekends), at volumes from tens to thousands; latencies with a daily swell and heavy-ish noise.
// Labelled: spikes (×4–10 for 1–4 points), drops (to 5–20% for 2–6 points), level shifts (×0.4 or ×2.5,
// kept). Anomaly-free series of the same kinds measure false positives. Seeded: the same series every run.
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

/** mulberry32. */
export function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
}

/** Normal and gamma–Poisson (negative binomial: mean μ, variance φ·μ) draws from a uniform source. */
export function samplers(uniform: () => number) {
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal();
      const v = (1 + c * x) ** 3;
      if (v > 0 && Math.log(uniform()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const poisson = (lambda: number) => {
    if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    for (let p = uniform(); p > limit; p *= uniform()) k++;
    return k;
  };
  return { normal, negativeBinomial: (mean: number, phi: number) => poisson(gamma(mean / (phi - 1)) * (phi - 1)) };
}

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
