// The sampling ledger as events: one per window and service, its patterns as a list, in chunks that keep
// each event small (~100 bytes a pattern: far under PostHog's 1 MB per event).
import type { DaemonEvent } from '../../pipeline/event_bus.js';
import type { LedgerRow } from './ledger.js';

export const LEDGER_EVENT = 'logsift sampling ledger';
const LEDGER_PATTERNS_PER_EVENT = 500;

export function ledgerEvents(rows: readonly LedgerRow[], windowMs: number): DaemonEvent[] {
  const groups = new Map<string, LedgerRow[]>();
  for (const row of rows) {
    const key = `${row.window_start}\u0000${row.service}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  const events: DaemonEvent[] = [];
  for (const group of groups.values()) {
    for (let at = 0; at < group.length; at += LEDGER_PATTERNS_PER_EVENT) {
      const chunk = group.slice(at, at + LEDGER_PATTERNS_PER_EVENT);
      const sum = (pick: (r: LedgerRow) => number) => chunk.reduce((n, r) => n + pick(r), 0);
      events.push({
        name: LEDGER_EVENT,
        timestamp: chunk[0]!.window_start,
        properties: {
          service: chunk[0]!.service,
          window_start: new Date(chunk[0]!.window_start).toISOString(),
          window_seconds: windowMs / 1000,
          seen: sum((r) => r.seen),
          kept: sum((r) => r.kept),
          dropped: sum((r) => r.dropped),
          bytes_seen: sum((r) => r.bytes_seen),
          bytes_kept: sum((r) => r.bytes_kept),
          boosted: sum((r) => r.boosted),
          bytes_boosted: sum((r) => r.bytes_boosted),
          wire_bytes_seen: sum((r) => r.wire_bytes_seen),
          wire_bytes_kept: sum((r) => r.wire_bytes_kept),
          wire_bytes_boosted: sum((r) => r.wire_bytes_boosted),
          patterns: chunk.map((r) => ({ pattern_id: r.pattern, seen: r.seen, kept: r.kept, dropped: r.dropped, bytes_seen: r.bytes_seen, bytes_kept: r.bytes_kept, boosted: r.boosted, bytes_boosted: r.bytes_boosted, wire_bytes_seen: r.wire_bytes_seen, wire_bytes_kept: r.wire_bytes_kept, wire_bytes_boosted: r.wire_bytes_boosted })),
        },
      });
    }
  }
  return events;
}
