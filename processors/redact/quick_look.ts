// The first look at a text, in one pass over its bytes: which recognisers could find anything in it? In most
// log records none can, and the scan (a regular expression) costs several times this; a regular expression for the first look cost as much as the scan itself, hence hand-written,
// over bytes with a table of character classes — a record read from protobuf is looked at whole (body,
// attributes, ids and framing: a random byte can only cause a false yes) without decoding anything.
// It must never leave out a recogniser that could match (a false yes only costs the scan); asked for all of
// them (`all`), it reads the whole text, and the scan then tries only those it names. What each clause stands
// for:
//   '@' (or '%40', as a URL   emails (a bare '@' is also a byte of a double, in attributes' bytes)
//   writes it) between a name
//   and a domain with a dot
//   '://'                       passwords in URLs
//   '+' then a digit            international phone numbers
//   digit groups joined by      cards (13 digits or more joined by ' ' or '-' only), IPv4 (four groups of
//   single ' ', '-', '.', '/',  1–3 digits joined by '.'), SSNs and North-American phones (groups of 3, 2
//   '(', ')'                    or 3, then 4) — wherever in the chain they start; a bare epoch time, a
//                               timestamp or a version with dots is none of them
//   hex groups and colons       IPv6 ('::', or 5 colons in a run), MACs (5 ':' or '-' between hex pairs, or
//                               Cisco's three groups of four joined by '.')
//   a word starting with        pass, pwd, secret, token, api / access / private + key, auth + token (a '_',
//   (any case)                  '-' or '.' between, or none), authorization, cookie: a secret after its name, then
//                               '=' or ':' (or '>': an XML element) — the name may end a longer one
//                               (DB_PASSWORD, or camelCase: a capital after a lower-case letter or a digit,
//                               dbPassword); bearer: a bearer token; phone, tel, mobile, msisdn, fax, ssn,
//                               social security: a bare number after such a name
//   '-----BEGIN'                a PEM private key
//   a word starting with        eyJ (JWTs), AKIA / ASIA / AIza / GOCSPX / ya29 (cloud keys), xox and hooks
//   (this case)                 (Slack's tokens and webhooks), gh?_ / github_pat (GitHub), sk_ / pk_ / rk_ /
//                               whsec_ (Stripe), two capitals and two digits (IBANs)
import { RECOGNISER_BIT } from './recognisers.js';

/** Keys whose values are secrets by name, whatever they look like (the `redact` processor's default deny list;
 * keys are judged apart from the first look, which looks for what text holds). */
export const DEFAULT_BLOCKED_KEYS = ['passw(or)?d', 'pwd', 'secret', 'token', 'authorization', 'cookie', 'api[_.-]?key', 'credential', 'private[_.-]?key', 'session[_.-]?id'];

const { password: PASSWORD, bearer: BEARER, jwt: JWT, aws_key: AWS, gcp_key: GCP, slack_token: SLACK, github_token: GITHUB, stripe_key: STRIPE, url_password: URL_PASSWORD, email: EMAIL, iban: IBAN, card: CARD, ssn: SSN, phone: PHONE, mac: MAC, ipv6: IPV6, ipv4: IPV4, private_key: PRIVATE_KEY } = RECOGNISER_BIT;

