// Similar patterns, computed off the hot path from the catalog: for a pattern, its nearest neighbours in the
// same service with a similarity score; and merge suggestions for near-duplicates (what the template would
// become if the two were one).
import { WILDCARD } from './masking.js';

export interface CatalogPattern {
  service: string;
  id: string;
  template: string;
  count: number;
}

export interface Neighbour {
  id: string;
  template: string;
  similarity: number;
}

export interface MergeSuggestion {
  service: string;
  ids: [string, string];
  templates: [string, string];
  similarity: number;
  merged_template: string;
  records: number;
}

/** 2·LCS / (|a| + |b|) over tokens, where <*> matches any token. 1 for identical templates. */
export function templateSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length + b.length === 0) return 1;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1] || a[i - 1] === WILDCARD || b[j - 1] === WILDCARD;
      row[j] = same ? previous[j - 1]! + 1 : Math.max(previous[j]!, row[j - 1]!);
    }
    previous = row;
  }
  return (2 * previous[b.length]!) / (a.length + b.length);
}

const tokensOf = (template: string) => (template.length === 0 ? [] : template.split(' '));

export function nearestPatterns(catalog: readonly CatalogPattern[], id: string, limit: number): Neighbour[] {
  const target = catalog.find((p) => p.id === id);
  if (!target) return [];
  const targetTokens = tokensOf(target.template);
  return catalog
    .filter((p) => p.service === target.service && p.id !== id)
    .map((p) => ({ id: p.id, template: p.template, similarity: Number(templateSimilarity(targetTokens, tokensOf(p.template)).toFixed(4)) }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, limit);
}

/**
 * Pairs of same-length templates in one service that differ in few positions: merging them would make those
 * positions <*>. Only the same token count is compared, which keeps this near-linear per length.
 */
export function mergeSuggestions(catalog: readonly CatalogPattern[], threshold = 0.8): MergeSuggestion[] {
  const groups = new Map<string, CatalogPattern[]>();
  for (const p of catalog) {
    const key = `${p.service}\u0000${tokensOf(p.template).length}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const suggestions: MergeSuggestion[] = [];
  for (const members of groups.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const a = tokensOf(members[i]!.template);
        const b = tokensOf(members[j]!.template);
        const merged = a.map((t, k) => (t === b[k] ? t : WILDCARD));
        const kept = merged.filter((t, k) => t !== WILDCARD || a[k] === WILDCARD).length;
        const similarity = kept / a.length;
        if (similarity >= threshold && similarity < 1) {
          suggestions.push({
            service: members[i]!.service,
            ids: [members[i]!.id, members[j]!.id],
            templates: [members[i]!.template, members[j]!.template],
            similarity: Number(similarity.toFixed(4)),
            merged_template: merged.join(' '),
            records: members[i]!.count + members[j]!.count,
          });
        }
      }
    }
  }
  return suggestions.sort((x, y) => y.similarity - x.similarity || y.records - x.records);
}
