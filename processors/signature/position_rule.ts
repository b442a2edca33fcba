// When does a position where bodies disagree in one word become a variable? Two or three words in one
// place are more often distinct events ("Accepted" / "Failed", GET / POST, Started / Stopped) than a
// variable, and merging distinct events costs more than splitting one (a POST spike hides in a GET pattern,
// first-K keeps one of the two): a position becomes <*> only once its words look like values.

/**
 * `words`: the words seen so far at the position with their record counts (the template's own word
 * included); `next`: the word just seen there for the first time.
 */
export function isVariablePosition(words: ReadonlyMap<string, number>, next: string, variableAfter: number): boolean {
  return words.size + (words.has(next) ? 0 : 1) >= variableAfter;
}
