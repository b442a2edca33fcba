// The online template miner. Each body is masked into tokens (masking.ts: recognised variables become <*>,
// a run of them one <*>); tokens are matched against the templates already seen with the same number of
// tokens, and a body that matches none there may join a narrower template whose <*>s take its extra word.
// A body that differs from its closest template in one word is not merged at once: two words in the same
// place are more often two events ("Accepted" / "Failed", GET / POST) than a variable, so the word becomes
// <*> only once the position's words look like values (position_rule.ts); until then each stands as a
// sibling pattern, and siblings fold into the generalised template when the evidence arrives. Bodies
// differing in several words at once are generalised straight away, as Drain does. Identical masked bodies
// skip matching through a cache, so repeated traffic is a hash lookup.
//
// Every pattern's id is a hash of service and template (runs of <*> collapsed, so the same message with a
// variable of another width is the same pattern). Retired ids resolve to the standing one through aliases
// that can never form a cycle (see #retire), and the catalog saves only what changed since its last flush,
// so neither the data path nor the flush grows with the history the miner has seen.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { LRUCache } from 'lru-cache';
import { WILDCARD, createMasker, holdsForShape, shapeKey, type Masker, type MaskName } from './masking.js';
import { isVariablePosition, namesEvent } from './position_rule.js';

export interface MinerOptions {
  /** Share of the positions holding a word on either side that must agree for a body to join a template. */
  similarity: number;
  /** Distinct words seen at one position before it may become a variable. */
  variableAfter: number;
  maxPatternsPerService: number;
  masks?: readonly MaskName[];
}

// One global setting for every log style, chosen on Loghub-2k (leave-one-system-out prefers similarity 0.75,
// within 0.001 GA of this; bench:patterns reports both).
export const DEFAULT_MINER_OPTIONS: MinerOptions = { similarity: 0.7, variableAfter: 3, maxPatternsPerService: 10_000 };

export class Pattern {
  tokens: string[];
  id: string;
  template: string;
  count = 0;
  firstSeen = 0;
  lastSeen = 0;
  /** Set when this pattern was folded into another. */
  mergedInto: Pattern | undefined;
  /** Set when the pattern was dropped to keep the service under its pattern limit. */
  evicted = false;
  /** A tick of the miner's clock, for least-recently-used eviction. */
  lastUsed = 0;
  /** Whether the catalog has yet to save this pattern's latest state. */
  dirty = false;
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

  /** After `tokens` changed: the template and the id follow. */
  refresh(): void {
    this.template = collapse(this.tokens);
    this.id = patternId(this.service, this.template);
  }

  /** The pattern standing for this one now (itself unless folded into another). */
  get current(): Pattern {
    let p: Pattern = this;
    while (p.mergedInto) p = p.mergedInto;
    // Shortcut the chain, so a pattern folded many times over is one hop from where it stands.
    if (this.mergedInto && this.mergedInto !== p) this.mergedInto = p;
    return p;
  }
}

// A pure-JS hash rather than node:crypto: the JavaScript SDK bundles this miner for browsers too, and an id
// is hashed only when a pattern is made or generalises, never per record.
export function patternId(service: string, template: string): string {
  return bytesToHex(sha256(utf8ToBytes(`${service}\u0000${template}`))).slice(0, 16);
}

/**
 * The template: tokens with runs of <*> collapsed, so a variable spanning a different number of words is the
 * same pattern (masking collapses the runs it makes; generalising a word beside a <*> makes one).
 */
function collapse(tokens: readonly string[]): string {
  const out: string[] = [];
  for (const t of tokens) if (!(t === WILDCARD && out[out.length - 1] === WILDCARD)) out.push(t);
  return out.join(' ');
}

/**
 * The index of the one token of `wider` (one longer than `tokens`) whose removal leaves `tokens`, when that
 * token stands next to a <*>; -1 when there is none.
 */
