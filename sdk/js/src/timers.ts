// Timers that never keep an application alive (Node's unref; browsers have nothing to unref), and a pause
// that ends early when the SDK stops.
export function quietTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

export function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve();
    const timer = quietTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
    stop.addEventListener('abort', done, { once: true });
  });
}

/** The next wait after a failure: doubling from `initial` up to `max`, with a fifth of jitter. */
export function nextBackoff(previous: number, initial: number, max: number): number {
  const next = previous === 0 ? initial : Math.min(max, previous * 2);
  return next * (0.9 + 0.2 * Math.random());
}
