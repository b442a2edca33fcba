// What processors of one pipeline share: a processor provides a typed view (rate statistics, say) under a
// key, and processors after it look it up at start. Processors never import each other's classes, only keys.
export class SharedKey<T> {
  declare readonly type: T;
  constructor(readonly name: string) {}
}

export class PipelineShared {
  readonly #values = new Map<SharedKey<unknown>, unknown>();

  provide<T>(key: SharedKey<T>, value: T): void {
    if (this.#values.has(key)) throw new Error(`${key.name} is already provided in this pipeline`);
    this.#values.set(key, value);
  }

  lookup<T>(key: SharedKey<T>): T | undefined {
    return this.#values.get(key) as T | undefined;
  }
}
