// An append-only file that rotates by size: the full file is renamed with a timestamp and the oldest backups
// beyond the limit are removed. Writes are serialised so lines never interleave.
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface RotationOptions {
  maxBytes: number;
  maxBackups: number;
}

export class RotatingFile {
  #handle: FileHandle | undefined;
  #size = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly rotation: RotationOptions,
  ) {}

  async open(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    this.#handle = await open(this.file, 'a');
    this.#size = (await stat(this.file)).size;
  }

  /** Appends `data`; resolves once the OS has it (not fsynced: durability is the persistent queue's job). */
  append(data: Buffer): Promise<void> {
    const write = this.#queue.then(async () => {
      if (!this.#handle) throw new Error(`${this.file} is not open`);
      if (this.#size > 0 && this.#size + data.length > this.rotation.maxBytes) await this.#rotate();
      await this.#handle.write(data);
      this.#size += data.length;
    });
    // The queue carries on after a failed write; the failure goes to this write's caller.
    this.#queue = write.catch(() => undefined);
    return write;
  }

  async #rotate(): Promise<void> {
    await this.#handle!.close();
    const { dir, name, ext } = path.parse(this.file);
    const stamp = new Date().toISOString().replace(/:/g, '-');
    await rename(this.file, path.join(dir, `${name}-${stamp}${ext}`));
    this.#handle = await open(this.file, 'a');
    this.#size = 0;
    await this.#pruneBackups(dir, name, ext);
  }

  async #pruneBackups(dir: string, name: string, ext: string): Promise<void> {
    if (this.rotation.maxBackups <= 0) return;
    const backups = (await readdir(dir)).filter((f) => f.startsWith(`${name}-`) && f.endsWith(ext)).sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - this.rotation.maxBackups))) await rm(path.join(dir, old), { force: true });
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
