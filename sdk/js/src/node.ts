// Node's additions: the last policy applied, kept in a file for the next start (written whole, then renamed,
// so a crash never leaves half a policy).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KnownPolicy, PolicyCache } from './policy_follower.js';

export function filePolicyCache(file: string): PolicyCache {
  return {
    load() {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as KnownPolicy;
      } catch {
        return undefined;
      }
    },
    save(known) {
      mkdirSync(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(known));
      renameSync(temporary, file);
    },
  };
}
