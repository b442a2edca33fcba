// The daemon's one Store, opened on first use (a daemon whose exporters never queue or dead-letter never
// creates a database) and closed once, after every exporter has stopped. A long-running daemon checkpoints
// the store's write-ahead log on a thread of its own (wal_checkpointer.ts); CLIs and tests that open a store
// briefly leave it to SQLite.
import path from 'node:path';
import { Store, type SyncPolicy } from './store.js';
import { WalCheckpointer } from './wal_checkpointer.js';

export interface BackgroundCheckpoints {
  intervalMs: number;
  /** Told when the background thread failed (the store's own connection checkpoints again from then on). */
  onFailure(error: Error): void;
  /** After each background pass: the log frames copied into the database so far. */
  onCheckpoint?(copied: number): void;
}

export class SharedStore {
  #store: Store | undefined;
  #checkpointer: WalCheckpointer | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly sync: SyncPolicy,
    private readonly background?: BackgroundCheckpoints,
  ) {}

  get(): Store {
    if (this.#store) return this.#store;
    const file = path.join(this.dataDir, 'logsift.db');
    const store = new Store(file, this.sync);
    this.#store = store;
    if (this.background) {
      const { intervalMs, onFailure, onCheckpoint } = this.background;
      store.checkpointsItself(false);
      this.#checkpointer = new WalCheckpointer(
        file,
        this.sync,
        intervalMs,
        (error) => {
          if (this.#store === store) store.checkpointsItself(true);
          onFailure(error);
        },
        onCheckpoint && ((copied) => onCheckpoint(copied)),
      );
    }
    return store;
  }

  /** Closes the daemon's connection and the checkpoint worker's; resolves once both have let go of the files. */
  async close(): Promise<void> {
    const stopping = this.#checkpointer?.stop();
    this.#checkpointer = undefined;
    this.#store?.close();
    this.#store = undefined;
    await stopping;
  }
}