const KEYWORDS: ReadonlyArray<{ head: string; tail?: string; finds: number }> = [
  { head: 'pass', finds: PASSWORD },
  { head: 'pwd', finds: PASSWORD },
  { head: 'secret', finds: PASSWORD },
  { head: 'client', tail: 'secret', finds: PASSWORD },
  { head: 'private', tail: 'key', finds: PASSWORD },
  { head: 'token', finds: PASSWORD },
  { head: 'api', tail: 'key', finds: PASSWORD },
  { head: 'access', tail: 'key', finds: PASSWORD },
  { head: 'auth', tail: 'token', finds: PASSWORD },
  { head: 'cookie', finds: PASSWORD },
  // (Its value is a secret where Basic credentials follow: the scan asks for them.)
  { head: 'authorization', finds: PASSWORD },
  { head: 'bearer', finds: BEARER },
  // Names that say what digits after them are (`phone=4155552671`, `ssn: 078051120`).
  { head: 'phone', finds: PHONE },
  { head: 'tel', finds: PHONE },
  { head: 'mobile', finds: PHONE },
  { head: 'msisdn', finds: PHONE },
  { head: 'fax', finds: PHONE },
  { head: 'ssn', finds: SSN },
  { head: 'social', tail: 'security', finds: SSN },
];
const PREFIX_WORDS: ReadonlyArray<[string, number]> = [['eyJ', JWT], ['AKIA', AWS], ['ASIA', AWS], ['AIza', GCP], ['GOCSPX', GCP], ['ya29', GCP], ['hooks', SLACK], ['xox', SLACK], ['github_pat', GITHUB], ['sk_', STRIPE], ['pk_', STRIPE], ['rk_', STRIPE], ['whsec_', STRIPE]];

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

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
const ALNUM = LETTER | DIGIT;
const SPECIAL = 64; // ':', '-', '@', '+', '%': what a byte between words may start or continue
for (const c of [58, 45, 64, 43, 37]) CLASS[c]! |= SPECIAL;
// A word's letters and digits but the capitals a name the look knows may start with (P, S, C, T, A, M, F:
// pass, secret, client, token, api, phone, mobile, fax …): the rest of a word is skipped up to one of those.
const IN_WORD = 128;
const CAMEL_HEADS = new Set(KEYWORDS.filter((k) => k.finds !== BEARER).map((k) => k.head.charCodeAt(0) & ~0x20));
for (let c = 0; c < 256; c++) if (CLASS[c]! & ALNUM && !CAMEL_HEADS.has(c)) CLASS[c]! |= IN_WORD;

// A word's first three bytes, five bits each (a letter's position in the alphabet, whatever its case), index
// what may start there: most words start otherwise, and cost one lookup; what else folds onto an entry (a '!'
// is an 'a' here) only costs the closer look.
interface Keyword {
  head: Uint8Array;
  tail: Uint8Array | undefined;
  finds: number;
}
interface Candidates {
  keywords: Keyword[];
  /** Case-sensitive prefixes, with the recognisers each may start. */
  prefixes: Array<{ word: Uint8Array; finds: number }>;
  /** gh?_ (GitHub). */
  github: boolean;
  /** -----BEGIN (a PEM block). */
  pem: boolean;
}
const startIndex = (a: number, b: number, c: number) => ((a & 31) << 10) | ((b & 31) << 5) | (c & 31);
const CANDIDATES: Candidates[] = [{ keywords: [], prefixes: [], github: false, pem: false }];
const STARTS = new Uint8Array(1 << 15);
function candidatesAt(word: string): Candidates {
  const index = startIndex(word.charCodeAt(0), word.charCodeAt(1), word.charCodeAt(2));
  if (STARTS[index] === 0) {
    STARTS[index] = CANDIDATES.length;
    CANDIDATES.push({ keywords: [], prefixes: [], github: false, pem: false });
  }
  return CANDIDATES[STARTS[index]!]!;
}
for (const k of KEYWORDS) candidatesAt(k.head).keywords.push({ head: bytesOf(k.head), tail: k.tail === undefined ? undefined : bytesOf(k.tail), finds: k.finds });
for (const [word, finds] of PREFIX_WORDS) candidatesAt(word).prefixes.push({ word: bytesOf(word), finds });
for (const c of 'pousr') candidatesAt(`gh${c}`).github = true;
candidatesAt('BEGIN').pem = true;
const BEGIN = bytesOf('BEGIN');

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

/** Where the keyword at `at` ends (its head, and its tail after one '_', '-' or '.' or none), or -1. */
function keywordAt(bytes: Uint8Array, at: number, end: number, k: Keyword): number {
  if (!foldedAt(bytes, at, end, k.head)) return -1;
  let next = at + k.head.length;
  if (k.tail === undefined) return next;
  const c = bytes[next];
  if (c === 95 || c === 45 || c === 46) next += 1;
  return foldedAt(bytes, next, end, k.tail) ? next + k.tail.length : -1;
}

