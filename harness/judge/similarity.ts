/**
 * Similarity of two error messages, 0..1, for the `kind+line+message` level.
 *
 * The two messages come from different people in different languages: a Rust original and a Go,
 * Python or TypeScript port. What varies between them is mostly surface — quoting of names
 * (`` `c` `` vs `"c"` vs `'c'`), case, punctuation, a word added or dropped ("a", "the", "value"),
 * word order ("x is not iterable" vs "not iterable: x"), and inflection ("iterable"/"iterator",
 * "argument"/"arguments"). So:
 *
 * 1. normalise: lower case, camelCase and snake_case split into words, every quote character and
 *    punctuation mark becomes a space, runs of spaces collapse; operator symbols (`+`, `//`, `%`,
 *    `==` …) stay as words of their own, since "+ operator" and "- operator" are different errors;
 * 2. score with two Sørensen–Dice coefficients and keep the higher:
 *    - over the sets of words — immune to word order and to quoting, but blind to inflection;
 *    - over character bigrams of the normalised text — tolerant of inflection and typos, and of
 *      a word glued to another, but sensitive to order.
 *
 * Either one alone misjudges a common kind of rewording; the maximum lets each cover the other's
 * blind spot. Unrelated messages still score low on both, because they share few words and few
 * bigrams. Measured on MiniJinja's error messages (53 distinct, 327 pairs of the same kind): 0.6
 * separates two dozen hand-written port rewordings (median 0.75) from unrelated messages of the
 * same kind; what scores above it are siblings from one message template ("bool is not iterable"
 * / "number is not iterable"), which no string measure can tell apart — the kind and the line
 * carry that. Levenshtein was not chosen: it punishes a moved clause as much as a different message.
 */

// `!` is left out: it is far more often an exclamation mark than `!=`.
const OPERATOR = /[+\-*/%<>=&|^~]+/g;

/**
 * Lower-cased words, identifiers split (`missingFunction`, `missing_function` → missing function),
 * operator symbols kept as words.
 */
export function messageWords(message: string): string[] {
  const split = message
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .toLowerCase()
    // A hyphen inside a word ("non-existing") joins words; it is not the minus operator.
    .replace(/(?<=[\p{L}\p{N}])-(?=\p{L})/gu, ' ')
    .replace(OPERATOR, ' $& ')
    .replace(/[^\p{L}\p{N}+\-*/%<>=&|^~]+/gu, ' ')
    .trim();
  return split === '' ? [] : split.split(' ');
}

function dice<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  // Multiset intersection: "a a b" vs "a b" shares two bigrams, not three.
  const counts = new Map<T, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  let shared = 0;
  for (const y of b) {
    const n = counts.get(y) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(y, n - 1);
    }
  }
  return (2 * shared) / (a.length + b.length);
}

function bigrams(text: string): string[] {
  const chars = Array.from(text);
  if (chars.length < 2) return chars.length === 1 ? [chars[0]!] : [];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** Dice over word sets (duplicates dropped, so repeating a word does not help). */
export function wordDice(a: string, b: string): number {
  return dice([...new Set(messageWords(a))], [...new Set(messageWords(b))]);
}

/** Dice over character bigrams of the normalised text. */
export function bigramDice(a: string, b: string): number {
  return dice(bigrams(messageWords(a).join(' ')), bigrams(messageWords(b).join(' ')));
}

/** Similarity of two error messages, 0 (unrelated) .. 1 (the same after normalisation). */
export function messageSimilarity(a: string, b: string): number {
  const wa = messageWords(a).join(' ');
  const wb = messageWords(b).join(' ');
  if (wa === wb) return 1;
  return Math.max(wordDice(a, b), bigramDice(a, b));
}
