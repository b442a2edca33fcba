// One registry of factories per kind, by type and by the aliases a factory declares (the Collector's
// spellings); a duplicate name is a programming error caught at startup.
import type { ComponentKind, Factory } from './component.js';

export class FactoryRegistry {
  readonly #byKind = new Map<ComponentKind, Map<string, Factory>>();

  constructor(factories: readonly Factory[]) {
    for (const factory of factories) {
      let byType = this.#byKind.get(factory.kind);
      if (!byType) this.#byKind.set(factory.kind, (byType = new Map()));
      for (const name of [factory.type, ...(factory.aliases ?? [])]) {
        if (byType.has(name)) throw new Error(`duplicate ${factory.kind} factory type "${name}"`);
        byType.set(name, factory);
      }
    }
  }

  get<K extends ComponentKind>(kind: K, type: string): Extract<Factory, { kind: K }> | undefined {
    return this.#byKind.get(kind)?.get(type) as Extract<Factory, { kind: K }> | undefined;
  }

  /** The canonical types of a kind (aliases left out). */
  types(kind: ComponentKind): string[] {
    return [...new Set([...(this.#byKind.get(kind)?.values() ?? [])].map((f) => f.type))].sort();
  }
}
