// The policies a sidecar last applied, on disk, so a restart with the gateway away samples as before rather
// than on the config's defaults. One JSON file per extension, replaced whole (written beside, synced,
// renamed), so a crash leaves the old file or the new one, never half of one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Policy } from '../../policy/policy.js';

export interface KnownPolicy {
  policy: Policy;
  /** The gateway's ETag for it. */
  etag: string;
  /** This replica's share of the service's rate budgets when it was applied (replica_budget.ts). */
  share?: number;
}

export class LastKnownGood {
  readonly #file: string;
  readonly #policies = new Map<string, KnownPolicy>();

  constructor(dataDir: string, id: string) {
    this.#file = path.join(dataDir, 'policy_source', `${id.replaceAll('/', '_')}.json`);
  }

  /** What the file holds (nothing when there is no file); throws when it cannot be read as written. */
  load(): Map<string, KnownPolicy> {
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    const saved = JSON.parse(text) as Record<string, KnownPolicy>;
    for (const [service, known] of Object.entries(saved)) this.#policies.set(service, known);
    return new Map(this.#policies);
  }

  save(service: string, known: KnownPolicy): void {
    this.#policies.set(service, known);
    mkdirSync(path.dirname(this.#file), { recursive: true });
    const temp = `${this.#file}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(this.#policies)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.#file);
  }
}
