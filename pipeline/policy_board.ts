// The active sampling policy per service, as authored at run time (the tuner, the control API, a rollback):
// the one small interface through which processors read policies without importing their authors. Writers
// replace a service's entry whole; the generation moves on every change, so a reader that compiles policies
// checks one number per batch and switches between batches — atomically, with nothing lost or seen twice.
export interface BoardPolicy {
  service: string;
  version: number;
}

export class PolicyBoard<P extends BoardPolicy = BoardPolicy> {
  readonly #active = new Map<string, P>();
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  /** The service's run-time policy; undefined means the config's policy applies. */
  get(service: string): P | undefined {
    return this.#active.get(service);
  }

  set(policy: P): void {
    this.#active.set(policy.service, policy);
    this.#generation += 1;
  }

  services(): string[] {
    return [...this.#active.keys()];
  }
}
