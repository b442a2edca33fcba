// Negative binomial tails: counts with mean μ and variance φ·μ (φ > 1), the gamma–Poisson mixture that
// bursty real rates follow. With r = μ/(φ−1) and p = 1/φ, P(X ≤ k) = I_p(r, k+1), the regularised
// incomplete beta function, computed here by its continued fraction (Lentz), in log space.
import { logGamma } from './poisson.js';

const EPS = 1e-15;
const TINY = 1e-300;

/** Continued fraction for I_x(a, b) (valid, and fast, for x < (a+1)/(a+b+2)). */
function betaFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return Math.exp(logFront) * betaFraction(a, b, x) / a;
  return 1 - (Math.exp(logFront) * betaFraction(b, a, 1 - x)) / b;
}

/** P(X ≥ k) for X negative binomial with mean μ and variance φ·μ (φ > 1). */
export function negativeBinomialUpperTail(k: number, mean: number, phi: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const r = mean / (phi - 1);
  return incompleteBeta(1 - 1 / phi, Math.ceil(k), r);
}

/** P(X ≤ k) for X negative binomial with mean μ and variance φ·μ (φ > 1). */
export function negativeBinomialLowerTail(k: number, mean: number, phi: number): number {
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  const r = mean / (phi - 1);
  return incompleteBeta(1 / phi, r, Math.floor(k) + 1);
}
