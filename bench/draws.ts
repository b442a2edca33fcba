// Seeded random draws shared by the generators of bench:anomaly, bench:boost and bench:sampling: a uniform
// source (mulberry32) and, from it, normal, gamma, Poisson and gamma–Poisson (negative binomial) draws.

/** mulberry32: a uniform draw in (0, 1), the same sequence for the same seed. */
export function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
}

/** Normal, Poisson and gamma–Poisson (negative binomial: mean μ, variance φ·μ) draws from a uniform source. */
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
    if (lambda <= 0) return 0;
    if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    for (let p = uniform(); p > limit; p *= uniform()) k++;
    return k;
  };
  const negativeBinomial = (mean: number, phi: number) => (mean <= 0 ? 0 : phi <= 1 ? poisson(mean) : poisson(gamma(mean / (phi - 1)) * (phi - 1)));
  return { normal, poisson, negativeBinomial };
}
