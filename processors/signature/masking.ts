// Tokenising and masking a log body before mining: variables that can be recognised on sight (numbers,
// hex, UUIDs, IPs with ports, timestamps, paths, URLs, emails, durations, sizes, key=value values) become
// <*>, so the miner only has to discover the variables that look like words. Masking works inside tokens:
// `lock=42,flg=0x1` keeps its keys and punctuation and becomes `lock=<*>,flg=<*>`.
import { HTTP_METHODS, PROTOCOL_VERSION, isEventKeyValue } from './event_words.js';

export const WILDCARD = '<*>';

export type MaskName = 'url' | 'email' | 'uuid' | 'ip' | 'timestamp' | 'path' | 'hex' | 'duration' | 'size' | 'number' | 'keyvalue' | 'host' | 'version' | 'quoted' | 'list' | 'literal';
export const ALL_MASKS: readonly MaskName[] = ['url', 'email', 'uuid', 'ip', 'timestamp', 'path', 'hex', 'duration', 'size', 'number', 'keyvalue', 'host', 'version', 'quoted', 'list', 'literal'];

// Whole-token patterns (a token is a whitespace-separated word), tried before splitting the token.
const TOKEN_PATTERNS: Partial<Record<MaskName, RegExp>> = {
  url: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i,
  email: /^[\w.+-]+@[\w-]+(\.[\w-]+)+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  // Java's InetSocketAddress prints `/10.0.0.1:50010` or `host/10.0.0.1:50010`: one address, name included.
  ip: /^(([a-z0-9.-]*\/)?\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[?[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\]?(:\d{1,5})?)$/i,
  timestamp: /^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,3}:\d{2}(:\d{2})?([.,]\d+)?)$/,
  path: /^(~|\.{1,2})?(\/[^\s/]*){2,}$|^[a-z]:\\/i,
};

