// Scores the logsift miner on every Loghub-2k system (quick iteration tool for the bench).
import { TemplateMiner } from '../../processors/signature/template_miner.js';
import { loadSystem, score, systems } from './loghub.js';

const results: Record<string, { ga: number; fga: number; pa: number }> = {};
for (const system of systems()) {
  const lines = loadSystem(system);
  const miner = new TemplateMiner();
  const patterns = lines.map((l) => miner.add(system, l.content))
  results[system] = score(lines, patterns.map((p) => p.current.id), patterns.map((p) => p.current.template));
}
const avg = (k: 'ga' | 'fga' | 'pa') => Object.values(results).reduce((n, r) => n + r[k], 0) / Object.keys(results).length;
for (const [s, r] of Object.entries(results)) console.log(s.padEnd(12), r.ga.toFixed(3), r.fga.toFixed(3), r.pa.toFixed(3));
console.log('AVG'.padEnd(12), avg('ga').toFixed(3), avg('fga').toFixed(3), avg('pa').toFixed(3));
