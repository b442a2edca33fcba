// Redaction of one value: text is scanned once by the recognisers the first look (quick_look.ts) says could
// match in it (recognisers.ts: one expression for those; where only IPv4 can, ipv4_scan.ts by hand) and each
// confirmed match replaced as its action says — `mask` (a typed placeholder, `<email>`), `hash` (`<email:…>`, a keyed
// HMAC-SHA256 cut to 16 hex digits, so equal values still correlate and nobody without the key can test a
// guess), or `drop` (removed). Text that is JSON (an object or array in a string) is walked where it stands
// (json_walk.ts): its strings scanned, its keys judged, what changed written back in place. Structured values
// are walked: a key on the deny list (or, with an allow list, any key not on it) has its whole value
// replaced, whatever it looks like. Counts per recogniser say what was found.
import { createHmac } from 'node:crypto';
import { addressParts, nextAddress } from './ipv4_scan.js';
import { confirmed, keyContext, matchedRecogniser, type KeyContext, RECOGNISER_BIT, recogniserScan, underKeyIs, versionAt, type Recogniser, type RecogniserScan } from './recognisers.js';
import type { ArrivedBytes, LogRecordView } from '../../pipeline/batch.js';
import { position, readSpan, seek } from '../../proto/wire.js';
import { quickLookBytes, quickLookText } from './quick_look.js';
import { walkJsonText, type JsonVisitor } from './json_walk.js';

export type RedactAction = 'mask' | 'hash' | 'drop';

export interface RedactorOptions {
  recognisers: ReadonlySet<Recogniser>;
  actions: Partial<Record<Recogniser | 'key', RedactAction>>;
  defaultAction: RedactAction;
  /** Regular expressions for keys whose values are redacted whole (case-insensitive, anywhere in the key: `db_password`). */
  blockedKeys: readonly string[];
  /** When set, every key not on it (exactly) has its value redacted whole: fail closed. */
  allowedKeys: ReadonlySet<string> | undefined;
  /** Keys never touched (the pipeline's own: pattern ids, service names). */
  ignoredKeys: ReadonlySet<string>;
  hashKey: Buffer | undefined;
  /** The first look (quick_look.ts) before the full scan; off only to check that it never misses. */
  firstLook?: boolean;
}

/** In arrivedBody's answer beside the recognisers: JSON text to walk (its keys may be blocked, or its escapes hide something). */
export const JSON_TO_WALK = 1 << 30;
/** arrivedBody's answer where the body is not text (walked by its type). */
const ANY = 0x7fffffff;

export type Counts = Map<Recogniser | 'key', number>;

/** The shape of a JSON value as walked (a parsed body, an attribute converted to plain JS). */
export type Plain = string | number | boolean | bigint | null | Uint8Array | Plain[] | { [key: string]: Plain };

const MAX_DEPTH = 32;
/** Distinct keys remembered; past it the memory starts again (keys repeat: it fills again at once). */
const MAX_KEY_VERDICTS = 10_000;
/** Places in a record's attributes whose last key is remembered. */
const MAX_SLOTS = 64;
/** Expressions kept, one per set of recognisers a text may hold (few sets recur; past it they are built again). */
const MAX_SCANS = 256;
const IPV4 = RECOGNISER_BIT.ipv4;

/** A key judged: its bytes, its text, whether its value is redacted whole. */
export interface KeyVerdict {
  key: Buffer;
  /** The key's bytes four at a time (little-endian), for comparing a key in a request with it. */
  words: Int32Array;
  text: string;
  blocked: boolean;
  /** What the key says a bare value under it is (`phone`, `ssn`), where it says so. */
  context: KeyContext | undefined;
}

/** Text that may parse as a JSON object or array: '{' or '[' first and '}' or ']' last, JSON's white space
 * aside (a log line that merely starts with "[main]" is not walked as JSON only to be refused). */
