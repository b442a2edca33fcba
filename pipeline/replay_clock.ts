// The clock of an offline replay: time is the records' own, moved forward by the replay as it reads them.
// Timers never fire on their own; what they would have flushed is flushed at shutdown.
import type { Clock } from './clock.js';

export class ReplayClock implements Clock {
  #now = 0;

  now(): number {
    return this.#now;
  }

  advanceTo(time: number): void {
    if (time > this.#now) this.#now = time;
  }

  setTimeout(): unknown {
    return undefined;
  }

  clearTimeout(): void {}
}
