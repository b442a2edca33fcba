// One registry of factories per kind; a duplicate type is a programming error caught at startup.
import type { ComponentKind, Factory } from './component.js';

export class FactoryRegistry {
  readonly #byKind = new Map<ComponentKind, Map<string, Factory>>();

  constructor(factories: readonly Factory[]) {
    for (const factory of factories) {
      let byType = this.#byKind.get(factory.kind);
      if (!byType) this.#byKind.set(factory.kind, (byType = new Map()));
      if (byType.has(factory.type)) throw new Error(`duplicate ${factory.kind} factory type "${factory.type}"`);
      byType.set(factory.type, factory);
    }
  }

  get<K extends ComponentKind>(kind: K, type: string): Extract<Factory, { kind: K }> | undefined {
    return this.#byKind.get(kind)?.get(type) as Extract<Factory, { kind: K }> | undefined;
  }

  types(kind: ComponentKind): string[] {
    return [...(this.#byKind.get(kind)?.keys() ?? [])].sort();
  }
}
