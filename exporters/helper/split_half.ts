// Splits a request's records into two halves (by record count, keeping resource and scope) for a backend that
// answered 413; undefined when there is only one record left to split.
import type { PbResourceLogs, PbScopeLogs } from '../../proto/otlp.js';

export function splitInHalf(resourceLogs: readonly PbResourceLogs[]): [PbResourceLogs[], PbResourceLogs[]] | undefined {
  const total = resourceLogs.reduce((n, rl) => n + (rl.scopeLogs ?? []).reduce((m, sl) => m + (sl.logRecords?.length ?? 0), 0), 0);
  if (total < 2) return undefined;
  let budget = Math.floor(total / 2);
  const first: PbResourceLogs[] = [];
  const second: PbResourceLogs[] = [];
  for (const rl of resourceLogs) {
    const a: PbScopeLogs[] = [];
    const b: PbScopeLogs[] = [];
    for (const sl of rl.scopeLogs ?? []) {
      const records = sl.logRecords ?? [];
      const take = Math.min(budget, records.length);
      budget -= take;
      if (take > 0) a.push({ ...sl, logRecords: records.slice(0, take) });
      if (take < records.length) b.push({ ...sl, logRecords: records.slice(take) });
    }
    if (a.length > 0) first.push({ ...rl, scopeLogs: a });
    if (b.length > 0) second.push({ ...rl, scopeLogs: b });
  }
  return [first, second];
}