function extraWordBesideWildcard(wider: readonly string[], tokens: readonly string[]): number {
  let k = 0;
  while (k < tokens.length && wider[k] === tokens[k]) k++;
  // wider[k] is the first disagreement: everything after it must agree shifted by one.
  for (let i = k; i < tokens.length; i++) if (wider[i + 1] !== tokens[i]) return -1;
  return wider[k - 1] === WILDCARD || wider[k + 1] === WILDCARD ? k : -1;
}

// Punctuation a variable may stand inside: brackets, quotes, and what ends a clause.
const ENCLOSING = new Set(['(', ')', '[', ']', '{', '}', "'", '"', ',', ';', ':', '.', '!', '?']);

/**
 * The variable that takes the place of two different words at one position: <*> within the enclosing
 * punctuation both share at their edges, so `'SOFTWARE'` and `'SYSTEM'` make `'<*>'`, `(<*>)` and `()`
 * make `(<*>)`, and `10.0.0.1,` and `LOCAL(0),` make `<*>,`.
 */
export function bracketedVariable(a: string, b: string): string {
  const room = Math.min(a.length, b.length);
  let head = 0;
  while (head < room && a[head] === b[head] && ENCLOSING.has(a[head]!)) head++;
  let tail = 0;
  while (tail < room - head && a[a.length - 1 - tail] === b[b.length - 1 - tail] && ENCLOSING.has(a[a.length - 1 - tail]!)) tail++;
  return head === 0 && tail === 0 ? WILDCARD : `${a.slice(0, head)}${WILDCARD}${a.slice(a.length - tail)}`;
}

/** `key=` against `key=value` (either way round): a field present on one side, empty on the other. */
function emptiedField(a: string, b: string): boolean {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length > 1 && short.endsWith('=') && long.startsWith(short);
}

/** Whether a word fits a bracketed variable (`'<*>'` takes `'SYSTEM'`, `(<*>)` takes `()`). */
function fitsBracketed(template: string, word: string): boolean {
  const at = template.indexOf(WILDCARD);
  if (at < 0 || template.length === WILDCARD.length) return false;
  const tail = template.length - at - WILDCARD.length;
  if (word.length < at + tail || template.indexOf(WILDCARD, at + 1) >= 0) return false;
  for (let i = 0; i < at; i++) if (template[i] !== word[i] || !ENCLOSING.has(template[i]!)) return false;
  for (let i = 1; i <= tail; i++) if (template[template.length - i] !== word[word.length - i] || !ENCLOSING.has(template[template.length - i]!)) return false;
  return true;
}

