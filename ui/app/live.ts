// One event stream per tab (/api/v1/live), shared by the pages: `live` each second with the counters' last
// second, `ledger` when the sampler closed windows (pages that show ledger figures fetch again).
import { useEffect } from 'preact/hooks';
import { follow } from './api.js';

type Listener = (event: string, data: unknown) => void;
const listeners = new Set<Listener>();
let controller: AbortController | undefined;

export function startLive(): void {
  if (controller) return;
  controller = new AbortController();
  follow('/api/v1/live', (event, data) => {
    for (const listener of listeners) listener(event, data);
  }, controller.signal);
}

export function restartLive(): void {
  controller?.abort();
  controller = undefined;
  startLive();
}

export function useLive(listener: Listener, deps: unknown[] = []): void {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, deps);
}
