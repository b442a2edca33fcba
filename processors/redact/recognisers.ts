// What personal data and secrets look like in log text, found in one pass: a regular expression with one
// group per recogniser asked for (the order is precedence: a JWT is not read as three emails' worth of text;
// the scan asks only for those its first look names), and a check per match where a shape alone says too little — card numbers must pass Luhn and start as a card
// scheme's do, IBANs MOD-97, SSNs the SSA's rules, IPs Node's own parser. Look-alikes that must stay: order
// numbers failing Luhn, version strings ("v1.2.3.4", "version 10.0.0.1"), timestamps, UUIDs, epoch times.
import { isIPv4, isIPv6 } from 'node:net';

export const RECOGNISERS = ['jwt', 'bearer', 'aws_key', 'gcp_key', 'stripe_key', 'github_token', 'slack_token', 'password', 'url_password', 'email', 'iban', 'card', 'ssn', 'phone', 'mac', 'ipv6', 'ipv4', 'private_key'] as const;
export type Recogniser = (typeof RECOGNISERS)[number];

/** A word matched in any case (the recognisers' expression as a whole is case-sensitive: AKIA, IBANs). */
function ci(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
}

// Names that say what a bare run of digits is (Presidio's context words): `phone=4155552671`,
// `"ssn": "078051120"`, `customer.mobile_number`. As the key of an attribute or a JSON member (keyContext), or
// before '=' or ':' in text (the last alternative of `phone` and `ssn`): where a name may start (a word's start,
// after '_', '.' or '-', a camelCase capital) and ending the key, or the text before the assignment.
const NAME_START = String.raw`(?:(?<![A-Za-z0-9_])|(?<=[A-Za-z0-9][_.-])|(?<=[a-z0-9])(?=[A-Z]))`;
const NUMBER_SUFFIX = String.raw`(?:[_.-]?(?:${ci('number')}|${ci('num')}|${ci('no')}|${ci('nr')}))?`;
const PHONE_NAMES = String.raw`(?:${['phone', 'telephone', 'tel', 'mobile', 'msisdn', 'fax'].map(ci).join('|')})${NUMBER_SUFFIX}`;
const SSN_NAMES = String.raw`(?:${ci('ssn')}|${ci('social')}[_.-]?${ci('security')})${NUMBER_SUFFIX}`;
const AFTER_NAME = (names: string) => String.raw`${NAME_START}${names}["']?\s*[=:]\s*["']?`;
const PHONE_KEY = new RegExp(String.raw`${NAME_START}${PHONE_NAMES}$`);
const SSN_KEY = new RegExp(String.raw`${NAME_START}${SSN_NAMES}$`);

/** What a key says a bare run of digits under it is: `phone`, `ssn`, or undefined. */
export type KeyContext = 'phone' | 'ssn';

export function keyContext(key: string): KeyContext | undefined {
  return PHONE_KEY.test(key) ? 'phone' : SSN_KEY.test(key) ? 'ssn' : undefined;
}

/** Whether a whole value (a string's text, a number's digits) is what its key says: a phone number's 7 to
 * 15 digits (a '+' first allowed), or an SSN's 9 that the SSA could have issued. */
export function underKeyIs(kind: KeyContext, text: string): boolean {
  if (kind === 'phone') return /^\+?\d{7,15}$/.test(text);
  return /^\d{9}$/.test(text) && ssnValid(text);
}

/** Authorization schemes whose credentials follow as one token (`Bearer` is a recogniser of its own). */
const AUTH_SCHEMES = `(?:${['basic', 'token', 'apikey', 'api-key', 'key', 'negotiate', 'ntlm', 'dpop', 'ssws', 'splunk', 'bot', 'geniekey'].map(ci).join('|')})`;

