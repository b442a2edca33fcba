// What the control API's tokens file and the bearertokenauth extension share: tokens kept as SHA-256 digests
// (a memory dump or a log line never shows one), a presented token compared with every known digest in
// constant time, and a file read again whenever it changes (so a token is rotated without a restart) — the
// tokens read last staying in force while a rewrite leaves it unreadable.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** The entry whose digest is the token's; every entry is compared, so the time says nothing about near misses. */
export function findByToken<T extends { digest: Buffer }>(entries: readonly T[], token: string): T | undefined {
  const presented = tokenDigest(token);
  let found: T | undefined;
  for (const entry of entries) if (timingSafeEqual(entry.digest, presented)) found = entry;
  return found;
}

export class WatchedFile<T> {
  #mtime = -1;
  #value: T;

  /** Reads the file now: a file that cannot be read or parsed at first throws (a config error). */
  constructor(
    private readonly path: string,
    private readonly parse: (text: string) => T,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.#value = this.#read();
  }

  #read(): T {
    const mtime = statSync(this.path).mtimeMs;
    if (mtime === this.#mtime) return this.#value;
    const value = this.parse(readFileSync(this.path, 'utf8'));
    this.#mtime = mtime;
    return value;
  }

  /** The file's content as parsed, read again if it changed since. */
  current(): T {
    try {
      this.#value = this.#read();
    } catch (error) {
      this.onError(error);
    }
    return this.#value;
  }
}
