// The online template miner. Each body is masked into tokens (masking.ts); tokens are matched against the
// templates already seen with the same number of tokens. A body that differs from its closest template in
// one word is not merged at once: two words in the same place are more often two events ("Accepted" /
// "Failed") than a variable, so the word becomes <*> only once `variableAfter` distinct words were seen
// there; until then each stands as a sibling pattern, and siblings fold into the generalised template when
// the evidence arrives. Bodies differing in several words at once are generalised straight away, as Drain
// does. Identical masked bodies skip matching through a cache, so repeated traffic is a hash lookup.
//
// Every pattern's id is a hash of service and template (with runs of <*> collapsed, so a variable spanning
// a different number of words is the same pattern); when a template generalises or a sibling folds in, the
// retired ids resolve to the standing one.
import { createHash } from 'node:crypto';
import { WILDCARD, createMasker, type Masker, type MaskName } from './masking.js';

export interface MinerOptions {
  /** Share of the positions holding a word on either side that must agree for a body to join a template. */
  similarity: number;
  /** Distinct words seen at one position before it becomes a variable. */
  variableAfter: number;
  maxPatternsPerService: number;
  masks?: readonly MaskName[];
}

// One global setting for every log style (chosen on Loghub-2k: GA is flat for similarity 0.65–0.75).
export const DEFAULT_MINER_OPTIONS: MinerOptions = { similarity: 0.7, variableAfter: 3, maxPatternsPerService: 10_000 };

export class Pattern {
  tokens: string[];
  id: string;
  count = 0;
  firstSeen = 0;
  lastSeen = 0;
  /** Set when this pattern was folded into another. */
  mergedInto: Pattern | undefined;
  /** For a constant position, the sibling patterns that differ from this one only there, by their word. */
  readonly siblings = new Map<number, Map<string, Pattern>>();

  constructor(
    readonly service: string,
    tokens: string[],
    readonly example: string,
  ) {
    this.tokens = tokens;
    this.id = patternId(service, collapse(tokens));
  }

  /** Runs of <*> collapse to one, so a variable spanning a different number of words is the same pattern. */
  get template(): string {
    return collapse(this.tokens);
  }

  /** The pattern standing for this one now (itself unless folded into another). */
  get current(): Pattern {
    let p: Pattern = this;
    while (p.mergedInto) p = p.mergedInto;
    return p;
  }
}

function collapse(tokens: readonly string[]): string {
  const out: string[] = [];
  for (const t of tokens) if (!(t === WILDCARD && out[out.length - 1] === WILDCARD)) out.push(t);
  return out.join(' ');
}

export function patternId(service: string, template: string): string {
  return createHash('sha256').update(service).update('\u0000').update(template).digest('hex').slice(0, 16);
}

/**
 * Share of the positions holding a word on either side where both hold the same word. Positions that are
 * <*> on both sides say nothing about whether two bodies are the same event.
 */
function similarity(template: readonly string[], tokens: readonly string[]): number {
  let words = 0;
  let equal = 0;
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const b = tokens[i]!;
    if (t === WILDCARD && b === WILDCARD) continue;
    words += 1;
    if (t === b) equal += 1;
  }
  return words === 0 ? 1 : equal / words;
}

interface ServiceState {
  byLength: Map<number, Pattern[]>;
  exact: Map<string, Pattern>;
}

export class TemplateMiner {
  readonly #masker: Masker;
  readonly #services = new Map<string, ServiceState>();
  /** Retired id → the id that replaced it (generalisation or fold). */
  readonly #aliases = new Map<string, string>();

  constructor(private readonly options: MinerOptions = DEFAULT_MINER_OPTIONS) {
    this.#masker = createMasker(options.masks);
  }

  #state(service: string): ServiceState {
    let state = this.#services.get(service);
    if (!state) this.#services.set(service, (state = { byLength: new Map(), exact: new Map() }));
    return state;
  }

  add(service: string, body: string, now = 0): Pattern {
    const key = this.#masker.masked(body);
    const state = this.#state(service);
    let pattern = state.exact.get(key)?.current;
    if (!pattern) {
      pattern = this.#match(state, service, key.length === 0 ? [] : key.split(' '), body);
      state.exact.set(key, pattern);
    }
    pattern.count += 1;
    if (pattern.count === 1) pattern.firstSeen = now;
    pattern.lastSeen = now;
    return pattern;
  }

  #match(state: ServiceState, service: string, tokens: string[], body: string): Pattern {
    const bucket = state.byLength.get(tokens.length) ?? [];
    state.byLength.set(tokens.length, bucket);
    let best: Pattern | undefined;
    let bestScore = -1;
    for (const candidate of bucket) {
      const s = similarity(candidate.tokens, tokens);
      if (s > bestScore) {
        best = candidate;
        bestScore = s;
      }
    }
    if (!best || bestScore < this.options.similarity) return this.#create(bucket, service, tokens, body);

    const differing: number[] = [];
    for (let i = 0; i < tokens.length; i++) if (best.tokens[i] !== WILDCARD && best.tokens[i] !== tokens[i]) differing.push(i);
    if (differing.length === 0) return best;
    if (differing.length > 1) {
      this.#generalise(best, differing);
      return best;
    }

    const position = differing[0]!;
    const word = tokens[position]!;
    const siblings = best.siblings.get(position) ?? new Map<string, Pattern>();
    best.siblings.set(position, siblings);
    const known = siblings.get(word);
    if (known) return known.current;
    if (siblings.size + 2 < this.options.variableAfter) {
      const sibling = this.#create(bucket, service, tokens, body);
      siblings.set(word, sibling);
      return sibling;
    }
    // Enough distinct words at this position: it is a variable. Siblings fold into the generalised template.
    this.#generalise(best, [position]);
    for (const sibling of siblings.values()) this.#fold(bucket, sibling, best);
    best.siblings.delete(position);
    return best;
  }

  #create(bucket: Pattern[], service: string, tokens: string[], body: string): Pattern {
    const pattern = new Pattern(service, tokens, body);
    bucket.push(pattern);
    return pattern;
  }

  #generalise(pattern: Pattern, positions: readonly number[]): void {
    const oldId = pattern.id;
    for (const p of positions) pattern.tokens[p] = WILDCARD;
    pattern.id = patternId(pattern.service, pattern.template);
    if (pattern.id !== oldId) this.#aliases.set(oldId, pattern.id);
  }

  #fold(bucket: Pattern[], from: Pattern, into: Pattern): void {
    if (from === into || from.mergedInto) return;
    from.mergedInto = into;
    into.count += from.count;
    into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
    if (from.id !== into.id) this.#aliases.set(from.id, into.id);
    const at = bucket.indexOf(from);
    if (at >= 0) bucket.splice(at, 1);
  }

  /** The id that stands now for an id handed out earlier. */
  resolve(id: string): string {
    let current = id;
    for (let next = this.#aliases.get(current); next !== undefined; next = this.#aliases.get(current)) current = next;
    return current;
  }
}
