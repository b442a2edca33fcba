// A @sinonjs/fake-timers clock handed to the daemon as its Clock: backoff runs in simulated time while
// sockets stay real.
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../pipeline/clock.js';

export function fakeClock() {
  const fake = FakeTimers.createClock(Date.UTC(2026, 10, 26));
  const clock: Clock = {
    now: () => fake.now,
    setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
    clearTimeout: (handle) => fake.clearTimeout(handle as ReturnType<typeof fake.setTimeout>),
  };
  /** Waits (on real I/O, not on time) until the daemon has scheduled a timer on the fake clock. */
  const timerScheduled = async () => {
    while (fake.countTimers() === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  /** Waits (on real I/O turns, never on time) until the daemon holds exactly `count` fake timers. */
  const timersHeld = async (count: number) => {
    for (let turns = 0; fake.countTimers() !== count; turns++) {
      if (turns > 100_000) throw new Error(`expected ${count} timers on the fake clock, there are ${fake.countTimers()}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { fake, clock, timerScheduled, timersHeld };
}
