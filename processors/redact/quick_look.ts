// The first look at a text, in one pass over its bytes: can it hold anything a recogniser or the default key
// rules would find? Most log records cannot, and the full scan (one large regular expression) costs several
// times this; a regular expression for the first look cost as much as the scan itself, hence hand-written,
// over bytes with a table of character classes — a record read from protobuf is looked at whole (body,
// attributes, ids and framing: a random byte can only cause a false yes) without decoding anything.
// It must never say no where a recogniser could match (a false yes only costs the full scan). What each clause
// stands for:
//   '@' between a name and a   emails (a bare '@' is also a byte of a double, in attributes' bytes)
//   domain with a dot
//   '://'                       passwords in URLs
//   '+' then a digit            international phone numbers
//   a chain of digits           cards, IBANs' digits, SSNs, North-American phones, IPv4 — joined by single
//                               '-', '.', '/', '(', ')' (9 digits or more), or also by spaces (13 or more:
//                               cards and spaced IBANs; a date and a time make 10), or with 3 dots (IPv4)
//   hex groups and colons       IPv6 ('::', or 5 colons in a run), MACs (5 ':' or '-' between hex pairs)
//   a word starting with        pass, pwd, secret, token, cookie, bearer, credential, authorization, and
//   (any case)                  api / access / private + key, session + id, auth + token (a '_', '-' or '.'
//                               between, or none) — secrets by name, in text or as keys
//   a word starting with        eyJ (JWTs), AKIA / ASIA / AIza (cloud keys), xox (Slack), gh?_ / github_pat
//   (this case)                 (GitHub), sk_ / pk_ / rk_ / whsec_ (Stripe), two capitals and two digits (IBANs)
/** Keys whose values are secrets by name, whatever they look like (the `redact` processor's default deny list; the words above find them). */
export const DEFAULT_BLOCKED_KEYS = ['passw(or)?d', 'pwd', 'secret', 'token', 'authorization', 'cookie', 'api[_.-]?key', 'credential', 'private[_.-]?key', 'session[_.-]?id'];

const KEYWORDS: ReadonlyArray<{ head: string; tail?: string }> = [
  { head: 'pass' },
  { head: 'pwd' },
  { head: 'secret' },
  { head: 'token' },
  { head: 'cookie' },
  { head: 'bearer' },
  { head: 'credential' },
  { head: 'authorization' },
  { head: 'api', tail: 'key' },
  { head: 'access', tail: 'key' },
  { head: 'private', tail: 'key' },
  { head: 'session', tail: 'id' },
  { head: 'auth', tail: 'token' },
];
const PREFIX_WORDS = ['eyJ', 'AKIA', 'ASIA', 'AIza', 'xox', 'github_pat', 'sk_', 'pk_', 'rk_', 'whsec_'];

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
// Keywords by their first letter (lower case); case-sensitive prefixes by their first byte.
const BY_FIRST: Array<Array<{ head: Uint8Array; tail: Uint8Array | undefined }> | undefined> = new Array(256).fill(undefined);
for (const k of KEYWORDS) (BY_FIRST[k.head.charCodeAt(0)] ??= []).push({ head: bytesOf(k.head), tail: k.tail === undefined ? undefined : bytesOf(k.tail) });
const PREFIXES: Array<Uint8Array[] | undefined> = new Array(256).fill(undefined);
for (const p of PREFIX_WORDS) (PREFIXES[p.charCodeAt(0)] ??= []).push(bytesOf(p));

// Character classes, as bits.
const DIGIT = 1;
const UPPER = 2;
const LOWER = 4;
const HEX = 8;
const JOINER = 16; // '-', '.', '/', '(', ')', ' ': what joins the digits of a card, a phone, an address
const NAME = 32; // what an email's name may end in
const CLASS = new Uint8Array(256);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | HEX | NAME;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER | NAME | (c <= 70 ? HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = LOWER | NAME | (c <= 102 ? HEX : 0);
for (const c of [45, 46, 47, 40, 41, 32]) CLASS[c]! |= JOINER;
for (const c of [46, 95, 37, 43, 45]) CLASS[c]! |= NAME;
const LETTER = UPPER | LOWER;
// A word's first two bytes worth a closer look: folded, a keyword's; exact, a prefix's ('gh' for gh?_). Most
// words start otherwise, and cost two table lookups.
const FOLDED_PAIRS = new Uint8Array(65536);
for (const k of KEYWORDS) FOLDED_PAIRS[(k.head.charCodeAt(0) << 8) | k.head.charCodeAt(1)] = 1;
const EXACT_PAIRS = new Uint8Array(65536);
for (const p of [...PREFIX_WORDS, 'gh']) EXACT_PAIRS[(p.charCodeAt(0) << 8) | p.charCodeAt(1)] = 1;

function foldedAt(bytes: Uint8Array, at: number, end: number, word: Uint8Array): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if ((bytes[at + k]! | 0x20) !== word[k]) return false;
  return true;
}

function exactAt(bytes: Uint8Array, at: number, end: number, word: Uint8Array): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return false;
  return true;
}

