// A signal for one attempt: aborts when `parent` does or after `timeoutMs`. Not AbortSignal.any over
// AbortSignal.timeout: with that, a backend that never answered stalled every sending consumer for good in the
// overload test once the daemon's heap grew (importing the openai client was enough) — the timeout never
// fired. Node holds AbortSignal.timeout's signal weakly from its timer, and a composite's sources weakly too;
// a collection at the wrong moment is the likely cause (a small repro did not show it). Here the timer holds
// the controller strongly, and `done` releases the timer and the parent's listener.
export interface AttemptSignal {
  signal: AbortSignal;
  /** Clears the timer and the parent's listener; call when the attempt is over. */
  done(): void;
}

export function attemptSignal(timeoutMs: number, parent?: AbortSignal): AttemptSignal {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent!.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
