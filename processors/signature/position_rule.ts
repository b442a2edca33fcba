// When does a position where bodies disagree in one word become a variable? Two or three words in one
// place are more often distinct events ("Accepted" / "Failed", GET / POST, Started / Stopped) than a
// variable, and merging distinct events costs more than splitting one (a POST spike hides in a GET pattern,
// first-K keeps one of the two). A position whose words are few, word-like and each frequent is a constant
// of distinct templates; one whose words are many is a variable. "Frequent" cannot be told from a few
// records, and on Loghub a handful of frequent user names (cron's cyrus, news) are a variable: so the closed
// set is recognised by its words — HTTP methods and lifecycle verbs (Started, Paused, Resuming) — which
// stand apart from their first sighting up to MANY_WORDS of them.
import { HTTP_METHODS } from './event_words.js';
import { WILDCARD } from './masking.js';

// Past this many distinct words a position is a variable whatever they look like: closed sets of event
// words are small.
const MANY_WORDS = 8;
const EVENT_VERB = /^([A-Za-z]{3,}(ed|ing)|[A-Z]{3,}(ED|ING))$/;
const LETTER = /[A-Za-z]/;

function isBareValue(word: string): boolean {
  return word.includes(WILDCARD) && !LETTER.test(word.replaceAll(WILDCARD, ''));
}

/** A word that reads as an event's name: an HTTP method, a lifecycle verb (Started, Paused, Resuming). */
export function namesEvent(word: string): boolean {
  return HTTP_METHODS.has(word) || EVENT_VERB.test(word);
}

/**
 * `words`: the words seen so far at the position (the template's own word included); `next`: the word just
 * seen there for the first time.
 */
export function isVariablePosition(words: ReadonlySet<string>, next: string, variableAfter: number): boolean {
  // A bare value masking recognised (nothing but <*> and punctuation), against any other word there: the
  // position holds values (`(<*>)` and `()`; `<*>,` and `LOCAL(<*>),`).
  if (isBareValue(next)) return true;
  for (const w of words) if (isBareValue(w)) return true;
  const distinct = words.size + (words.has(next) ? 0 : 1);
  if (distinct < variableAfter) return false;
  if (distinct >= MANY_WORDS) return true;
  return ![...words.keys(), next].every(namesEvent);
}
