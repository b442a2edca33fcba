// The daemon's one Store, opened on first use (a daemon whose exporters never queue or dead-letter never
// creates a database) and closed once, after every exporter has stopped.
import path from 'node:path';
import { Store, type SyncPolicy } from './store.js';

export class SharedStore {
  #store: Store | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly sync: SyncPolicy,
  ) {}

  get(): Store {
    this.#store ??= new Store(path.join(this.dataDir, 'logsift.db'), this.sync);
    return this.#store;
  }

  close(): void {
    this.#store?.close();
    this.#store = undefined;
  }
}