// One group per recogniser, in RECOGNISERS' order. Every run a match may try from any position is bounded
// (an email's name at 64, a URL's scheme at 32 …): an unbounded one is tried from each start to the end of
// the text, and a long line of digits and dots then costs time quadratic in its length. `password` and `url_password` capture what stays (the key,
// the URL's user) in an inner group so only the secret is replaced.
const PARTS: Record<Recogniser, string> = {
  jwt: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
  bearer: String.raw`\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*`,
  aws_key: String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  // An API key; an OAuth client secret; an OAuth access token.
  gcp_key: String.raw`\b(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[0-9A-Za-z_-]{28}|ya29\.[0-9A-Za-z_-]{20,})(?![0-9A-Za-z_-])`,
  stripe_key: String.raw`\b(?:sk|pk|rk|whsec)_(?:live|test)_[0-9A-Za-z]{16,}\b`,
  github_token: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b`,
  // A token; an incoming webhook's URL (whoever holds it may post).
  slack_token: String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}|\bhooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}`,
  // A secret's name may end a longer one, after '_', '.' or '-' (DB_PASSWORD) or in camelCase (dbPassword,
  // clientSecret); its value follows '=' or ':' — bare, or quoted and then taken to the closing quote, spaces
  // and all — or stands in an XML element of that name (<password>…</password>; the name closing an element
  // starts nothing). Only the name and what follows are matched, where a name may start (the lookahead: the
  // names' first letters, which lets the engine skip ahead; then the look-behinds); the longer name's start
  // stays outside the match, as it stays in the text.
  password: String.raw`(?=[PpSsCcTtAa])${NAME_START}((?:${ci('pass')}(?:${ci('word')}|${ci('wd')})?|${ci('pwd')}|${ci('secret')}(?:[_-]?${ci('key')})?|${ci('private')}[_-]?${ci('key')}|${ci('client')}_?${ci('secret')}|${ci('api')}[_-]?${ci('key')}|${ci('apikey')}|${ci('access')}[_-]?${ci('key')}|${ci('token')}|${ci('auth')}[_-]?${ci('token')}|${ci('cookie')})(?:["']?\s*[=:]\s*["']?|>)|${ci('authorization')}["']?\s*[=:]\s*["']?${AUTH_SCHEMES}\s+)(?:(?<=")[^"\r\n]{3,256}(?=")|(?<=')[^'\r\n]{3,256}(?=')|(?<=<[^<\/>\s]{1,160}>)[^<\r\n]{3,256}(?=<\/)|(?<!>)[^\s"'&,;{}\(\)[\]]{3,}(?=[\s"'&,;}\)\]]|$)(?!\s*[{[]))`,
  url_password: String.raw`\b([a-z][a-z0-9+.-]{0,31}://[^\s/:@]{0,64}:)[^\s/@]{1,128}(?=@)`,
  email: String.raw`\b[A-Za-z0-9._%+-]{1,64}(?:@|%40)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b`,
  iban: String.raw`\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b`,
  card: String.raw`(?<![\w-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\w-])`,
  ssn: String.raw`(?<![\w-])\d{3}(?:-\d{2}-| \d{2} )\d{4}(?![\w-])|(?=\d)(?<=${AFTER_NAME(SSN_NAMES)})\d{9}(?![\w-]|\.\d)`,
  phone: String.raw`(?<![\w+.-])(?:\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}|\(\d{3}\)[ ]?\d{3}[ .-]\d{4}|(?:1[ .-])?\d{3}[ .-]\d{3}[ .-]\d{4})(?![\w.-])|(?=\+?\d)(?<=${AFTER_NAME(PHONE_NAMES)})\+?\d{7,15}(?![\w-]|\.\d)`,
  // (One separator throughout, written as two alternatives: a named group would cost an object a match; and
  // Cisco's three dot-joined groups of four.)
  mac: String.raw`(?<![\w:-])[0-9A-Fa-f]{2}(?:(?::[0-9A-Fa-f]{2}){5}|(?:-[0-9A-Fa-f]{2}){5})(?![\w:-])|(?<![\w:.-])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w:-]|\.\w)`,
  ipv6: String.raw`(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?![\w:])`,
  ipv4: String.raw`(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)`,
  // A PEM block, its markers and all (headers, base64, white space and the '\n' of a JSON-escaped one) — to
  // its END marker, or to where base64 stops where it was cut off. No run of dashes inside: the body's scan stops at the
  // END marker, so a text of many BEGIN markers costs time linear in its length.
  private_key: String.raw`-----BEGIN[A-Z ]{0,24} PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s\\:,.]|-(?!-)){0,16384}(?:-----END[A-Z ]{0,24} PRIVATE KEY(?: BLOCK)?-----)?`,
};

/** Capturing groups in a source: plain ones and named ones (not lookarounds or non-capturing groups; a
 * parenthesis inside a character class must be escaped, or it is counted). */