/** ASCII white space, or a byte of a character past ASCII (the scan's `\s` takes Unicode's spaces too). */
const spaceByte = (c: number) => c === 32 || (c >= 9 && c <= 13) || c >= 0x80;

/** What the scan needs between a secret's name and the secret: the rest of the name ("pass" + "word"; letters,
 * digits, '_', '-', '.'), then '>' (an XML element's start), or a quote or none, white space, then '=' or ':'
 * ("Failed password for" has none). */
function assignmentAt(bytes: Uint8Array, at: number, end: number): boolean {
  let i = at;
  while (i < end && (CLASS[bytes[i]!]! & ALNUM || bytes[i] === 95 || bytes[i] === 45 || bytes[i] === 46)) i++;
  if (i < end && bytes[i] === 62) return true;
  if (i < end && (bytes[i] === 34 || bytes[i] === 39)) i++;
  while (i < end && spaceByte(bytes[i]!)) i++;
  return i < end && (bytes[i] === 61 || bytes[i] === 58);
}

/**
 * The recognisers the keywords and prefixes starting at `at` may start (among those its first three bytes
 * index). `afterUnderscore`: the word follows a '_', where only a secret's name may end a longer one
 * ("DB_PASSWORD", "aws_secret_access_key"); a bearer token and the prefixes start at a `\b`.
 */
function wordStarts(bytes: Uint8Array, at: number, end: number, candidates: Candidates, afterUnderscore: boolean): number {
  let finds = 0;
  for (const k of candidates.keywords) {
    if (afterUnderscore && k.finds === BEARER) continue;
    const after = keywordAt(bytes, at, end, k);
    if (after < 0) continue;
    // A bearer token follows white space; a secret, '=' or ':'.
    if (k.finds === BEARER ? after < end && spaceByte(bytes[after]!) : assignmentAt(bytes, after, end)) finds |= k.finds;
  }
  if (afterUnderscore) return finds;
  for (const p of candidates.prefixes) if (exactAt(bytes, at, end, p.word)) finds |= p.finds;
  if (candidates.github && at + 3 < end && bytes[at] === 103 && bytes[at + 1] === 104 && bytes[at + 3] === 95) finds |= GITHUB;
  // ('BEGIN' starts SQL's transactions too: a PEM block's has dashes before it.)
  if (candidates.pem && at > 0 && bytes[at - 1] === 45 && exactAt(bytes, at, end, BEGIN)) finds |= PRIVATE_KEY;
  return finds;
}

/**
 * The rest of a word whose byte at `at` has been read: the index of the first byte after it. A capital after
 * a lower-case letter or a digit may start a secret's name inside the word (camelCase: dbPassword,
 * clientSecret); what those find is added to `camelFinds`.
 */
function restOfWord(bytes: Uint8Array, at: number, end: number): number {
  let i = at;
  for (;;) {
    while (++i < end && CLASS[bytes[i]!]! & IN_WORD);
    if (i >= end || !(CLASS[bytes[i]!]! & UPPER)) return i;
    if (CLASS[bytes[i - 1]!]! & (LOWER | DIGIT) && i + 2 < end) {
      const start = STARTS[startIndex(bytes[i]!, bytes[i + 1]!, bytes[i + 2]!)]!;
      if (start !== 0) camelFinds |= wordStarts(bytes, i, end, CANDIDATES[start]!, true);
    }
  }
}
/** What restOfWord found at capitals inside words (read and cleared by quickLookBytes). */
let camelFinds = 0;

/** After a word of four hex digits and a '.' at `at`: two more such groups joined by '.' (Cisco's MACs). */
function dottedMacAt(bytes: Uint8Array, at: number, end: number): boolean {
  if (at + 10 > end || bytes[at + 5] !== 46) return false;
  for (let k = at + 1; k < at + 10; k++) if (k !== at + 5 && !(CLASS[bytes[k]!]! & HEX)) return false;
  return true;
}