/** Glob matching over tokens: a <*> takes one token or more, a word only itself (iterative, no backtracking blow-up). */
export function globMatches(template: readonly string[], tokens: readonly string[]): boolean {
  let t = 0;
  let b = 0;
  let starT = -1;
  let starB = -1;
  while (b < tokens.length) {
    if (t < template.length && template[t] === WILDCARD) {
      // The <*> takes this token; remember where, to give it more if what follows fails.
      starT = t++;
      starB = ++b;
    } else if (t < template.length && template[t] === tokens[b]) {
      t++;
      b++;
    } else if (starT >= 0) {
      t = starT + 1;
      b = ++starB;
    } else {
      return false;
    }
  }
  return t === template.length;
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
 * The patterns of one token count, indexed by their first token and by their last, as Drain's tree is by the
 * first: a body is compared with the patterns that share either edge word with it, and with those whose
 * edge is <*>. Two edges, because a program or host name as the first word must not hide the template.
 */
class LengthBucket {
  all: Pattern[] = [];
  readonly #byFirst = new Map<string, Pattern[]>();
  readonly #byLast = new Map<string, Pattern[]>();

  add(pattern: Pattern): void {
    this.all.push(pattern);
    push(this.#byFirst, pattern.tokens[0] ?? WILDCARD, pattern);
    push(this.#byLast, pattern.tokens[pattern.tokens.length - 1] ?? WILDCARD, pattern);
  }

  remove(pattern: Pattern, first = pattern.tokens[0] ?? WILDCARD, last = pattern.tokens[pattern.tokens.length - 1] ?? WILDCARD): void {
    removeFrom(this.all, pattern);
    pull(this.#byFirst, first, pattern);
    pull(this.#byLast, last, pattern);
  }

  /** Removes many at once (an eviction): one pass over each list, not one per pattern. */
  removeAll(victims: ReadonlySet<Pattern>): void {
    this.all = this.all.filter((p) => !victims.has(p));
    for (const [index, edge] of [[this.#byFirst, 0], [this.#byLast, -1]] as const) {
      for (const key of new Set([...victims].map((p) => p.tokens.at(edge) ?? WILDCARD))) {
        const list = index.get(key);
        if (!list) continue;
        const kept = list.filter((p) => !victims.has(p));
        if (kept.length === 0) index.delete(key);
        else if (kept.length !== list.length) index.set(key, kept);
      }
    }
  }

  /** Re-files a pattern whose edge tokens just changed. */
  refile(pattern: Pattern, oldFirst: string, oldLast: string): void {
    this.remove(pattern, oldFirst, oldLast);
    this.add(pattern);
  }

  candidates(first: string | undefined, last: string | undefined): Pattern[][] {
    if (first === undefined || first === WILDCARD || last === undefined || last === WILDCARD) return [this.all];
    return [this.#byFirst.get(first) ?? [], this.#byFirst.get(WILDCARD) ?? [], this.#byLast.get(last) ?? [], this.#byLast.get(WILDCARD) ?? []];
  }
}

function push(index: Map<string, Pattern[]>, key: string, pattern: Pattern): void {
  const list = index.get(key);
  if (list) list.push(pattern);
  else index.set(key, [pattern]);
}

function pull(index: Map<string, Pattern[]>, key: string, pattern: Pattern): void {
  const list = index.get(key);
  if (!list) return;
  removeFrom(list, pattern);
  if (list.length === 0) index.delete(key);
}

function removeFrom(list: Pattern[], pattern: Pattern): void {
  const at = list.indexOf(pattern);
  if (at >= 0) list.splice(at, 1);
}

interface ServiceState {
  byLength: Map<number, LengthBucket>;
  /** The live patterns holding each id: one per width a variable spans (same template once collapsed). */
  byId: Map<string, Pattern[]>;
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
// A narrower template takes a body with at most one word more than its own (see #covers); with runs of <*>
// collapsed that body is at most two tokens wider (the word and a <*> beside it).
const MAX_EXTRA_TOKENS = 2;
// Aliases are kept acyclic, so chains end; this bounds a walk even if a saved catalog held a cycle.
const MAX_ALIAS_HOPS = 32;

export interface MinerEvents {
  /** A pattern was dropped to stay under maxPatternsPerService. */
  evicted?(pattern: Pattern): void;
}

/** What changed since the catalog last took it: patterns whose state is unsaved, and ids retired meanwhile. */
export interface CatalogChanges {
  patterns: Pattern[];
  aliases: Array<[string, string]>;
}

export class TemplateMiner {
  readonly #masker: Masker;
  readonly #services = new Map<string, ServiceState>();
  /** Retired id → the id that replaced it (generalisation or fold). Bounded; never holds a cycle. */
  readonly #aliases: LRUCache<string, string>;
  /** Patterns and retired ids the catalog has not saved yet (see takeChanges). */
  #dirty: Pattern[] = [];
  #retiredSinceTaken = new Set<string>();
  #dirtyCap: number;
  #tick = 0;
  #lastService: string | undefined;
  #lastState: ServiceState | undefined;

  constructor(
    private readonly options: MinerOptions = DEFAULT_MINER_OPTIONS,
    private readonly events: MinerEvents = {},
  ) {
    this.#masker = createMasker(options.masks);
    this.#aliases = new LRUCache({ max: Math.max(1000, options.maxPatternsPerService * 4) });
    this.#dirtyCap = 4 * options.maxPatternsPerService;
  }

  #state(service: string): ServiceState {
    // Records come in runs of one service (a batch is per resource): the last one answers most lookups.
    if (service === this.#lastService && this.#lastState) return this.#lastState;
    let state = this.#services.get(service);
    if (!state) this.#services.set(service, (state = { byLength: new Map(), byId: new Map(), exact: new Map(), byShape: new Map(), live: new Set() }));
    this.#lastService = service;
    this.#lastState = state;
    return state;
  }

  #evictLeastRecent(state: ServiceState): void {
    const victims = [...state.live].sort((a, b) => a.lastUsed - b.lastUsed).slice(0, Math.max(1, Math.ceil(state.live.size * EVICT_SHARE)));
    const byLength = new Map<number, Set<Pattern>>();
    for (const pattern of victims) {
      pattern.evicted = true;
      state.live.delete(pattern);
      pull(state.byId, pattern.id, pattern);
      const same = byLength.get(pattern.tokens.length);
      if (same) same.add(pattern);
      else byLength.set(pattern.tokens.length, new Set([pattern]));
      this.events.evicted?.(pattern);
    }
    for (const [length, gone] of byLength) state.byLength.get(length)?.removeAll(gone);
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
    if (!pattern.dirty) this.#markDirty(pattern);
    return pattern;
  }

  #markDirty(pattern: Pattern): void {
    pattern.dirty = true;
    this.#dirty.push(pattern);
    // Nobody may be taking changes (no catalog): evicted and folded patterns leave, so the list stays within
    // the live patterns' number.
    if (this.#dirty.length > this.#dirtyCap) {
      this.#dirty = this.#dirty.filter((p) => !p.evicted && !p.mergedInto);
      this.#dirtyCap = Math.max(this.#dirtyCap, 2 * this.#dirty.length);
    }
  }

  #match(state: ServiceState, service: string, tokens: string[], body: string): Pattern {
    const bucket = this.#bucket(state, tokens.length);
    let best: Pattern | undefined;
    let bestScore = -1;
    for (const list of bucket.candidates(tokens[0], tokens[tokens.length - 1])) {
      for (const candidate of list) {
        const s = similarity(candidate.tokens, tokens);
        if (s > bestScore) {
          best = candidate;
          bestScore = s;
        }
      }
    }
    if (!best || bestScore < this.options.similarity) return this.#widerMatch(state, tokens) ?? this.#narrowerMatch(state, tokens) ?? this.#create(state, bucket, service, tokens, body);

    const differing: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = best.tokens[i]!;
      if (t !== WILDCARD && t !== tokens[i] && !fitsBracketed(t, tokens[i]!)) differing.push(i);
    }
    if (differing.length === 0) return best;
    if (differing.length > 1) {
      // Several words differ, one of them naming the event on both sides (GET / POST): another event.
      // Or a field that has a value on one side and is empty on the other (`rhost=<*>` / `rhost=`): another event.
      if (differing.some((i) => (namesEvent(best.tokens[i]!) && namesEvent(tokens[i]!)) || emptiedField(best.tokens[i]!, tokens[i]!))) return this.#create(state, bucket, service, tokens, body);
      return this.#generalise(state, bucket, best, differing, tokens);
    }

    const position = differing[0]!;
    const word = tokens[position]!;
    const siblings = best.siblings.get(position) ?? new Map<string, Pattern>();
    best.siblings.set(position, siblings);
    const known = siblings.get(word)?.current;
    if (known && !known.evicted && known !== best) return known;
    const words = new Set<string>([best.tokens[position]!]);
    for (const [w, sibling] of siblings) if (!sibling.mergedInto && !sibling.evicted) words.add(w);
    if (!isVariablePosition(words, word, this.options.variableAfter)) {
      const sibling = this.#create(state, bucket, service, tokens, body);
      siblings.set(word, sibling);
      return sibling;
    }
    // The position is a variable. Siblings fold into the generalised template.
    const standing = this.#generalise(state, bucket, best, [position], tokens);
    for (const sibling of siblings.values()) this.#fold(state, sibling.current, standing);
    best.siblings.delete(position);
    return standing;
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
    push(state.byId, pattern.id, pattern);
    this.#stand(pattern.id);
    pattern.lastUsed = ++this.#tick;
    if (state.live.size > this.options.maxPatternsPerService) this.#evictLeastRecent(state);
    return pattern;
  }

  /**
   * Makes positions of a pattern variables — <*>, or <*> inside the brackets, quotes and trailing punctuation
   * the pattern's word and the body's share there (`'<*>'`, `<*>,`) — and returns the pattern that stands for
   * it after (another, if it folded).
   */
  #generalise(state: ServiceState, bucket: LengthBucket, pattern: Pattern, positions: readonly number[], body?: readonly string[]): Pattern {
    const oldId = pattern.id;
    const oldFirst = pattern.tokens[0]!;
    const oldLast = pattern.tokens[pattern.tokens.length - 1]!;
    for (const p of positions) pattern.tokens[p] = body ? bracketedVariable(pattern.tokens[p]!, body[p]!) : WILDCARD;
    pattern.refresh();
    if (pattern.tokens[0] !== oldFirst || pattern.tokens[pattern.tokens.length - 1] !== oldLast) bucket.refile(pattern, oldFirst, oldLast);
    if (pattern.id === oldId) return pattern;
    pull(state.byId, oldId, pattern);
    // The same tokens may already stand in this width: one pattern for them.
    const twin = state.byId.get(pattern.id)?.find((q) => q.tokens.length === pattern.tokens.length && q.tokens.every((t, i) => t === pattern.tokens[i]));
    push(state.byId, pattern.id, pattern);
    this.#stand(pattern.id);
    this.#retireIfUnheld(state, oldId, pattern.id);
    if (twin) {
      this.#fold(state, pattern, twin);
      return twin;
    }
    if (!pattern.dirty) this.#markDirty(pattern);
    return pattern;
  }

  /**
   * A template one word wider than the body, whose extra word stands next to a <*> with everything else
   * equal (`lifetime <*> sec` for `lifetime <*>`, where 00:01:02 took the place of `<1 sec`): the word was
   * part of the variable, so the template generalises it and takes the body's id.
   */
  #narrowerMatch(state: ServiceState, tokens: readonly string[]): Pattern | undefined {
    const bucket = state.byLength.get(tokens.length + 1);
    if (!bucket) return undefined;
    let constants = 0;
    for (const t of tokens) if (t !== WILDCARD) constants++;
    if (constants < 2 || constants < this.options.similarity * (constants + 1)) return undefined;
    for (const list of bucket.candidates(tokens[0], tokens[tokens.length - 1])) {
      for (const candidate of list) {
        const extra = extraWordBesideWildcard(candidate.tokens, tokens);
        if (extra >= 0 && !namesEvent(candidate.tokens[extra]!)) return this.#generalise(state, bucket, candidate, [extra]);
      }
    }
    return undefined;
  }

  /** The template covering a body of more words: one whose <*>s can take the extra words (see #match). */
  #widerMatch(state: ServiceState, tokens: readonly string[]): Pattern | undefined {
    for (let width = tokens.length - 1; width >= 1 && width >= tokens.length - MAX_EXTRA_TOKENS; width--) {
      const bucket = state.byLength.get(width);
      if (!bucket) continue;
      for (const list of bucket.candidates(tokens[0], tokens[tokens.length - 1])) {
        for (const candidate of list) if (this.#covers(candidate.tokens, tokens)) return candidate;
      }
    }
    return undefined;
  }

  /**
   * Whether a template covers tokens of more words, each <*> taking one token or more. Across widths the
   * <*>s may take one word of the body besides variables (a bare host where others had an address), and the
   * same similarity as within a width must hold: `for <*>` must not swallow `for invalid user <*>`.
   */
  #covers(template: readonly string[], tokens: readonly string[]): boolean {
    let constants = 0;
    for (const t of template) if (t !== WILDCARD) constants++;
    let words = 0;
    for (const t of tokens) if (t !== WILDCARD) words++;
    if (constants === template.length || constants < 2 || words - constants > 1 || constants < this.options.similarity * words) return false;
    return globMatches(template, tokens);
  }

  #fold(state: ServiceState, from: Pattern, into: Pattern): void {
    if (from === into || from.mergedInto || from.evicted) return;
    state.live.delete(from);
    pull(state.byId, from.id, from);
    from.mergedInto = into;
    into.count += from.count;
    into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
    this.#retireIfUnheld(state, from.id, into.id);
    this.#bucket(state, from.tokens.length).remove(from);
    if (!into.dirty) this.#markDirty(into);
  }

  /** `from` retires into `to` unless another width of its template still holds it. */
  #retireIfUnheld(state: ServiceState, from: string, to: string): void {
    if (!state.byId.has(from)) this.#retire(from, to);
  }

  /**
   * `from` no longer stands; `to` does. The alias graph stays acyclic: an edge is only ever drawn to an id
   * that stands at that moment, and a standing id has no edge of its own (#stand removes it) — so nothing
   * leads out of `to`, and the new edge closes no loop. Edges are otherwise only removed.
   */
  #retire(from: string, to: string): void {
    if (from === to) return;
    this.#aliases.delete(to);
    this.#aliases.set(from, to);
    this.#retiredSinceTaken.add(from);
    // Likewise bounded by the aliases kept: an id the cache let go is no longer there to be saved.
    if (this.#retiredSinceTaken.size > 2 * this.#aliases.max) {
      for (const id of this.#retiredSinceTaken) if (!this.#aliases.has(id)) this.#retiredSinceTaken.delete(id);
    }
  }

  /** An id that stands again (a template seen anew after it generalised away) is no longer an alias. */
  #stand(id: string): void {
    if (this.#aliases.delete(id)) this.#retiredSinceTaken.delete(id);
  }

  /** Re-creates one width of a catalog pattern (at start), so known templates match at once. */
  restore(service: string, shape: string, stats: { count: number; firstSeen: number; lastSeen: number; example: string }): Pattern {
    const state = this.#state(service);
    const tokens = shape.length === 0 ? [] : shape.split(' ');
    const pattern = this.#create(state, this.#bucket(state, tokens.length), service, tokens, stats.example);
    pattern.count = stats.count;
    pattern.firstSeen = stats.firstSeen;
    pattern.lastSeen = stats.lastSeen;
    return pattern;
  }

  /** The live patterns holding an id (one per width its template spans). */
  holders(service: string, id: string): readonly Pattern[] {
    return this.#services.get(service)?.byId.get(id) ?? [];
  }

  /** Every live pattern of every service (several may share an id when a variable spans different widths). */
  *patterns(): IterableIterator<Pattern> {
    for (const state of this.#services.values()) yield* state.live.keys();
  }

  /**
   * What the catalog must save: the live patterns whose counts moved and the ids retired since the last
   * call, each with the id standing for it now. Costs what changed, not what the miner has seen.
   */
  takeChanges(): CatalogChanges {
    const patterns = this.#dirty.filter((p) => !p.evicted && !p.mergedInto);
    for (const p of this.#dirty) p.dirty = false;
    this.#dirty = [];
    const aliases: Array<[string, string]> = [];
    for (const from of this.#retiredSinceTaken) {
      const to = this.resolve(from);
      if (to !== from) aliases.push([from, to]);
    }
    this.#retiredSinceTaken = new Set();
    return { patterns, aliases };
  }

  /** Changes a save could not store go back, to be taken with the next. */
  returnChanges(changes: CatalogChanges): void {
    for (const p of changes.patterns) if (!p.dirty) this.#markDirty(p);
    for (const [from] of changes.aliases) this.#retiredSinceTaken.add(from);
  }

  /** Retired id → standing id, for everything retired since the miner started (bounded). */
  aliases(): Array<[string, string]> {
    return [...this.#aliases.keys()].map((from) => [from, this.resolve(from)]);
  }

  /** The id that stands now for an id handed out earlier. */
  resolve(id: string): string {
    let current = id;
    for (let hops = 0; hops < MAX_ALIAS_HOPS; hops++) {
      const next = this.#aliases.peek(current);
      if (next === undefined || next === id) break;
      current = next;
    }
    return current;
  }
}