function looksLikeJson(text: string): boolean {
  if (text.length < 2) return false;
  let from = 0;
  let to = text.length - 1;
  while (from < to && isJsonSpace(text.charCodeAt(from))) from++;
  while (to > from && isJsonSpace(text.charCodeAt(to))) to--;
  const first = text.charCodeAt(from);
  const last = text.charCodeAt(to);
  return from < to && ((first === 123 && last === 125) || (first === 91 && last === 93));
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export class Redactor {
  /** The recognisers switched on, as bits. */
  readonly #enabled: number;
  /** The expression for each set of recognisers asked for. */
  readonly #scans = new Map<number, RecogniserScan>();
  readonly #blocked: RegExp | undefined;
  /** Whether a key is blocked, by a hash of its bytes: keys repeat, so each is judged once. */
  readonly #keyVerdicts = new Map<number, KeyVerdict>();
  /** What each key says of the value under it (keys repeat: each is read once). */
  readonly #contexts = new Map<string, KeyContext | null>();
  /** The verdict of the key last seen at each place in a record's attributes. */
  readonly #slots: Array<KeyVerdict | undefined> = [];
  /** A view of the request whose keys are being compared (one request's records come one after another). */
  #viewOf: Buffer | undefined;
  #view: DataView | undefined;

  constructor(private readonly options: RedactorOptions) {
    this.#enabled = [...options.recognisers].reduce((bits, name) => bits | RECOGNISER_BIT[name], 0);
    this.#blocked = options.blockedKeys.length > 0 ? new RegExp(options.blockedKeys.map((k) => `(?:${k})`).join('|'), 'i') : undefined;
  }

  /** Whether a key's value is redacted whole. */
  keyBlocked(key: string): boolean {
    if (this.options.ignoredKeys.has(key)) return false;
    if (this.options.allowedKeys) return !this.options.allowedKeys.has(key);
    return this.#blocked !== undefined && this.#blocked.test(key);
  }

  keyIgnored(key: string): boolean {
    return this.options.ignoredKeys.has(key);
  }

  /** What a key says a bare value under it is (`phone`, `ssn`: recognisers.ts's keyContext), where that
   * recogniser is on. */
  keyContext(key: string): KeyContext | undefined {
    let context = this.#contexts.get(key);
    if (context === undefined) {
      const kind = keyContext(key);
      context = kind !== undefined && this.options.recognisers.has(kind) ? kind : null;
      if (this.#contexts.size >= MAX_KEY_VERDICTS) this.#contexts.clear();
      this.#contexts.set(key, context);
    }
    return context ?? undefined;
  }

  /**
   * A value under a key that says what it is: its replacement (counted) where the whole value is that — a
   * phone number's digits, an SSN's nine — or undefined.
   */
  underKey(context: KeyContext, value: string | number | bigint, counts: Counts): string | undefined {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) return undefined;
    const text = typeof value === 'string' ? value : value.toString();
    if (!underKeyIs(context, text)) return undefined;
    counts.set(context, (counts.get(context) ?? 0) + 1);
    return this.#replacement(context, text);
  }

  /**
   * The first look at the body of a record read from protobuf, in its bytes where it arrived as a lone string
   * (its text, not decoded): the recognisers that could match in it (RECOGNISER_BIT, those switched on), with
   * JSON_TO_WALK where it is JSON to walk (#jsonWorthWalking); 0 where nothing can be found. The scan (`text`)
   * is given the recognisers, so the text is not looked at twice.
   */
  arrivedBody(record: LogRecordView, arrived: ArrivedBytes): number {
    if (this.options.allowedKeys !== undefined || this.options.firstLook === false) return ANY;
    if (arrived.bodyFrom >= 0) return this.#bytesLook(arrived.buf, arrived.bodyFrom, arrived.bodyTo);
    const body = record.body;
    if (typeof body === 'string') return this.#textLook(body);
    if (typeof body === 'number' || typeof body === 'bigint') return String(body).length >= 13 ? ANY : 0;
    return body === null || body === undefined || body instanceof Uint8Array ? 0 : ANY;
  }

  /**
   * The first look at the `index`th attribute of a record read from protobuf (ArrivedBytes.keys), in its
   * bytes: its key (judged once, then remembered: keys repeat) and its value by its type (a string's text; a
   * number only where it is long enough to be a card number; lists and maps always). Answers as arrivedBody
   * does: 0 where nothing can be found, else what could be (a blocked key or a value that is no lone string:
   * anything). The processor decodes only the attributes that need it, and gives the scan what the look found.
   */
  arrivedAttribute(arrived: ArrivedBytes, index: number): number {
    if (this.options.allowedKeys !== undefined || this.options.firstLook === false) return ANY;
    const { buf, keys } = arrived;
    const i = index * 3;
    // (A value under a key that says what it is is looked at whole, whatever its type.)
    if (this.#keyFlaggedAt(buf, keys[i]!, keys[i + 1]!, index)) return ANY;
    const valueAt = keys[i + 2]!;
    return valueAt < 0 ? 0 : this.#valueLook(buf, valueAt, i + 3 < keys.length ? keys[i + 3]! : arrived.attrTo);
  }

  /**
   * The key of the `index`th attribute as arrivedAttribute last judged it (its text and verdict, so neither is
   * made again), or undefined where it was not judged (an allow list, past the places remembered).
   */
  arrivedKey(arrived: ArrivedBytes, index: number): KeyVerdict | undefined {
    const verdict = index < MAX_SLOTS ? this.#slots[index] : undefined;
    // (The place's last key is this one's only if it was judged just now: compared, to be sure.)
    return verdict !== undefined && this.#sameKey(verdict, arrived.buf, arrived.keys[index * 3]!, arrived.keys[index * 3 + 1]!) ? verdict : undefined;
  }

  /** An attribute's value in its bytes (an AnyValue, its length first; checked when it arrived). */
  #valueLook(buf: Buffer, valueAt: number, limit: number): number {
    // Lengths under 128 take one byte: read here (most values); longer ones by the wire reader.
    let from: number;
    let to: number;
    if (buf[valueAt]! < 0x80) {
      from = valueAt + 1;
      to = from + buf[valueAt]!;
    } else {
      seek(valueAt);
      from = readSpan(buf, limit);
      to = position();
    }
    if (from === to) return 0;
    // Each case holds only where the value is that one field (anything else is decoded and walked).
    switch (buf[from]) {
      case 0x0a: {
        // string
        if (buf[from + 1]! < 0x80) return from + 2 + buf[from + 1]! !== to ? ANY : this.#bytesLook(buf, from + 2, to);
        seek(from + 1);
        const text = readSpan(buf, to);
        return position() !== to ? ANY : this.#bytesLook(buf, text, to);
      }
      case 0x10: // bool
        return to - from !== 2 ? ANY : 0;
      case 0x18: {
        // int: a card number has 13 digits or more (|v| ≥ 1e11 with a sign), which takes 6 varint bytes or
        // more; a varint filling the rest of the value alone has its last byte alone under 0x80.
        if (to - from - 1 >= 6) return ANY;
        for (let k = from + 1; k < to - 1; k++) if (buf[k]! < 0x80) return ANY;
        return buf[to - 1]! >= 0x80 ? ANY : 0;
      }
      case 0x21: {
        // double: one holding a whole number long enough to be a card number
        if (to - from !== 9) return ANY;
        const v = buf.readDoubleLE(from + 1);
        return Number.isInteger(v) && Math.abs(v) >= 1e11 ? ANY : 0;
      }
      case 0x3a: // bytes: no recogniser reads them
        seek(from + 1);
        readSpan(buf, to);
        return position() !== to ? ANY : 0;
      default:
        return ANY;
    }
  }

  /** Whether the key at [from, to) is blocked, or says what its value is. */
  #keyFlaggedAt(buf: Buffer, from: number, to: number, slot: number): boolean {
    // The key at the same place in the record before is most often this one: compared first, four bytes at
    // a time.
    const previous = slot < MAX_SLOTS ? this.#slots[slot] : undefined;
    if (previous !== undefined && this.#sameKey(previous, buf, from, to)) return previous.blocked || previous.context !== undefined;
    // A hash of the key's bytes finds its verdict; the bytes are compared, so a collision cannot pass a key.
    let hash = 0x811c9dc5;
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    let verdict = this.#keyVerdicts.get(hash);
    if (verdict === undefined || !this.#sameKey(verdict, buf, from, to)) {
      const key = Buffer.from(buf.subarray(from, to));
      const words = new Int32Array(key.length >> 2);
      for (let k = 0; k < words.length; k++) words[k] = key.readInt32LE(k * 4);
      const text = key.toString('utf8');
      verdict = { key, words, text, blocked: this.keyBlocked(text), context: this.keyContext(text) };
      if (this.#keyVerdicts.size >= MAX_KEY_VERDICTS) this.#keyVerdicts.clear();
      this.#keyVerdicts.set(hash, verdict);
    }
    if (slot < MAX_SLOTS) this.#slots[slot] = verdict;
    return verdict.blocked || verdict.context !== undefined;
  }

  /** Lets go of the last request's bytes (held for comparing keys while its records are looked at). */
  releaseRequest(): void {
    this.#viewOf = undefined;
    this.#view = undefined;
  }

  #sameKey(known: KeyVerdict, buf: Buffer, from: number, to: number): boolean {
    const length = to - from;
    if (known.key.length !== length) return false;
    if (buf !== this.#viewOf) {
      this.#viewOf = buf;
      this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const view = this.#view!;
    const words = known.words;
    let i = 0;
    for (; i + 4 <= length; i += 4) if (view.getInt32(from + i, true) !== words[i >> 2]) return false;
    for (; i < length; i++) if (buf[from + i] !== known.key[i]) return false;
    return true;
  }

  /** Text in bytes (UTF-8): the recognisers that could match in it, and JSON_TO_WALK where it is JSON to walk. */
  #bytesLook(buf: Buffer, from: number, to: number): number {
    const mayMatch = quickLookBytes(buf, from, to, true) & this.#enabled;
    // JSON is walked and its keys judged: a blocked word inside a key ("dbPassword") starts no word, and an
    // escape may hide what a string holds. What may be JSON starts with '{' or '[' after JSON's white space.
    const c = buf[from]!;
    if (c === 123 || c === 91 || c === 32 || c === 10 || c === 13 || c === 9) {
      let first = from;
      while (first < to && (buf[first] === 32 || buf[first] === 10 || buf[first] === 13 || buf[first] === 9)) first++;
      const d = buf[first];
      if ((d === 123 || d === 91) && this.#jsonWorthWalking(buf.toString('utf8', from, to))) return mayMatch | JSON_TO_WALK;
    }
    return mayMatch;
  }

  /** The same for a string. */
  #textLook(text: string): number {
    const mayMatch = quickLookText(text, true) & this.#enabled;
    return this.#mayBeJsonToWalk(text) ? mayMatch | JSON_TO_WALK : mayMatch;
  }

  #mayBeJsonToWalk(text: string): boolean {
    const c = text.charCodeAt(0);
    return (c === 123 || c === 91 || isJsonSpace(c)) && this.#jsonWorthWalking(text);
  }

  /**
   * Text the scan would walk as JSON (an object or an array after any white space): may a key be blocked, or
   * an escape hide from the look what its decoded strings hold (`ann@example\u002ecom`, `postgres:\/\/app:…@`)?
   */
  #jsonWorthWalking(text: string): boolean {
    if (!looksLikeJson(text)) return false;
    return this.options.allowedKeys !== undefined || text.includes('\\') || (this.#blocked !== undefined && this.#blocked.test(text));
  }

  /**
   * A text with every confirmed match replaced; `counts` gains what was found. Returns the same string when
   * nothing was. `mayMatch`: the recognisers the first look found possible in it, where it was looked at already.
   */
  text(text: string, counts: Counts, depth = 0, mayMatch = this.options.firstLook === false ? this.#enabled : quickLookText(text, true)): string {
    // Only those switched on (a caller that did not look may say "any").
    mayMatch &= this.#enabled;
    if (mayMatch === 0 && this.options.firstLook !== false && !this.#mayBeJsonToWalk(text)) return text;
    if (depth < MAX_DEPTH && looksLikeJson(text)) {
      const walked = this.#jsonText(text, counts, depth);
      if (walked !== undefined) return walked;
    }
    if (mayMatch === 0) return text;
    if (mayMatch === IPV4) return this.#addresses(text, counts);
    // Match by match (a replace with a callback costs several times this loop: its arguments are built per match).
    const scan = this.#scanFor(mayMatch);
    const pattern = scan.pattern;
    pattern.lastIndex = 0;
    let out = '';
    let last = 0;
    let replaced = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const match = m[0];
      const offset = m.index;
      // (No recogniser matches nothing; were one to, the scan must still move on.)
      if (match.length === 0) {
        pattern.lastIndex += 1;
        continue;
      }
      const found = matchedRecogniser(scan, m);
      if (!found) continue;
      const secret = match.slice(found.keep.length);
      if (!confirmed(found.name, secret, text, offset)) continue;
      counts.set(found.name, (counts.get(found.name) ?? 0) + 1);
      out += text.slice(last, offset) + found.keep + this.#replacement(found.name, secret);
      last = offset + match.length;
      replaced += 1;
    }
    return replaced === 0 ? text : out + text.slice(last);
  }

  /** Text where IPv4 addresses are all the recognisers could find (ipv4_scan.ts: by hand, as the scan would). */
  #addresses(text: string, counts: Counts): string {
    let out = '';
    let last = 0;
    let found = 0;
    for (let at = nextAddress(text, 0); at >= 0; ) {
      const from = Math.floor(at / 16);
      const to = from + (at % 16);
      if (addressParts(text, from, to) && !versionAt(text, from)) {
        out += text.slice(last, from) + this.#replacement('ipv4', text.slice(from, to));
        last = to;
        found += 1;
      }
      at = nextAddress(text, to);
    }
    if (found === 0) return text;
    counts.set('ipv4', (counts.get('ipv4') ?? 0) + found);
    return out + text.slice(last);
  }

  #scanFor(recognisers: number): RecogniserScan {
    let scan = this.#scans.get(recognisers);
    if (scan === undefined) {
      if (this.#scans.size >= MAX_SCANS) this.#scans.clear();
      scan = recogniserScan(recognisers);
      this.#scans.set(recognisers, scan);
    }
    return scan;
  }

  /** A value under a blocked key: replaced whole (counted as `key`). */
  blockedValue(value: Plain, counts: Counts): Plain | undefined {
    counts.set('key', (counts.get('key') ?? 0) + 1);
    const action = this.options.actions.key ?? this.options.defaultAction;
    if (action === 'drop') return undefined;
    const text = typeof value === 'string' ? value : JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return action === 'hash' ? this.#hashed('key', text ?? '') : '<redacted>';
  }

  /** A structured value walked: strings redacted, blocked keys' values replaced, the rest kept. */
  plain(value: Plain, counts: Counts, depth = 0): Plain {
    if (typeof value === 'string') return this.text(value, counts, depth);
    if (typeof value === 'number' || typeof value === 'bigint') return this.cardNumber(value, counts) ?? value;
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || depth >= MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => this.plain(v, counts, depth + 1));
    const out: { [key: string]: Plain } = {};
    for (const [key, v] of Object.entries(value)) {
      if (this.keyBlocked(key)) {
        const replaced = this.blockedValue(v, counts);
        if (replaced !== undefined) out[key] = replaced;
        continue;
      }
      const context = typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? this.keyContext(key) : undefined;
      out[key] = (context !== undefined ? this.underKey(context, v as string | number | bigint, counts) : undefined) ?? this.plain(v, counts, depth + 1);
    }
    return out;
  }

  /** A number that is a card number (a whole number passing the card check): its replacement, counted. */
  cardNumber(value: number | bigint, counts: Counts): string | undefined {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) return undefined;
    const digits = value.toString();
    if (!this.options.recognisers.has('card') || digits.length < 13 || !confirmed('card', digits, digits, 0)) return undefined;
    counts.set('card', (counts.get('card') ?? 0) + 1);
    return this.#replacement('card', digits);
  }

  /** JSON text walked where it stands (json_walk.ts): undefined where it is not JSON. */
  #jsonText(text: string, counts: Counts, depth: number): string | undefined {
    return walkJsonText(text, new JsonRedaction(this, counts, depth + 1));
  }

  #replacement(name: Recogniser, secret: string): string {
    const action = this.options.actions[name] ?? this.options.defaultAction;
    if (action === 'drop') return '';
    return action === 'hash' ? this.#hashed(name, secret) : `<${name}>`;
  }

  #hashed(name: string, secret: string): string {
    // Without a key, hashing would let anyone confirm a guessed value: refused at config time.
    return `<${name}:${createHmac('sha256', this.options.hashKey!).update(secret).digest('hex').slice(0, 16)}>`;
  }
}

