import { TemplateMiner } from '/work/main/processors/signature/template_miner.ts';
import { loadSystem, systems } from '/work/main/bench/patterns/loghub.ts';
const all = systems().flatMap((s) => loadSystem(s).map((l) => [s, l.content] as const));
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 10);
const passes = Array.from({ length: 8 }, () => all.map(([s, c]) => [s, c.replace(/\d/g, () => String(rnd()))] as const));
const miner = new TemplateMiner();
for (const [s, c] of all) miner.add(s, c);
const t0 = performance.now(); let n = 0;
for (const pass of passes) { for (const [s, c] of pass) miner.add(s, c); n += pass.length; }
console.log(Math.round(n / ((performance.now() - t0) / 1000)), 'lines/s (fresh digits)');
