// Shows where the miner's grouping departs from the truth on one system: truth templates split over several
// mined patterns, and mined patterns that lump several truth templates together.
import { DEFAULT_MINER_OPTIONS, TemplateMiner } from '../../processors/signature/template_miner.js';
import { loadSystem } from './loghub.js';

const system = process.argv[2] ?? 'Android';
const lines = loadSystem(system);
const miner = new TemplateMiner({ ...DEFAULT_MINER_OPTIONS, similarity: Number(process.argv[3] ?? DEFAULT_MINER_OPTIONS.similarity), variableAfter: Number(process.argv[4] ?? DEFAULT_MINER_OPTIONS.variableAfter) });
const patterns = lines.map((l) => miner.add(system, l.content))
const byTruth = new Map<string, Map<string, number>>();
const byMined = new Map<string, Map<string, number>>();
lines.forEach((l, i) => {
  const p = patterns[i]!.current;
  const t = byTruth.get(l.template) ?? new Map<string, number>();
  t.set(p.template, (t.get(p.template) ?? 0) + 1);
  byTruth.set(l.template, t);
  const m = byMined.get(p.template) ?? new Map<string, number>();
  m.set(l.template, (m.get(l.template) ?? 0) + 1);
  byMined.set(p.template, m);
});
console.log('--- truth split over several mined patterns');
for (const [truth, mined] of [...byTruth].filter(([, m]) => m.size > 1).sort((a, b) => b[1].size - a[1].size).slice(0, 12)) {
  console.log(`T ${truth}`);
  for (const [m, n] of [...mined].slice(0, 4)) console.log(`   ${n}× ${m.slice(0, 150)}`);
}
console.log('--- mined patterns lumping several truths');
for (const [mined, truths] of [...byMined].filter(([, t]) => t.size > 1).slice(0, 10)) {
  console.log(`M ${mined.slice(0, 150)}`);
  for (const [t, n] of [...truths].slice(0, 4)) console.log(`   ${n}× ${t.slice(0, 150)}`);
}
