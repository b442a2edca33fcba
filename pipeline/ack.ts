import { isPermanent } from './errors.js';

// The acknowledgement a batch carries from its receiver to the exporters. A receiver answers its client
// only when the ack settles; every component that splits, merges or drops batches must settle what it took.

export interface Ack {
  /** Settles once; later calls are ignored so a failing fan-out branch cannot answer twice. */
  settle(error?: Error): void;
}

/** An ack whose outcome a receiver can await. */
export class Delivery implements Ack {
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #settled = false;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  settle(error?: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    if (error) this.#reject(error);
    else this.#resolve();
  }
}

/**
 * Settles `parent` once all `count` parts settled: failed if any part failed. Used for fan-out. A retryable
 * failure wins over a permanent one, so the client resends what some branch still needs.
 */
export function splitAck(parent: Ack, count: number): Ack[] {
  let pending = count;
  let firstError: Error | undefined;
  const part: Ack = {
    settle(error?: Error) {
      if (error && (!firstError || (isPermanent(firstError) && !isPermanent(error)))) firstError = error;
      pending -= 1;
      if (pending === 0) parent.settle(firstError);
    },
  };
  return Array.from({ length: count }, () => {
    let used = false;
    return { settle: (error?: Error) => (used ? undefined : ((used = true), part.settle(error))) };
  });
}

/** One ack standing for several: settling it settles each with the same outcome. Used when batches merge. */
export function combineAcks(acks: readonly Ack[]): Ack {
  return { settle: (error?: Error) => acks.forEach((ack) => ack.settle(error)) };
}
