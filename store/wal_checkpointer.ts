// Checkpoints of the store's write-ahead log, on a thread of their own. SQLite copies its log into the
// database file once the log reaches 1000 pages, in whichever connection commits then — in the daemon that
// is its one thread, and with `synchronous = normal` a checkpoint syncs the log and the database: at full
// load one came every half second, and a client's answer waited for it (bench: a 512-record request at half
// load, p99 16–19 ms; with no checkpoint on that thread, 7–8 ms). The daemon's connection therefore does not
// checkpoint; a worker thread's own connection does, every `intervalMs`, PASSIVE (it never waits for, nor
// blocks, the writer). If the worker fails, the daemon's connection is told to checkpoint itself again.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SyncPolicy } from './store.js';

// Plain JavaScript, run by the worker as given (no build step, no loader): open, checkpoint on a timer, close.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.sync);
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ copied: result.checkpointed });
  } catch (error) {
    clearInterval(timer);
    parentPort.postMessage({ failed: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

export class WalCheckpointer {
  readonly #worker: Worker;
  #stopped = false;
  readonly #exited: Promise<void>;

  /** `onCheckpoint`: after each pass, with how many log frames the database holds copies of so far. */
  constructor(
    file: string,
    sync: SyncPolicy,
    intervalMs: number,
    private readonly onFailure: (error: Error) => void,
    onCheckpoint?: (copied: number) => void,
  ) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: DRIVER, file, sync: sync.toUpperCase(), intervalMs } });
    // The daemon's lifetime is not the worker's to decide: it never keeps the process alive.
    this.#worker.unref();
    this.#worker.on('message', (message: { failed?: string; copied?: number }) => {
      if (message.failed !== undefined) this.#fail(new Error(`background WAL checkpoint failed: ${message.failed}`));
      else if (message.copied !== undefined) onCheckpoint?.(message.copied);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  #fail(error: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#worker.terminate();
    this.onFailure(error);
  }

  /**
   * Asks the worker to close its connection and end; resolves once it has (a closing connection may still
   * write the log and its index: a caller removing the data dir must not race it).
   */
  stop(): Promise<void> {
    if (this.#stopped) return this.#exited;
    this.#stopped = true;
    // Held until it has ended: a stop that is awaited keeps the process up that long.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    return this.#exited;
  }
}
