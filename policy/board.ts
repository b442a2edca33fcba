// The active sampling policy per service, as authored at run time (the tuner, the control API, a rollback):
// the one small interface through which processors read policies without importing their authors. Writers
// replace a service's entry whole; the generation moves on every change, so a reader that compiles policies
// checks one number per batch and switches between batches — atomically, with nothing lost or seen twice.
import type { Policy } from './policy.js';

export class PolicyBoard {
  readonly #active = new Map<string, Policy>();
  readonly #listeners = new Set<(service: string) => void>();
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  /** The service's run-time policy; undefined means the config's policy applies. */
  get(service: string): Policy | undefined {
    return this.#active.get(service);
  }

  set(policy: Policy): void {
    this.#active.set(policy.service, policy);
    this.#generation += 1;
    for (const listener of this.#listeners) listener(policy.service);
  }

  /** Calls `listener` with the service after each change (distribution: long-polls, webhooks); returns the unsubscribe. */
  onChange(listener: (service: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  services(): string[] {
    return [...this.#active.keys()];
  }
}
