// The pattern catalog: the miner's patterns (id, template, service, first/last seen, count, example) and the
// id aliases left by generalisation, saved in the store and reloaded at start so ids and templates carry on.
import type { PatternRow, Store } from '../../store/store.js';
import type { TemplateMiner } from './template_miner.js';

/** Live patterns that share an id (a variable spanning different widths) become one catalog row. */
export function catalogRows(miner: TemplateMiner): PatternRow[] {
  const rows = new Map<string, PatternRow & { shapeList: string[] }>();
  for (const p of miner.patterns()) {
    const key = `${p.service}\u0000${p.id}`;
    const row = rows.get(key);
    const shape = p.tokens.join(' ');
    if (!row) {
      rows.set(key, { service: p.service, id: p.id, template: p.template, first_seen: p.firstSeen, last_seen: p.lastSeen, count: p.count, example: p.example, shapes: '', shapeList: [shape] });
    } else {
      row.count += p.count;
      row.first_seen = Math.min(row.first_seen, p.firstSeen);
      row.last_seen = Math.max(row.last_seen, p.lastSeen);
      if (!row.shapeList.includes(shape)) row.shapeList.push(shape);
    }
  }
  return [...rows.values()].map(({ shapeList, ...row }) => ({ ...row, shapes: JSON.stringify(shapeList) }));
}

export function saveCatalog(miner: TemplateMiner, store: Store): number {
  const rows = catalogRows(miner);
  store.savePatterns(rows, miner.aliases());
  return rows.length;
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
