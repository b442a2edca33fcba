// IPv4 addresses found by hand in text where the first look says they are all there can be (most address-
// heavy logs: a third of the Loghub-2k lines), with the same answers as the recognisers' expression for
// `ipv4` and its check (recognisers.ts) — the expression, a callback a match and two slices a check cost
// several times this walk. A match starts at a run of digits after no word character or '.', is four runs of
// one to three digits joined by single dots, and is followed by no word character and no '.' and digit.

const isDigit = (c: number) => c >= 48 && c <= 57;
/** The expression's `\w` (ASCII). */
const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * The next place at or after `from` where the expression for IPv4 matches (before its check), as
 * `start * 16 + length` (an address is at most 15 characters), or −1. `from` is 0 or the end of a match.
 */
export function nextAddress(text: string, from: number): number {
  const n = text.length;
  let i = from;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // A run of digits starts at i; it ends at runEnd.
    let runEnd = i + 1;
    while (runEnd < n && isDigit(text.charCodeAt(runEnd))) runEnd++;
    const before = i > 0 ? text.charCodeAt(i - 1) : -1;
    if (runEnd - i <= 3 && !isWord(before) && before !== 46) {
      let end = runEnd;
      let groups = 1;
      while (groups < 4 && end < n && text.charCodeAt(end) === 46) {
        let next = end + 1;
        while (next < n && next - end <= 4 && isDigit(text.charCodeAt(next))) next++;
        const length = next - end - 1;
        if (length < 1 || length > 3 || (next < n && isDigit(text.charCodeAt(next)))) break;
        end = next;
        groups++;
      }
      if (groups === 4) {
        const after = end < n ? text.charCodeAt(end) : -1;
        if (!isWord(after) && !(after === 46 && end + 1 < n && isDigit(text.charCodeAt(end + 1)))) return i * 16 + (end - i);
      }
    }
    // No match starts inside this run (a digit is before each place), nor at the runs its dots join.
    i = runEnd;
  }
  return -1;
}

/** Node's `isIPv4` on text[from, to) of a match: each part 0–255, written without a leading zero. */
export function addressParts(text: string, from: number, to: number): boolean {
  let partFrom = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 46) continue;
    const length = i - partFrom;
    const a = text.charCodeAt(partFrom);
    if (length === 2 && a === 48) return false;
    if (length === 3) {
      const b = text.charCodeAt(partFrom + 1);
      const c = text.charCodeAt(partFrom + 2);
      if (!(a === 49 || (a === 50 && (b < 53 || (b === 53 && c <= 53))))) return false;
    }
    partFrom = i + 1;
  }
  return true;
}