/** What the JSON walk asks, answered by a redactor for one text (its counts, how deep in JSON-in-strings). */
class JsonRedaction implements JsonVisitor {
  constructor(
    private readonly redactor: Redactor,
    private readonly counts: Counts,
    private readonly depth: number,
  ) {}

  keyBlocked(key: string): boolean {
    return this.redactor.keyBlocked(key);
  }

  keyTells(key: string): boolean {
    return this.redactor.keyContext(key) !== undefined;
  }

  string(value: string, key: string | undefined): string {
    const context = key === undefined ? undefined : this.redactor.keyContext(key);
    return (context !== undefined ? this.redactor.underKey(context, value, this.counts) : undefined) ?? this.redactor.text(value, this.counts, this.depth);
  }

  number(token: string, key: string | undefined): string | undefined {
    const context = key === undefined ? undefined : this.redactor.keyContext(key);
    // (Digits as JSON writes them: a token with a fraction or an exponent is no phone number or SSN.)
    const replaced = (context !== undefined && /^\d+$/.test(token) ? this.redactor.underKey(context, token, this.counts) : undefined) ?? this.redactor.cardNumber(Number(token), this.counts);
    return replaced === undefined ? undefined : JSON.stringify(replaced);
  }

  blocked(valueText: string): string | undefined {
    const replaced = this.redactor.blockedValue(JSON.parse(valueText) as Plain, this.counts);
    return replaced === undefined ? undefined : JSON.stringify(replaced);
  }
}
