// Tokenising and masking a log body before mining: variables that can be recognised on sight (numbers,
// hex, UUIDs, IPs with ports, timestamps, paths, URLs, emails, durations, sizes, key=value values) become
// <*>, so the miner only has to discover the variables that look like words. Masking works inside tokens:
// `lock=42,flg=0x1` keeps its keys and punctuation and becomes `lock=<*>,flg=<*>`.

export const WILDCARD = '<*>';

export type MaskName = 'url' | 'email' | 'uuid' | 'ip' | 'timestamp' | 'path' | 'hex' | 'duration' | 'size' | 'number' | 'keyvalue';
export const ALL_MASKS: readonly MaskName[] = ['url', 'email', 'uuid', 'ip', 'timestamp', 'path', 'hex', 'duration', 'size', 'number', 'keyvalue'];

// Whole-token patterns (a token is a whitespace-separated word), tried before splitting the token.
const TOKEN_PATTERNS: Partial<Record<MaskName, RegExp>> = {
  url: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i,
  email: /^[\w.+-]+@[\w-]+(\.[\w-]+)+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  ip: /^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[?[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\]?(:\d{1,5})?)$/i,
  timestamp: /^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}:\d{2}:\d{2}([.,]\d+)?)$/,
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
// A quoted value after `=` may contain spaces: it is masked whole before the body is split into tokens.
const QUOTED_VALUE = /([\w.\-]=)("[^"]*"|'[^']*')/g;
// key=value and key:value (the key an identifier) keep the key and mask the value.
const KEY_VALUE = /^([A-Za-z_][\w.\-]*[=:])([^=:].*)$/;

export interface Masker {
  /** The body's tokens with recognised variables replaced by <*>. */
  tokens(body: string): string[];
}

export function createMasker(enabled: readonly MaskName[] = ALL_MASKS): Masker {
  const tokenPatterns = ALL_MASKS.filter((n) => enabled.includes(n) && TOKEN_PATTERNS[n]).map((n) => TOKEN_PATTERNS[n]!);
  const piecePatterns = ALL_MASKS.filter((n) => enabled.includes(n) && PIECE_PATTERNS[n]).map((n) => PIECE_PATTERNS[n]!);
  const keyValue = enabled.includes('keyvalue');

  const maskPieces = (text: string): string =>
    text.replace(PIECE, (piece) => {
      for (const pattern of piecePatterns) if (pattern.test(piece)) return WILDCARD;
      return piece;
    });

  const maskToken = (token: string): string => {
    for (const pattern of tokenPatterns) if (pattern.test(token)) return WILDCARD;
    const stripped = token.replace(/^[("'[{<]+|[)"'\]}>,;.!?]+$/g, '');
    if (stripped !== token && stripped.length > 0) {
      for (const pattern of tokenPatterns) if (pattern.test(stripped)) return token.replace(stripped, WILDCARD);
    }
    if (keyValue) {
      const kv = KEY_VALUE.exec(token);
      // Values of key=value pairs are variables; a trailing comma or bracket stays.
      if (kv && !kv[2]!.startsWith('//')) return `${kv[1]}${WILDCARD}${/[,;)\]}]+$/.exec(kv[2]!)?.[0] ?? ''}`;
    }
    return maskPieces(token);
  };

  return {
    tokens(body) {
      const text = keyValue ? body.replace(QUOTED_VALUE, `$1${WILDCARD}`) : body;
      const out: string[] = [];
      for (const token of text.split(/\s+/)) if (token.length > 0) out.push(maskToken(token));
      return out;
    },
  };
}