/** After an '@': a domain — letters, digits, '-' and '.', with a '.' followed by a letter. */
function emailDomainAt(bytes: Uint8Array, at: number, end: number): boolean {
  if (at >= end || !(CLASS[bytes[at]!]! & ALNUM)) return false;
  for (let i = at + 1; i + 1 < end; i++) {
    const c = bytes[i]!;
    if (c === 46) {
      if (CLASS[bytes[i + 1]!]! & LETTER) return true;
    } else if (!(CLASS[c]! & ALNUM) && c !== 45) return false;
  }
  return false;
}

/** What an international phone number cannot follow: the scan's `(?<![\w+.-])`. */
const PHONE_AFTER = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (CLASS[c]! & ALNUM || c === 95 || c === 43 || c === 46 || c === 45) PHONE_AFTER[c] = 1;

/** After an IBAN's country and check digits: eight capitals or digits at least (two groups of four), a
 * single space allowed between any two. */
function ibanBodyAt(bytes: Uint8Array, at: number, end: number): boolean {
  let n = 0;
  for (let i = at; i < end && n < 8; i++) {
    const c = bytes[i]!;
    if (CLASS[c]! & (UPPER | DIGIT)) n++;
    else if (c !== 32 || bytes[i - 1] === 32) return false;
  }
  return n >= 8;
}

/** Bytes that end a URL's user or password in the scan: white space, '/', '@' (and ':' for the user). */
const urlStop = (c: number, colon: boolean) => c === 32 || (c >= 9 && c <= 13) || c === 47 || c === 64 || (colon && c === 58);

/** After '://': a user (0–64 bytes), ':', a password (1–128), then '@' — or the scan finds no password there. */
function userAndPasswordAt(bytes: Uint8Array, at: number, end: number): boolean {
  let i = at;
  const userEnd = Math.min(end, at + 64 * 4);
  while (i < userEnd && !urlStop(bytes[i]!, true)) i++;
  // (The user may be empty: redis://:password@host.)
  if (i >= end || bytes[i] !== 58) return false;
  const passwordFrom = ++i;
  const passwordEnd = Math.min(end, passwordFrom + 128 * 4);
  while (i < passwordEnd && !urlStop(bytes[i]!, false)) i++;
  return i > passwordFrom && i < end && bytes[i] === 64;
}

/** Whether bytes[from, to) is a hex group as IPv6 and MACs write them: one to four hex digits. */
function shortHex(bytes: Uint8Array, from: number, to: number): boolean {
  if (to - from > 4) return false;
  for (let k = from; k < to; k++) if (!(CLASS[bytes[k]!]! & HEX)) return false;
  return true;
}

/**
 * The first look over `bytes[from, to)`, a word (a run of ASCII letters and digits) at a time: every
 * recogniser starts where a word starts after a byte that is not a word's (its `\b` or look-behind), so the
 * inside of a word is only skipped over; the work is at word starts and at the bytes between words (whether a
 * word was a hex group is asked only when a ':', '-' or '.' follows it; inside a word, only at a capital). Returns the recognisers (RECOGNISER_BIT)
 * that could match: with `all`, every one; without, at least one where any could (0: none can).
 */
