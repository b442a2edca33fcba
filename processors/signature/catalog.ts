// The pattern catalog: the miner's patterns (id, template, service, first/last seen, count, example) and the
// id aliases left by generalisation, saved in the store and reloaded at start so ids and templates carry on.
import type { PatternRow, Store } from '../../store/store.js';
import type { TemplateMiner } from './template_miner.js';

/** Live patterns that share an id (a variable spanning different widths) become one catalog row. */
export function catalogRows(miner: TemplateMiner): PatternRow[] {
  const rows = new Map<string, PatternRow>();
  for (const p of miner.patterns()) {
    const key = `${p.service}\u0000${p.id}`;
    const row = rows.get(key);
    if (!row) {
      rows.set(key, { service: p.service, id: p.id, template: p.template, first_seen: p.firstSeen, last_seen: p.lastSeen, count: p.count, example: p.example });
    } else {
      row.count += p.count;
      row.first_seen = Math.min(row.first_seen, p.firstSeen);
      row.last_seen = Math.max(row.last_seen, p.lastSeen);
    }
  }
  return [...rows.values()];
}

export function saveCatalog(miner: TemplateMiner, store: Store): number {
  const rows = catalogRows(miner);
  store.savePatterns(rows, miner.aliases());
  return rows.length;
}

export function loadCatalog(miner: TemplateMiner, store: Store): number {
  const rows = store.patterns();
  for (const row of rows) miner.restore(row.service, row.template, { count: row.count, firstSeen: row.first_seen, lastSeen: row.last_seen, example: row.example });
  return rows.length;
}
