// What changed between two policies, path by path (`severity_keep.INFO: 0.1 → 0.05`), for the history.
export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, value);
}

const IGNORED = new Set(['version', 'reasoning']);

export function policyDiff(before: unknown, after: unknown): Change[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before ?? {}, '', a);
  flatten(after ?? {}, '', b);
  const changes: Change[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if (IGNORED.has(path)) continue;
    const x = a.get(path);
    const y = b.get(path);
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push({ path, before: x, after: y });
  }
  return changes.sort((m, n) => (m.path < n.path ? -1 : 1));
}
