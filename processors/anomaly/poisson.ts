// Poisson tail probabilities in log space: how surprising k events are when λ were expected. Unlike a z-score
// they stay honest at low counts (3 where 0.2 were expected is rare; 30 where 25 were expected is not).

// Lanczos approximation of ln Γ(x) for x > 0 (g = 7, n = 9): ~15 significant digits.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logTerm(i: number, lambda: number): number {
  return -lambda + i * Math.log(lambda) - logGamma(i + 1);
}

/** log of Σ exp(terms), computed without overflow. */
function logSumFrom(start: number, step: 1 | -1, lambda: number, stop: (i: number) => boolean): number {
  let max = logTerm(start, lambda);
  let sum = 1;
  for (let i = start + step; !stop(i); i += step) {
    const t = logTerm(i, lambda) - max;
    if (t > 0) {
      sum = sum * Math.exp(-t) + 1;
      max += t;
    } else {
      sum += Math.exp(t);
      if (t < -40) break; // terms only shrink from here on
    }
  }
  return max + Math.log(sum);
}

/** P(X ≥ k) for X ~ Poisson(λ). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (k <= lambda) return 1 - poissonLowerTail(k - 1, lambda);
  return Math.min(1, Math.exp(logSumFrom(k, 1, lambda, () => false)));
}

/** P(X ≤ k) for X ~ Poisson(λ). */
export function poissonLowerTail(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  if (k >= lambda) return 1 - poissonUpperTail(k + 1, lambda);
  return Math.min(1, Math.exp(logSumFrom(k, -1, lambda, (i) => i < 0)));
}