const capturing = (source: string) => (source.match(/(?<!\\)\((?!\?)|(?<!\\)\(\?<(?![=!])/g) ?? []).length;

/** Each recogniser's bit in a set of them (the first look's answer, the recognisers switched on). */
export const RECOGNISER_BIT = Object.fromEntries(RECOGNISERS.map((name, i) => [name, 1 << i])) as Record<Recogniser, number>;

/** An expression for some of the recognisers, with each one's outer group and inner one (what stays) where it has one. */
export interface RecogniserScan {
  readonly pattern: RegExp;
  readonly groups: ReadonlyArray<{ name: Recogniser; group: number; keep: number | undefined }>;
}

/**
 * The expression for the recognisers in `set` (bits) only: the one for all of them costs about ten times the
 * one for addresses alone on a line with an address (each alternative is tried at every position, and IPv6's
 * may start at any hex digit), so the scan asks only for those the first look says could match. Group
 * numbers are counted from the sources, so an edit to one cannot put the others out of step.
 */
export function recogniserScan(set: number): RecogniserScan {
  const parts: string[] = [];
  const groups: Array<{ name: Recogniser; group: number; keep: number | undefined }> = [];
  let group = 1;
  for (const name of RECOGNISERS) {
    if (!(set & RECOGNISER_BIT[name])) continue;
    parts.push(`(${PARTS[name]})`);
    groups.push({ name, group, keep: name === 'password' || name === 'url_password' ? group + 1 : undefined });
    group += 1 + capturing(PARTS[name]);
  }
  return { pattern: new RegExp(parts.length > 0 ? parts.join('|') : '(?!)', 'g'), groups };
}

/** The recogniser whose group matched, and what of the match stays (a key before its secret). */
export function matchedRecogniser(scan: RecogniserScan, groups: ReadonlyArray<string | undefined>): { name: Recogniser; keep: string } | undefined {
  for (const g of scan.groups) {
    if (groups[g.group] === undefined) continue;
    return { name: g.name, keep: g.keep !== undefined ? (groups[g.keep] ?? '') : '' };
  }
  return undefined;
}

/**
 * Whether a match of `name` is what it looks like (shape alone is enough for most). `whole` and `at`: the
 * text it was found in and where, for the recognisers that read what stands before it.
 */
export function confirmed(name: Recogniser, text: string, whole: string, at: number): boolean {
  switch (name) {
    case 'card':
      return cardLike(text);
    case 'iban':
      return ibanValid(text);
    case 'ssn':
      return ssnValid(text);
    case 'ipv4':
      return isIPv4(text) && !versionAt(whole, at);
    case 'ipv6':
      // ("::" alone, the unspecified address, is as often a scope operator as an address.)
      return /[0-9A-Fa-f]/.test(text) && (text.includes('::') || text.split(':').length === 8) && isIPv6(text);
    case 'phone':
      return phoneLike(text) && !versionAt(whole, at);
    case 'mac':
      // Cisco's dotted form with no letter in it ("release 2015.1018.1234") is as often a build number (a MAC
      // drawn at random has none in one of about 280).
      return text.charCodeAt(4) !== 46 || /[a-fA-F]/.test(text);
    default:
      return true;
  }
}

// The checks below read the match a character at a time: one of them runs for most matches, and slicing,
// splitting or replacing in it cost more than the check itself.

/**
 * Luhn, a card scheme's prefix and a length it issues (Visa, Mastercard, Amex, Discover, JCB, Diners,
 * UnionPay), over the digits of `text` (its ' ' and '-' skipped).
 */
function cardLike(text: string): boolean {
  let n = 0;
  let four = 0; // the first four digits as a number
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (n < 4) four = four * 10 + d;
    n++;
  }
  if (n < 13 || n > 19) return false;
  const two = Math.floor(four / 100);
  const scheme =
    (two >= 40 && two <= 49 && (n === 13 || n === 16 || n === 19)) ||
    (((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) && n === 16) ||
    ((two === 34 || two === 37) && n === 15) ||
    ((four === 6011 || two === 65 || (four >= 6440 && four <= 6499)) && n >= 16) ||
    (four >= 3528 && four <= 3589 && n >= 16) ||
    ((two === 36 || two === 38 || (four >= 3000 && four <= 3059)) && n >= 14) ||
    (two === 62 && n >= 16);
  if (!scheme) return false;
  let sum = 0;
  let k = 0; // digits from the right
  for (let i = text.length - 1; i >= 0; i--) {
    let d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (k++ % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 over `text` (its spaces skipped): letters to numbers, the first four characters moved to the end, the whole ≡ 1 (mod 97). */
function ibanValid(text: string): boolean {
  let length = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 32) length++;
  if (length < 15 || length > 34) return false;
  let rest = 0;
  // Two passes: the characters after the first four, then those four.
  for (let pass = 0; pass < 2; pass++) {
    let seen = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 32) continue;
      const leading = seen++ < 4;
      if (leading !== (pass === 1)) continue;
      const value = code >= 65 ? code - 55 : code - 48;
      rest = value >= 10 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
    }
  }
  return rest === 1;
}

/** The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000 (`text` is ddd-dd-dddd, ddd dd
 * dddd, or nine digits alone). */
function ssnValid(text: string): boolean {
  const digit = (i: number) => text.charCodeAt(i) - 48;
  const joined = text.length === 11 ? 1 : 0;
  const area = digit(0) * 100 + digit(1) * 10 + digit(2);
  const group = digit(3 + joined) * 10 + digit(4 + joined);
  const serial = digit(5 + 2 * joined) * 1000 + digit(6 + 2 * joined) * 100 + digit(7 + 2 * joined) * 10 + digit(8 + 2 * joined);
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

/** "v1.2.3.4", "version 10.0.0.1", "Chrome/131.0.0.0", "amd64~~6.1.1.0": what stands before `at` says a version follows, not an address. */
export function versionAt(whole: string, at: number): boolean {
  return /(?:\bv|version[\s=:"]*|ver[\s=:]*|[A-Za-z]\/|~)$/i.test(whole.slice(Math.max(0, at - 12), at));
}

/** A phone number has 7 to 15 digits; a date or a signed decimal ("+0.182379") is not one. */
function phoneLike(text: string): boolean {
  let digits = 0;
  let others = 0; // characters other than digits, past a leading '+'
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (!(i === 0 && c === 43)) {
      others++;
      if (c === 46) dots++;
    }
  }
  if (digits < 7 || digits > 15) return false;
  // "+digits.digits" alone: a signed decimal.
  const signedDecimal = text.charCodeAt(0) === 43 && others === 1 && dots === 1 && text.charCodeAt(1) !== 46 && text.charCodeAt(text.length - 1) !== 46;
  return !signedDecimal;
}
