// Loghub-2k ground truth (../shared/data/loghub-2k) and the grouping metrics defined in its README:
// GA, FGA, PA as in Loghub-2.0 (Jiang et al., ISSTA'24).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export const LOGHUB_DIR = fileURLToPath(new URL('../../../shared/data/loghub-2k/', import.meta.url));

export interface LabelledLine {
  content: string;
  template: string;
}

export function systems(): string[] {
  return readdirSync(LOGHUB_DIR).sort();
}

export function loadSystem(system: string): LabelledLine[] {
  const text = readFileSync(path.join(LOGHUB_DIR, system, `${system}_2k.log_structured.csv`), 'utf8');
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Array<{ Content: string; EventTemplate: string }>;
  return rows.map((r) => ({ content: r.Content, template: r.EventTemplate }));
}

export interface Scores {
  ga: number;
  fga: number;
  pa: number;
}

/** `mined[i]` is the group key (pattern id) and `minedTemplates[i]` the template the miner gave line i. */
export function score(lines: readonly LabelledLine[], mined: readonly string[], minedTemplates: readonly string[]): Scores {
  const truthGroups = new Map<string, number[]>();
  const minedGroups = new Map<string, number[]>();
  lines.forEach((line, i) => {
    truthGroups.set(line.template, [...(truthGroups.get(line.template) ?? []), i]);
    minedGroups.set(mined[i]!, [...(minedGroups.get(mined[i]!) ?? []), i]);
  });
  const truthKeyOf = (members: number[]) => members.join(',');
  const truthSets = new Set([...truthGroups.values()].map(truthKeyOf));
  let correctLines = 0;
  let correctGroups = 0;
  for (const members of minedGroups.values()) {
    if (truthSets.has(truthKeyOf(members))) {
      correctGroups += 1;
      correctLines += members.length;
    }
  }
  const precision = correctGroups / minedGroups.size;
  const recall = correctGroups / truthGroups.size;
  const fga = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const pa = lines.filter((line, i) => normaliseTemplate(line.template) === normaliseTemplate(minedTemplates[i]!)).length / lines.length;
  return { ga: correctLines / lines.length, fga, pa };
}

/** Loghub-2.0's PA comparison: collapse runs of <*> and whitespace. */
function normaliseTemplate(template: string): string {
  return template.replace(/(<\*>\s*)+<\*>/g, '<*>').replace(/\s+/g, ' ').trim();
}
