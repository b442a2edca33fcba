// Exponential backoff with jitter, in the Collector's terms (it uses cenkalti/backoff): each interval is
// the previous × multiplier, capped at max_interval, and randomised by ± randomization_factor.
export interface BackoffSettings {
  initialIntervalMs: number;
  maxIntervalMs: number;
  multiplier: number;
  randomizationFactor: number;
}

export class Backoff {
  #current: number;

  constructor(
    private readonly settings: BackoffSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.#current = settings.initialIntervalMs;
  }

  next(): number {
    const { randomizationFactor: f } = this.settings;
    const delta = f * this.#current;
    const delay = this.#current - delta + this.random() * (2 * delta);
    this.#current = Math.min(this.#current * this.settings.multiplier, this.settings.maxIntervalMs);
    return Math.round(delay);
  }
}