function keywordAt(bytes: Uint8Array, at: number, end: number, k: { head: Uint8Array; tail: Uint8Array | undefined }): boolean {
  if (!foldedAt(bytes, at, end, k.head)) return false;
  if (k.tail === undefined) return true;
  let next = at + k.head.length;
  const c = bytes[next];
  if (c === 95 || c === 45 || c === 46) next += 1;
  return foldedAt(bytes, next, end, k.tail);
}

/** After an '@': a domain — letters, digits, '-' and '.', with a '.' followed by a letter. */
function emailDomainAt(bytes: Uint8Array, at: number, end: number): boolean {
  if (at >= end || !(CLASS[bytes[at]!]! & (LETTER | DIGIT))) return false;
  for (let i = at + 1; i + 1 < end; i++) {
    const c = bytes[i]!;
    if (c === 46) {
      if (CLASS[bytes[i + 1]!]! & LETTER) return true;
    } else if (!(CLASS[c]! & (LETTER | DIGIT)) && c !== 45) return false;
  }
  return false;
}

/** The first look over `bytes[from, to)`. */
export function quickLookBytes(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  let chainDigits = 0; // digits in the current chain
  let spaced = false; // the chain was joined by a space somewhere
  let dots = 0;
  let joinerLast = false; // the last byte was a joiner inside a chain
  let colonRun = 0; // colons in the current run of hex groups and colons
  let dashPairs = 0; // '-' between hex pairs in a run (MACs written with dashes)
  let hexLen = 0; // length of the current hex group
  let prev = 0;
  let prevClass = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    const cls = CLASS[c]!;
    // Inside a word, past its first letter that is no hex digit, a letter starts and continues nothing: the
    // common case, made short (the word's start was looked at; a hex group cannot have such a letter).
    if (cls & LETTER && prevClass & LETTER && hexLen === 0) {
      prev = c;
      continue;
    }
    if ((cls & (LOWER | HEX)) === LOWER && prevClass & LETTER) {
      chainDigits = 0;
      spaced = false;
      dots = 0;
      joinerLast = false;
      hexLen = 0;
      colonRun = 0;
      dashPairs = 0;
      prev = c;
      continue;
    }
    if (cls & DIGIT) {
      chainDigits += 1;
      joinerLast = false;
      if (chainDigits >= 13 || (!spaced && chainDigits >= 9) || (dots >= 3 && chainDigits >= 4)) return true;
    } else if (chainDigits > 0 && cls & JOINER && (!joinerLast || (c === 32 && prev === 41))) {
      // ("(415) 555-2671": a space after a parenthesis joins as the parenthesis did.)
      if (c === 32 && prev !== 41) spaced = true;
      joinerLast = true;
      if (c === 46) dots += 1;
    } else if (c !== 40) {
      chainDigits = 0;
      spaced = false;
      dots = 0;
      joinerLast = false;
    }
    if (cls & HEX) {
      if (++hexLen > 4) {
        colonRun = 0;
        dashPairs = 0;
      }
    } else if (c === 58) {
      if (i + 2 < to && bytes[i + 1] === 47 && bytes[i + 2] === 47) return true;
      if (prev === 58) return true;
      if (++colonRun >= 5) return true;
      hexLen = 0;
    } else if (c === 45 && hexLen === 2) {
      if (++dashPairs >= 5) return true;
      hexLen = 0;
    } else {
      if (c !== 45) dashPairs = 0;
      colonRun = 0;
      hexLen = 0;
    }
    if (c === 64) {
      if (prevClass & NAME && emailDomainAt(bytes, i + 1, to)) return true;
    } else if (c === 43) {
      if (i + 1 < to && CLASS[bytes[i + 1]!]! & DIGIT) return true;
    } else if (cls & LETTER && !(prevClass & LETTER) && i + 1 < to) {
      // A word starts: a letter after a non-letter.
      const next = bytes[i + 1]!;
      if (FOLDED_PAIRS[((c | 0x20) << 8) | (next | 0x20)]) {
        for (const k of BY_FIRST[c | 0x20]!) if (keywordAt(bytes, i, to, k)) return true;
      }
      if (EXACT_PAIRS[(c << 8) | next]) {
        for (const p of PREFIXES[c] ?? []) if (exactAt(bytes, i, to, p)) return true;
        // gh?_ (GitHub)
        if (c === 103 && i + 3 < to && bytes[i + 3] === 95) return true;
      }
      // Two capitals and two digits: an IBAN's start.
      if (cls & UPPER && i + 3 < to && CLASS[next]! & UPPER && CLASS[bytes[i + 2]!]! & DIGIT && CLASS[bytes[i + 3]!]! & DIGIT) return true;
    }
    prev = c;
    prevClass = cls;
  }
  return false;
}

// A string is looked at as its latin1 bytes, written into one reused buffer (what is not ASCII cannot start
// anything a recogniser finds; it can only cause a false yes).
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/** The first look at a string. */
export function quickLookText(text: string): boolean {
  if (text.length > SCRATCH.length) return quickLookBytes(Buffer.from(text, 'latin1'));
  return quickLookBytes(SCRATCH, 0, SCRATCH.write(text, 0, 'latin1'));
}
