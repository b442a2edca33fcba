// A policy's identity as it travels: the SHA-256 of its canonical JSON (object keys sorted at every level),
// so the same document hashes the same on every instance. ETags, consumers' status reports and webhooks name
// a policy by it (OpAMP's `config_hash`). Policies are replaced whole, never changed in place, so a hash is
// computed once per policy object.
import { createHash } from 'node:crypto';
import type { Policy } from './policy.js';

const cache = new WeakMap<Policy, string>();

export function policyHash(policy: Policy): string {
  let hash = cache.get(policy);
  if (hash === undefined) {
    hash = createHash('sha256').update(canonicalJson(policy)).digest('hex');
    cache.set(policy, hash);
  }
  return hash;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
