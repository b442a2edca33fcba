// Redaction of one value: text is scanned once by the recognisers (recognisers.ts) and each confirmed match
// replaced as its action says — `mask` (a typed placeholder, `<email>`), `hash` (`<email:…>`, a keyed
// HMAC-SHA256 cut to 16 hex digits, so equal values still correlate and nobody without the key can test a
// guess), or `drop` (removed). Text that is JSON (an object or array in a string) is parsed and walked, then
// written back. Structured values are walked: a key on the deny list (or, with an allow list, any key not on
// it) has its whole value replaced, whatever it looks like. Counts per recogniser say what was found.
import { createHmac } from 'node:crypto';
import { confirmed, matchedRecogniser, recogniserPattern, type Recogniser } from './recognisers.js';
import { DEFAULT_BLOCKED_KEYS, quickLookBytes, quickLookText } from './quick_look.js';

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

export type Counts = Map<Recogniser | 'key', number>;

/** The shape of a JSON value as walked (a parsed body, an attribute converted to plain JS). */
export type Plain = string | number | boolean | bigint | null | Uint8Array | Plain[] | { [key: string]: Plain };

const MAX_DEPTH = 32;
/** Distinct keys remembered; past it the memory starts again (keys repeat: it fills again at once). */
const MAX_KEY_VERDICTS = 10_000;

function sameBytes(key: Buffer, buf: Buffer, from: number, to: number): boolean {
  if (key.length !== to - from) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== buf[from + i]) return false;
  return true;
}

export class Redactor {
  readonly #pattern: RegExp;
  readonly #blocked: RegExp | undefined;
  /** Key patterns beyond the defaults the first look knows (a user's own): looked for as well. */
  readonly #extraKeys: RegExp | undefined;
  /** Whether a key is blocked, by a hash of its bytes: keys repeat, so each is judged once. */
  readonly #keyVerdicts = new Map<number, { key: Buffer; blocked: boolean }>();

  constructor(private readonly options: RedactorOptions) {
    this.#pattern = recogniserPattern(options.recognisers);
    const extra = options.blockedKeys.filter((k) => !DEFAULT_BLOCKED_KEYS.includes(k));
    this.#extraKeys = extra.length > 0 ? new RegExp(extra.map((k) => `(?:${k})`).join('|'), 'i') : undefined;
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

  /**
   * The first look at a record read from protobuf, without decoding its attributes: its body, each
   * attribute's value in its bytes, and each key (judged once per distinct key, then remembered).
   */
  arrivedMayContain(body: unknown, attributes: { buf: Buffer; keys: readonly number[]; end: number }): boolean {
    if (this.options.allowedKeys !== undefined || this.options.firstLook === false) return true;
    if (typeof body === 'string') {
      if (this.#looksWorthScanning(body)) return true;
    } else if (typeof body === 'number' || typeof body === 'bigint') {
      if (String(body).length >= 13) return true;
    } else if (body !== null && body !== undefined) {
      return true;
    }
    const { buf, keys, end } = attributes;
    for (let i = 0; i < keys.length; i += 3) {
      if (this.#keyBlockedAt(buf, keys[i]!, keys[i + 1]!)) return true;
      const valueAt = keys[i + 2]!;
      if (valueAt >= 0 && quickLookBytes(buf, valueAt, i + 3 < keys.length ? keys[i + 3]! : end)) return true;
    }
    return false;
  }

  #keyBlockedAt(buf: Buffer, from: number, to: number): boolean {
    // A hash of the key's bytes finds its verdict; the bytes are compared, so a collision cannot pass a key.
    let hash = 0x811c9dc5;
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const known = this.#keyVerdicts.get(hash);
    if (known && sameBytes(known.key, buf, from, to)) return known.blocked;
    const key = Buffer.from(buf.subarray(from, to));
    const blocked = this.keyBlocked(key.toString('utf8'));
    if (this.#keyVerdicts.size >= MAX_KEY_VERDICTS) this.#keyVerdicts.clear();
    this.#keyVerdicts.set(hash, { key, blocked });
    return blocked;
  }

  #looksWorthScanning(text: string): boolean {
    return this.options.firstLook === false || quickLookText(text) || (this.#extraKeys !== undefined && this.#extraKeys.test(text));
  }

  /** A text with every confirmed match replaced; `counts` gains what was found. Returns the same string when nothing was. */
  text(text: string, counts: Counts, depth = 0): string {
    if (!this.#looksWorthScanning(text)) return text;
    const trimmed = text.trimStart();
    if ((trimmed[0] === '{' || trimmed[0] === '[') && depth < MAX_DEPTH) {
      const walked = this.#jsonText(text, counts, depth);
      if (walked !== undefined) return walked;
    }
    this.#pattern.lastIndex = 0;
    return text.replace(this.#pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const offset = args[args.length - (typeof args[args.length - 1] === 'object' ? 3 : 2)] as number;
      const found = matchedRecogniser(args as Array<string | undefined>);
      if (!found) return match;
      const secret = match.slice(found.keep.length);
      if (!confirmed(found.name, secret, text.slice(Math.max(0, offset - 16), offset))) return match;
      counts.set(found.name, (counts.get(found.name) ?? 0) + 1);
      return found.keep + this.#replacement(found.name, secret);
    });
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
    // A card number written as a JSON number is still a card number.
    if ((typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint') {
      const digits = value.toString();
      if (this.options.recognisers.has('card') && digits.length >= 13 && confirmed('card', digits, '')) {
        counts.set('card', (counts.get('card') ?? 0) + 1);
        return this.#replacement('card', digits);
      }
      return value;
    }
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || depth >= MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => this.plain(v, counts, depth + 1));
    const out: { [key: string]: Plain } = {};
    for (const [key, v] of Object.entries(value)) {
      if (this.keyBlocked(key)) {
        const replaced = this.blockedValue(v, counts);
        if (replaced !== undefined) out[key] = replaced;
        continue;
      }
      out[key] = this.plain(v, counts, depth + 1);
    }
    return out;
  }

  #jsonText(text: string, counts: Counts, depth: number): string | undefined {
    let parsed: Plain;
    try {
      parsed = JSON.parse(text) as Plain;
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const before = counts.size === 0 ? 0 : [...counts.values()].reduce((a, b) => a + b, 0);
    const walked = this.plain(parsed, counts, depth + 1);
    const after = [...counts.values()].reduce((a, b) => a + b, 0);
    // Unchanged JSON stays as it came (its spacing and key order).
    return after === before ? text : JSON.stringify(walked);
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