export function quickLookBytes(bytes: Uint8Array, from = 0, to = bytes.length, all = false): number {
  let found = 0;
  // A chain: digit groups joined by single joiners. What of it could be a card, an IPv4 address, an SSN or a
  // North-American phone number is kept as it grows; a match may start at any group after a joiner.
  let cardDigits = 0; // digits in the groups of at most 6 joined by ' ' or '-' up to here (a card's 13–19)
  let dotRun = 0; // groups of 1–3 digits joined by '.' up to here (an IPv4 address's four)
  let groupBefore = 0; // the lengths of the two groups before this one (3-2-4: an SSN; 3-3-4: a phone)
  let groupBeforeThat = 0;
  let joiner = 0; // the last byte joining the chain
  let joined = false; // the chain waits for its next digit group (a joiner came after the last)
  let colons = 0; // colons in the current run of short hex groups (IPv6, MACs)
  let dashPairs = 0; // '-' after hex pairs in that run (MACs written with dashes)
  let wordFrom = -1; // where the last word began
  let i = from;
  if (i >= to) return 0;
  // The byte at i and its class, carried from where a loop read them.
  let c = bytes[i]!;
  let cls = CLASS[c]!;
  for (;;) {
    let digitsBefore = false; // the byte at i ends a digit group in a live chain
    let wordBefore = false; // the byte at i ends a word (which began at wordFrom)
    if (cls & ALNUM) {
      wordFrom = i;
      wordBefore = true;
      if (cls & DIGIT) {
        while (++i < to && (cls = CLASS[(c = bytes[i]!)]!) & DIGIT);
        const length = i - wordFrom;
        if (joined) {
          // A card's groups are of 4 to 6 digits, or it is one run of 13 or more; it starts after no '-'
          // (a group after one only continues a card begun before).
          if ((joiner === 32 || joiner === 45) && groupBefore <= 6 && length <= 6) cardDigits = cardDigits > 0 ? cardDigits + length : joiner === 32 ? length : 0;
          else cardDigits = joiner === 45 ? 0 : length;
          dotRun = length > 3 ? 0 : joiner === 46 && dotRun > 0 ? dotRun + 1 : 1;
          if (length === 4 && groupBeforeThat === 3 && (groupBefore === 2 || groupBefore === 3)) {
            found |= groupBefore === 2 ? SSN : PHONE;
            if (!all) return found;
          }
          groupBeforeThat = groupBefore;
        } else {
          // Nor after a '_' ("blk_-1608999687919862906", "job_1445144423722_0020").
          const before = wordFrom > from ? bytes[wordFrom - 1] : 0;
          cardDigits = before === 45 || before === 95 ? 0 : length;
          dotRun = length > 3 ? 0 : 1;
          groupBeforeThat = 0;
        }
        groupBefore = length;
        joined = false;
        if (cardDigits >= 13 || dotRun >= 4) {
          found |= (cardDigits >= 13 ? CARD : 0) | (dotRun >= 4 ? IPV4 : 0);
          if (!all) return found;
        }
        if (i >= to) return found;
        if (cls & LETTER) {
          // Letters right after digits ("12ms"): the chain is over; only a secret's name may start in them, at a capital.
          i--;
          while (++i < to && (cls = CLASS[(c = bytes[i]!)]!) & IN_WORD);
          if (i >= to) return found;
          if (cls & UPPER) {
            i = restOfWord(bytes, i - 1, to);
            if (camelFinds !== 0) {
              found |= camelFinds;
              camelFinds = 0;
              if (!all) return found;
            }
            if (i >= to) return found;
            c = bytes[i]!;
            cls = CLASS[c]!;
          }
        } else digitsBefore = true;
      } else {
        // Every keyword, prefix and IBAN has a letter second.
        const next = i + 1 < to ? bytes[i + 1]! : 0;
        const nextClass = CLASS[next]!;
        if (nextClass & LETTER) {
          // Each starts at a `\b`, not after a '_' ("Package_for_KB3121255", "my_sk_live_…") — but for a
          // secret's name, which may end a longer one ("DB_PASSWORD").
          const afterUnderscore = i > from && bytes[i - 1] === 95;
          const third = i + 2 < to ? bytes[i + 2]! : 0;
          const start = STARTS[startIndex(c, next, third)]!;
          if (start !== 0) {
            found |= wordStarts(bytes, i, to, CANDIDATES[start]!, afterUnderscore);
            if (found !== 0 && !all) return found;
          }
          // Two capitals and two digits: an IBAN's start.
          if (!afterUnderscore && cls & UPPER && nextClass & UPPER && CLASS[third]! & DIGIT && i + 3 < to && CLASS[bytes[i + 3]!]! & DIGIT && ibanBodyAt(bytes, i + 4, to)) {
            found |= IBAN;
            if (!all) return found;
          }
        }
        joined = false;
        if (nextClass & ALNUM) {
          // (The common case: restOfWord only past a capital that may start a secret's name. The same lines
          // stand in the digit branch above: one block after both branches cost the look ~10%, measured.)
          while (++i < to && (cls = CLASS[(c = bytes[i]!)]!) & IN_WORD);
          if (i >= to) return found;
          if (cls & UPPER) {
            i = restOfWord(bytes, i - 1, to);
            if (camelFinds !== 0) {
              found |= camelFinds;
              camelFinds = 0;
              if (!all) return found;
            }
            if (i >= to) return found;
            c = bytes[i]!;
            cls = CLASS[c]!;
          }
        } else {
          if (++i >= to) return found;
          c = next;
          cls = nextClass;
        }
      }
    }
    // The byte at i is between words.
    if (digitsBefore) {
      if (cls & JOINER) {
        joined = true;
        joiner = c;
      }
    } else if (joined) {
      // ("(415) 555-2671": a space after a parenthesis joins as the parenthesis did; a '(' waits as well.)
      if ((c === 32 && bytes[i - 1] === 41) || c === 40) joiner = c;
      else joined = false;
    }
    if (cls & SPECIAL) {
      if (c === 58) {
        if (i + 2 < to && bytes[i + 1] === 47 && bytes[i + 2] === 47 && userAndPasswordAt(bytes, i + 3, to)) {
          found |= URL_PASSWORD;
          if (!all) return found;
        }
        if (wordBefore) {
          // A word that is no hex group ends the run.
          if (!shortHex(bytes, wordFrom, i)) {
            colons = 0;
            dashPairs = 0;
          }
        } else if (i > from && bytes[i - 1] === 58) {
          found |= IPV6;
          if (!all) return found;
        }
        if (++colons >= 5) {
          found |= IPV6 | MAC;
          if (!all) return found;
        }
      } else if (c === 45) {
        if (wordBefore && i - wordFrom === 2 && shortHex(bytes, wordFrom, i)) {
          if (++dashPairs >= 5) {
            found |= MAC;
            if (!all) return found;
          }
        } else {
          if (wordBefore && !shortHex(bytes, wordFrom, i)) dashPairs = 0;
          colons = 0;
        }
      } else {
        colons = 0;
        dashPairs = 0;
        if (c === 64 || c === 37) {
          // ('%40' is an '@' in a URL's query: ann%40example.com.)
          const domainAt = c === 64 ? i + 1 : bytes[i + 1] === 52 && bytes[i + 2] === 48 ? i + 3 : -1;
          if (domainAt > 0 && i > from && CLASS[bytes[i - 1]!]! & NAME && emailDomainAt(bytes, domainAt, to)) {
            found |= EMAIL;
            if (!all) return found;
          }
        } else if (i + 1 < to && CLASS[bytes[i + 1]!]! & DIGIT && !(i > from && PHONE_AFTER[bytes[i - 1]!])) {
          // '+' and a digit, after none of what the scan's look-behind refuses ("2kSOSP.log:21876+7292")
          found |= PHONE;
          if (!all) return found;
        }
      }
    } else {
      colons = 0;
      dashPairs = 0;
      if (c === 46 && wordBefore && i - wordFrom === 4 && shortHex(bytes, wordFrom, i) && dottedMacAt(bytes, i, to)) {
        found |= MAC;
        if (!all) return found;
      }
    }
    if (++i >= to) return found;
    c = bytes[i]!;
    cls = CLASS[c]!;
  }
}

// A string is looked at as its UTF-8 bytes, written into one reused buffer: what is not ASCII is a byte of
// 0x80 or more, a separator as it is to the recognisers' `\w` and `\b` (latin1 would have turned 'š' into an
// 'a' and hidden the word start after it).
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/** The first look at a string (as quickLookBytes). */
export function quickLookText(text: string, all = false): number {
  if (text.length * 3 > SCRATCH.length) return quickLookBytes(Buffer.from(text, 'utf8'), 0, undefined, all);
  return quickLookBytes(SCRATCH, 0, SCRATCH.write(text, 0, 'utf8'), all);
}
