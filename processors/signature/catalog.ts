// The pattern catalog: the miner's patterns (id, template, service, first/last seen, count, example) and the
// id aliases left by generalisation, saved in the store and reloaded at start so ids and templates carry on.
import type { PatternRow, Store } from '../../store/store.js';
import type { Pattern, TemplateMiner } from './template_miner.js';

/** One catalog row per id: the widths its template spans, their counts summed. */
function rowOf(miner: TemplateMiner, p: Pattern): PatternRow {
  const holders = miner.holders(p.service, p.id);
  const widths = holders.length > 0 ? holders : [p];
  return {
    service: p.service,
    id: p.id,
    template: p.template,
    first_seen: Math.min(...widths.map((w) => w.firstSeen)),
    last_seen: Math.max(...widths.map((w) => w.lastSeen)),
    count: widths.reduce((n, w) => n + w.count, 0),
    example: widths[0]!.example,
    shapes: JSON.stringify(widths.map((w) => w.tokens.join(' '))),
  };
}

/** Saves what changed since the last save (a flush costs the traffic since, not the catalog's size). */
export function saveCatalog(miner: TemplateMiner, store: Store): number {
  const changes = miner.takeChanges();
  const rows = new Map<string, PatternRow>();
  for (const p of changes.patterns) {
    const key = `${p.service}\u0000${p.id}`;
    if (!rows.has(key)) rows.set(key, rowOf(miner, p));
  }
  try {
    store.savePatterns([...rows.values()], changes.aliases);
  } catch (error) {
    miner.returnChanges(changes);
    throw error;
  }
  return rows.size;
}

export function loadCatalog(miner: TemplateMiner, store: Store): number {
  const rows = store.patterns();
  for (const row of rows) {
    // Each token-for-token form comes back, so bodies of every width match at once; the count goes to the first.
    const shapes = JSON.parse(row.shapes) as string[];
    shapes.forEach((shape, i) => {
      miner.restore(row.service, shape, { count: i === 0 ? row.count : 0, firstSeen: row.first_seen, lastSeen: row.last_seen, example: row.example });
    });
  }
  return rows.length;
}
