/** The closest candidate to a misspelt word, when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = normalise(word);
  // A cut-short key (`replace`, `error_marker`) is a likely intent however long the rest.
  const prefixed = w.length >= 3 ? candidates.find((c) => normalise(c).startsWith(w)) : undefined;
  if (prefixed !== undefined) return prefixed;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(w, normalise(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // A third of the length tolerates `timout`, `snapshot`, `error_marker`, not unrelated words.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

// `max-output`, `maxOutput` and `max_output` are the same intent.
function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_ ]/g, '');
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
