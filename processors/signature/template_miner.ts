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
import { LRUCache } from 'lru-cache';
import { WILDCARD, createMasker, holdsForShape, shapeKey, type Masker, type MaskName } from './masking.js';

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
  /** Set when the pattern was dropped to keep the service under its pattern limit. */
  evicted = false;
  /** A tick of the miner's clock, for least-recently-used eviction. */
  lastUsed = 0;
  /** For a constant position, the sibling patterns that differ from this one only there, by their word. */
  readonly siblings = new Map<number, Map<string, Pattern>>();

  constructor(
    readonly service: string,
    tokens: string[],
    readonly example: string,
  ) {
    this.tokens = tokens;
    this.template = collapse(tokens);
    this.id = patternId(service, this.template);
  }

  /** Runs of <*> collapse to one, so a variable spanning a different number of words is the same pattern. */
  template: string;

  /** After `tokens` changed: the template and the id follow. */
  refresh(): void {
    this.template = collapse(this.tokens);
    this.id = patternId(this.service, this.template);
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

/**
 * The patterns of one token count, indexed by their first token as Drain's tree is: a body is compared with
 * the patterns that start with its first word, and with those that start with <*>. A body starting with <*>
 * is compared with all.
 */
class LengthBucket {
  readonly all: Pattern[] = [];
  readonly #byFirst = new Map<string, Pattern[]>();

  add(pattern: Pattern): void {
    this.all.push(pattern);
    const first = pattern.tokens[0] ?? WILDCARD;
    const list = this.#byFirst.get(first);
    if (list) list.push(pattern);
    else this.#byFirst.set(first, [pattern]);
  }

  remove(pattern: Pattern, first = pattern.tokens[0] ?? WILDCARD): void {
    removeFrom(this.all, pattern);
    const list = this.#byFirst.get(first);
    if (list) {
      removeFrom(list, pattern);
      if (list.length === 0) this.#byFirst.delete(first);
    }
  }

  /** Re-files a pattern whose first token just became <*>. */
  refile(pattern: Pattern, oldFirst: string): void {
    this.remove(pattern, oldFirst);
    this.add(pattern);
  }

  candidates(first: string | undefined): Pattern[][] {
    if (first === undefined || first === WILDCARD) return [this.all];
    return [this.#byFirst.get(first) ?? [], this.#byFirst.get(WILDCARD) ?? []];
  }
}

function removeFrom(list: Pattern[], pattern: Pattern): void {
  const at = list.indexOf(pattern);
  if (at >= 0) list.splice(at, 1);
}

interface ServiceState {
  byLength: Map<number, LengthBucket>;
  /** Masked body → pattern, so repeated traffic skips matching. Dropped whole when full (it only saves work). */
  exact: Map<string, Pattern>;
  /**
   * Body shape (digits as 0; keyed by a 53-bit hash) → pattern, so the same message with other numbers skips even masking. Exact:
   * filled only when the masked form holds for the whole shape (see masking.ts). Dropped whole when full.
   */
  byShape: Map<number, Pattern>;
  /** Every live pattern of the service. */
  live: Set<Pattern>;
}

// Past the pattern limit the least recently used tenth is evicted at once: the sort is paid once per many
// creations instead of a recency list being updated on every line.
const EVICT_SHARE = 0.1;

export interface MinerEvents {
  /** A pattern was dropped to stay under maxPatternsPerService. */
  evicted?(pattern: Pattern): void;
}

export class TemplateMiner {
  readonly #masker: Masker;
  readonly #services = new Map<string, ServiceState>();
  /** Retired id → the id that replaced it (generalisation or fold). */
  readonly #aliases: LRUCache<string, string>;
  #tick = 0;
  #lastService: string | undefined;
  #lastState: ServiceState | undefined;

  constructor(
    private readonly options: MinerOptions = DEFAULT_MINER_OPTIONS,
    private readonly events: MinerEvents = {},
  ) {
    this.#masker = createMasker(options.masks);
    this.#aliases = new LRUCache({ max: Math.max(1000, options.maxPatternsPerService * 4) });
  }

  #state(service: string): ServiceState {
    // Records come in runs of one service (a batch is per resource): the last one answers most lookups.
    if (service === this.#lastService && this.#lastState) return this.#lastState;
    let state = this.#services.get(service);
    if (!state) this.#services.set(service, (state = { byLength: new Map(), exact: new Map(), byShape: new Map(), live: new Set() }));
    this.#lastService = service;
    this.#lastState = state;
    return state;
  }

  #evictLeastRecent(state: ServiceState): void {
    const victims = [...state.live].sort((a, b) => a.lastUsed - b.lastUsed).slice(0, Math.max(1, Math.ceil(state.live.size * EVICT_SHARE)));
    for (const pattern of victims) {
      pattern.evicted = true;
      state.live.delete(pattern);
      state.byLength.get(pattern.tokens.length)?.remove(pattern);
      this.events.evicted?.(pattern);
    }
    // Cached bodies may point at evicted patterns; add() re-matches those, so dropping the caches is only a cost.
    state.exact.clear();
    state.byShape.clear();
  }

  add(service: string, body: string, now = 0): Pattern {
    const state = this.#state(service);
    const shape = shapeKey(body);
    let pattern = state.byShape.get(shape)?.current;
    if (!pattern || pattern.evicted) {
      const key = this.#masker.masked(body);
      pattern = state.exact.get(key)?.current;
      if (!pattern || pattern.evicted) {
        pattern = this.#match(state, service, key.length === 0 ? [] : key.split(' '), body);
        if (state.exact.size >= this.options.maxPatternsPerService * 4) state.exact.clear();
        state.exact.set(key, pattern);
      }
      if (holdsForShape(key)) {
        if (state.byShape.size >= this.options.maxPatternsPerService * 4) state.byShape.clear();
        state.byShape.set(shape, pattern);
      }
    }
    pattern.lastUsed = ++this.#tick;
    pattern.count += 1;
    if (pattern.count === 1) pattern.firstSeen = now;
    pattern.lastSeen = now;
    return pattern;
  }

  #match(state: ServiceState, service: string, tokens: string[], body: string): Pattern {
    const bucket = this.#bucket(state, tokens.length);
    let best: Pattern | undefined;
    let bestScore = -1;
    for (const list of bucket.candidates(tokens[0])) {
      for (const candidate of list) {
        const s = similarity(candidate.tokens, tokens);
        if (s > bestScore) {
          best = candidate;
          bestScore = s;
        }
      }
    }
    if (!best || bestScore < this.options.similarity) return this.#create(state, bucket, service, tokens, body);

    const differing: number[] = [];
    for (let i = 0; i < tokens.length; i++) if (best.tokens[i] !== WILDCARD && best.tokens[i] !== tokens[i]) differing.push(i);
    if (differing.length === 0) return best;
    if (differing.length > 1) {
      this.#generalise(bucket, best, differing);
      return best;
    }

    const position = differing[0]!;
    const word = tokens[position]!;
    const siblings = best.siblings.get(position) ?? new Map<string, Pattern>();
    best.siblings.set(position, siblings);
    const known = siblings.get(word)?.current;
    if (known && !known.evicted) return known;
    if (siblings.size + 2 < this.options.variableAfter) {
      const sibling = this.#create(state, bucket, service, tokens, body);
      siblings.set(word, sibling);
      return sibling;
    }
    // Enough distinct words at this position: it is a variable. Siblings fold into the generalised template.
    this.#generalise(bucket, best, [position]);
    for (const sibling of siblings.values()) this.#fold(state, bucket, sibling, best);
    best.siblings.delete(position);
    return best;
  }

  #bucket(state: ServiceState, length: number): LengthBucket {
    let bucket = state.byLength.get(length);
    if (!bucket) state.byLength.set(length, (bucket = new LengthBucket()));
    return bucket;
  }

  #create(state: ServiceState, bucket: LengthBucket, service: string, tokens: string[], body: string): Pattern {
    const pattern = new Pattern(service, tokens, body);
    bucket.add(pattern);
    state.live.add(pattern);
    pattern.lastUsed = ++this.#tick;
    if (state.live.size > this.options.maxPatternsPerService) this.#evictLeastRecent(state);
    return pattern;
  }

  #generalise(bucket: LengthBucket, pattern: Pattern, positions: readonly number[]): void {
    const oldId = pattern.id;
    const oldFirst = pattern.tokens[0]!;
    for (const p of positions) pattern.tokens[p] = WILDCARD;
    if (oldFirst !== WILDCARD && pattern.tokens[0] === WILDCARD) bucket.refile(pattern, oldFirst);
    pattern.refresh();
    if (pattern.id !== oldId) this.#aliases.set(oldId, pattern.id);
  }

  #fold(state: ServiceState, bucket: LengthBucket, from: Pattern, into: Pattern): void {
    if (from === into || from.mergedInto || from.evicted) return;
    state.live.delete(from);
    from.mergedInto = into;
    into.count += from.count;
    into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
    if (from.id !== into.id) this.#aliases.set(from.id, into.id);
    bucket.remove(from);
  }

  /** Re-creates a pattern from the catalog (at start), so known templates match at once. */
  restore(service: string, template: string, stats: { count: number; firstSeen: number; lastSeen: number; example: string }): Pattern {
    const state = this.#state(service);
    const tokens = template.length === 0 ? [] : template.split(' ');
    const pattern = this.#create(state, this.#bucket(state, tokens.length), service, tokens, stats.example);
    pattern.count = stats.count;
    pattern.firstSeen = stats.firstSeen;
    pattern.lastSeen = stats.lastSeen;
    return pattern;
  }

  /** Every live pattern of every service (several may share an id when a variable spans different widths). */
  *patterns(): IterableIterator<Pattern> {
    for (const state of this.#services.values()) yield* state.live.keys();
  }

  /** Retired id → standing id, for everything retired since the miner started (bounded). */
  aliases(): Array<[string, string]> {
    return [...this.#aliases.entries()].map(([from]) => [from, this.resolve(from)]);
  }

  /** The id that stands now for an id handed out earlier. */
  resolve(id: string): string {
    let current = id;
    for (let next = this.#aliases.get(current); next !== undefined; next = this.#aliases.get(current)) current = next;
    return current;
  }
}
