// Long-polls on the control API (`GET /api/v1/policies/{service}?wait=30s` with If-None-Match): a consumer that
// already holds the policy in force waits until the service's policy changes, the wait runs out, or it hangs
// up. One board listener serves every wait; each wait is a timer and a set entry, so holding thousands costs
// little, and past `maxOpen` a wait is refused rather than memory growing with the fleet.
import type { Clock } from '../pipeline/clock.js';
import type { PolicyBoard } from '../policy/board.js';

export type WaitOutcome = 'changed' | 'timeout' | 'gone';

export class PolicyWaits {
  readonly #waiting = new Map<string, Set<(outcome: WaitOutcome) => void>>();
  #open = 0;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly board: PolicyBoard,
    private readonly clock: Clock,
    private readonly maxOpen: number,
  ) {}

  start(): void {
    this.#unsubscribe ??= this.board.onChange((service) => this.#wake(service, 'changed'));
  }

  /** Answers every wait (as timed out) and stops listening: the daemon is stopping. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const service of [...this.#waiting.keys()]) this.#wake(service, 'timeout');
  }

  get open(): number {
    return this.#open;
  }

  /** Undefined when `maxOpen` waits are open already: the caller answers at once. */
  wait(service: string, ms: number, signal: AbortSignal): Promise<WaitOutcome> | undefined {
    if (this.#open >= this.maxOpen) return undefined;
    if (signal.aborted) return Promise.resolve('gone');
    return new Promise((resolve) => {
      let waiters = this.#waiting.get(service);
      if (!waiters) this.#waiting.set(service, (waiters = new Set()));
      const done = (outcome: WaitOutcome) => {
        if (!waiters.delete(done)) return;
        if (waiters.size === 0 && this.#waiting.get(service) === waiters) this.#waiting.delete(service);
        this.#open -= 1;
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', hangUp);
        resolve(outcome);
      };
      const hangUp = () => done('gone');
      const timer = this.clock.setTimeout(() => done('timeout'), ms);
      signal.addEventListener('abort', hangUp, { once: true });
      waiters.add(done);
      this.#open += 1;
    });
  }

  #wake(service: string, outcome: WaitOutcome): void {
    const waiters = this.#waiting.get(service);
    if (waiters) for (const done of [...waiters]) done(outcome);
  }
}