// Patterns for the pieces of a token between punctuation.
const PIECE_PATTERNS: Partial<Record<MaskName, RegExp>> = {
  hex: /^(0x[0-9a-f]+|[0-9a-f]{12,})$/i,
  duration: /^\d+(\.\d+)?(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs)$/i,
  size: /^\d+(\.\d+)?([kmgtp]i?b|b|bytes?)$/i,
  // Any piece with a digit is a variable: counters, ids, versions, identifiers like blk_-123 or user42.
  number: /\d/,
  // Day and month names are parts of written-out timestamps (Sat Jun 18 04:07:03 2005).
  timestamp: /^(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$/i,
};

// Pieces are runs of these characters; everything else is punctuation kept in the template.
const PIECE = /[A-Za-z0-9_-]+/g;
// A quoted value after `=` may contain spaces: it is masked whole before the body is split into tokens —
// unless its key names the event (`msg="user logged in"` and `msg="payment declined"` are two events).
const QUOTED_VALUE = /([\w.\-]+)=("[^"]*"|'[^']*')/g;
// A size's conversion in brackets after it is part of the same value: `1,234 bytes (1.2 KB)` is `<size> bytes`.
const SIZE_CONVERSION = /(\d\s*(?:bytes?|[KMGTP]i?B|B))\s*\(\s*[\d.,]+\s*(?:bytes?|[KMGTP]i?B|B)\s*\)/gi;
// A bracketed list (`[a, b, c]`) is one value however many items it holds. These two match any bracketed
// or quoted span and decide in the callback: a pattern that looked for the comma or the space itself
// backtracks quadratically through an unclosed bracket or quote (a 40 kB body took 0.7 s).
const BRACKETED = /\[([^[\]]*)\]/g;
// A quoted phrase in free text is one value — except an HTTP request line, which names its event.
const QUOTED_PHRASE = /(^|[\s(\[])"([^"]*)"/g;
const SPACE = /\s/;
// A host name with a domain (or with a port) is one value: `proxy.example.org:5070` as well as `db-1:5432`.
// Labels may be upper case (MININT-7X.corp.example.com); the top-level domain may not, which keeps Java class
// names (org.apache.hadoop.mapreduce.JobEventType) words.
const HOST = /^(?=[^:]*[a-z])[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[a-z]{2,}(:\d{1,5})?$|^[a-z][\w.-]*:\d{1,5}$/;
// Host names are at most 253 characters (and versions far less): longer tokens are not tried, which also
// bounds what the two patterns' backtracking can cost.
const MAX_HOST = 253;
// A version of any shape (1.2.3, 1.2.3-4ubuntu5, 2:1.18.4-1+deb10u1, v2.0.1-rc1) is one value.
const VERSION = /^v?\d+(\.\d+)+([-+~:.][\w.+~-]*)?$|^\d+:\d[\w.+~-]*$/;
// key=value and key:value (the key an identifier) keep the key and mask the value.
const KEY_VALUE = /^([A-Za-z_][\w.\-]*[=:])([^=:].*)$/;

const WHITESPACE = /\s+/;
const HAS_DIGIT = /\d/;

/**
 * A 53-bit key for the body's shape (every digit counted as 0), computed in one pass without building the
 * shape: two independent 32-bit FNV-style hashes, 32 + 21 bits of them kept. Like pattern ids (64-bit hashes),
 * it treats a collision as impossible — with 50k shapes per service, about 1 in 10^11 per lookup.
 */
export function shapeKey(body: string): number {
  let a = 0x811c9dc5;
  let b = 0x12345679;
  for (let i = 0; i < body.length; i++) {
    let c = body.charCodeAt(i);
    if (c >= 48 && c <= 57) c = 48;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return (a >>> 0) * 0x200000 + ((b ^ body.length) & 0x1fffff);
}

/**
 * Whether a masked form holds for every body of its shape: true when it kept no digit, since bodies of one
 * shape take the same masking decisions and differ only in digits, which then were all masked away.
 */
export function holdsForShape(masked: string): boolean {
  return !HAS_DIGIT.test(masked);
}
// The commonest variable by far: a bare number, perhaps signed, with decimals, in brackets or before a comma.
// A comparison before it (`<1 sec`) and thousands separators (`1,234,567`) belong to the number.
const PLAIN_NUMBER = /^[([]?[<>~]?[-+]?\d+([.,]\d+)*[)\],;:.]?$/;
const NUMBER_CORE = /[<>~]?[-+]?\d+([.,]\d+)*/;
const DAYS_AND_MONTHS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']);

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A word whose letters (punctuation around them ignored) are a three-letter day or month name. */
function isDayOrMonth(token: string): boolean {
  let start = 0;
  let end = token.length;
  while (start < end && !isLetter(token.charCodeAt(start))) start++;
  while (end > start && !isLetter(token.charCodeAt(end - 1))) end--;
  return end - start === 3 && DAYS_AND_MONTHS.has(token.slice(start, end).toLowerCase());
}
const ONE_PIECE = /^[A-Za-z0-9_-]+$/;
// A boolean or null literal, alone or as a call's argument, with the punctuation around it kept.
const LITERAL = /(^[("'[{]*|\()(?:true|false|null)(?=[)"'\]},;.]*$)/i;

/** Whether the last letter of a token is one a literal ends with (e of true/false, l of null): a cheap pre-check. */
function endsLikeLiteral(token: string): boolean {
  let end = token.length - 1;
  while (end > 0 && !isLetter(token.charCodeAt(end))) end--;
  const c = token.charCodeAt(end) | 32;
  return c === 101 || c === 108;
}
const EDGE_PUNCTUATION = /^[("'[{<]+|[)"'\]}>,;.!?]+$/g;
const TRAILING_CLOSERS = /[,;)\]}]+$/;
const TRAILING_QUOTE = /"$/;

export interface Masker {
  /** The body's tokens with recognised variables replaced by <*>. */
  tokens(body: string): string[];
  /** The same tokens joined by single spaces (the miner's cache key). */
  masked(body: string): string;
}

// What one scan of a token finds; it decides which patterns can possibly match.
const DIGIT = 1;
const SLASH = 2; // '/' or '\\'
const AT = 4;
const COLON = 8;
const EQUALS = 16;
const DOT = 32;
const DASH = 64;

function scan(token: string): number {
  let flags = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) flags |= DIGIT;
    else if (c === 47 || c === 92) flags |= SLASH;
    else if (c === 64) flags |= AT;
    else if (c === 58) flags |= COLON;
    else if (c === 61) flags |= EQUALS;
    else if (c === 46) flags |= DOT;
    else if (c === 45) flags |= DASH;
  }
  return flags;
}

/** Which whole-token masks could match a token with these flags (the rest are skipped). */
function possible(name: MaskName, flags: number, length: number): boolean {
  switch (name) {
    case 'url':
      return (flags & SLASH) !== 0 && (flags & COLON) !== 0;
    case 'email':
      return (flags & AT) !== 0;
    case 'uuid':
      return length >= 36 && (flags & DASH) !== 0;
    case 'ip':
      return (flags & (DOT | COLON)) !== 0;
    case 'timestamp':
      return (flags & DIGIT) !== 0 && (flags & (DASH | COLON)) !== 0;
    case 'path':
      return (flags & SLASH) !== 0;
    default:
      return false;
  }
}

export function createMasker(enabled: readonly MaskName[] = ALL_MASKS): Masker {
  const tokenMasks = ALL_MASKS.filter((n) => enabled.includes(n) && TOKEN_PATTERNS[n]).map((name) => ({ name, pattern: TOKEN_PATTERNS[name]! }));
  // `number` first: it is the commonest, and with it on, hex/duration/size pieces (all holding a digit) are caught.
  const pieceOrder: MaskName[] = ['number', ...ALL_MASKS.filter((n) => n !== 'number')];
  const piecePatterns = pieceOrder.filter((n) => enabled.includes(n) && PIECE_PATTERNS[n]).map((n) => PIECE_PATTERNS[n]!);
  const keyValue = enabled.includes('keyvalue');
  const maskNumbers = enabled.includes('number');
  const dayOrMonth = enabled.includes('timestamp') ? PIECE_PATTERNS.timestamp! : undefined;
  const longHex = enabled.includes('hex') ? PIECE_PATTERNS.hex! : undefined;
  const hosts = enabled.includes('host');
  const versions = enabled.includes('version');
  const quoted = enabled.includes('quoted');
  const lists = enabled.includes('list');
  const sizes = enabled.includes('size');
  const paths = enabled.includes('path');
  const literals = enabled.includes('literal');

  const maskPieces = (text: string): string =>
    text.replace(PIECE, (piece) => {
      for (const pattern of piecePatterns) if (pattern.test(piece)) return WILDCARD;
      return piece;
    });

  const wholeTokenMask = (token: string, flags: number): boolean => {
    for (const { name, pattern } of tokenMasks) if (possible(name, flags, token.length) && pattern.test(token)) return true;
    return false;
  };

  const maskToken = (token: string, flags: number): string => {
    if ((flags & (DIGIT | SLASH | AT | COLON | EQUALS)) === 0) {
      // A plain word: a variable only if it is a day or month name, or a long run of hex.
      if (dayOrMonth && token.length >= 3 && token.length <= 5 && isDayOrMonth(token)) return maskPieces(token);
      // true / false / null are values (`setLightsOn(true)`, `opt-in: False`), whatever they are beside.
      if (literals && token.length >= 4 && endsLikeLiteral(token)) {
        const literal = LITERAL.exec(token);
        if (literal) return `${token.slice(0, literal.index + literal[1]!.length)}${WILDCARD}${token.slice(literal.index + literal[0].length)}`;
      }
      if (longHex && token.length >= 12 && longHex.test(token.replace(EDGE_PUNCTUATION, ''))) return maskPieces(token);
      // Only a dot inside the word can make a host (`end.` is a word and a full stop).
      if (hosts && (flags & DOT) !== 0 && token.length <= MAX_HOST && token.indexOf('.') > 0 && token.indexOf('.') < token.length - 1) {
        const stripped = token.replace(EDGE_PUNCTUATION, '');
        if (HOST.test(stripped)) return token.replace(stripped, WILDCARD);
      }
      return token;
    }
    if (maskNumbers && (flags & ~(DIGIT | DOT | DASH | COLON)) === 0 && PLAIN_NUMBER.test(token)) return token.replace(NUMBER_CORE, WILDCARD);
    if ((flags & DIGIT) !== 0 && PROTOCOL_VERSION.test(token)) return token;
    if (wholeTokenMask(token, flags)) return WILDCARD;
    const stripped = token.replace(EDGE_PUNCTUATION, '');
    if (stripped !== token && stripped.length > 0 && wholeTokenMask(stripped, scan(stripped))) return token.replace(stripped, WILDCARD);
    if ((flags & (SLASH | AT | EQUALS)) === 0 && stripped.length > 0 && stripped.length <= MAX_HOST) {
      if (versions && (flags & DIGIT) !== 0 && VERSION.test(stripped)) return token.replace(stripped, WILDCARD);
      if (hosts && (flags & (DOT | COLON)) !== 0 && HOST.test(stripped)) return token.replace(stripped, WILDCARD);
    }
    // A single identifier-like piece with a digit (blk_-42, core3, v1-2) is a variable as a whole.
    if (maskNumbers && (flags & (SLASH | AT | COLON | EQUALS | DOT)) === 0 && ONE_PIECE.test(token)) return WILDCARD;
    if (keyValue && (flags & (EQUALS | COLON)) !== 0) {
      const kv = KEY_VALUE.exec(token);
      // Values of key=value pairs are variables; a trailing comma or bracket stays.
      if (kv && isEventKeyValue(kv[1]!.slice(0, -1), kv[2]!.replace(TRAILING_CLOSERS, ''))) return token;
      if (kv && !kv[2]!.startsWith('//')) return `${kv[1]}${WILDCARD}${TRAILING_CLOSERS.exec(kv[2]!)?.[0] ?? ''}`;
    }
    return maskPieces(token);
  };

  // No per-token cache: hashing each freshly split token costs more than the one scan that settles a plain word.

  /** A request path after an HTTP method: the route stays, ids in it and the query are variables. */
  const maskRoute = (token: string): string => {
    const query = token.indexOf('?');
    const route = query >= 0 ? token.slice(0, query) : token;
    const masked = route
      .split('/')
      .map((segment) => (HAS_DIGIT.test(segment) || (longHex !== undefined && longHex.test(segment)) ? WILDCARD : segment))
      .join('/');
    return query >= 0 ? `${masked}?${WILDCARD}` : masked;
  };

  /** Values that span several words, rewritten before the body is split (each only when it can be there). */
  const rewriteSpans = (body: string): string => {
    let text = body;
    if (keyValue && (text.includes('="') || text.includes("='"))) text = text.replace(QUOTED_VALUE, (all, key: string, value: string) => (isEventKeyValue(key, value) ? all : `${key}=${WILDCARD}`));
    if (quoted && text.includes('"')) text = text.replace(QUOTED_PHRASE, (all, before: string, inner: string) => (!SPACE.test(inner) || HTTP_METHODS.has(inner.slice(0, inner.indexOf(' '))) ? all : `${before}"${WILDCARD}"`));
    if (sizes && text.includes('(')) text = text.replace(SIZE_CONVERSION, '$1');
    if (lists && text.includes(', ') && text.includes('[')) text = text.replace(BRACKETED, (all, inner: string) => (/,\s/.test(inner) ? `[${WILDCARD}]` : all));
    return text;
  };

  const maskBody = (body: string): string => {
    const text = rewriteSpans(body);
    // Splitting on a space is much faster than on a regex (empty parts from runs of spaces are skipped below);
    // tabs and line breaks take the general path.
    const parts = text.includes('\t') || text.includes('\n') || text.includes('\r') ? text.split(WHITESPACE) : text.split(' ');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const token = parts[i]!;
      if (token.length === 0) continue;
      const afterMethod = paths && token.charCodeAt(0) === 47 && i > 0 && HTTP_METHODS.has(parts[i - 1]!.replace(EDGE_PUNCTUATION, ''));
      const masked = afterMethod ? maskRoute(token.replace(TRAILING_QUOTE, '')) + (token.endsWith('"') ? '"' : '') : maskToken(token, scan(token));
      // A run of variables is one variable: `1,234 bytes` and `0 bytes` differ in width only.
      if (masked !== WILDCARD || out[out.length - 1] !== WILDCARD) out.push(masked);
    }
    return out.join(' ');
  };

  const masked = maskBody;

  return {
    masked,
    tokens: (body) => {
      const text = masked(body);
      return text.length === 0 ? [] : text.split(' ');
    },
  };
}
