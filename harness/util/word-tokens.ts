/**
 * The identifier-like words of a text, lower-cased, distinct, in first-seen order: what two
 * inputs or two case ids have in common when they exercise the same feature (`loop`, `macro`).
 * One-letter words and numbers say nothing about a feature, so they are left out.
 */
export function wordTokens(text: string, max = Infinity): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (out.size >= max) break;
    const w = m[0].toLowerCase();
    if (w.length > 1) out.add(w);
  }
  return [...out];
}

/** The words of a case id, split at `_` too: `test_templates__vm@loop_controls.txt` → test, templates, vm, loop, controls, txt. */
export function idTokens(id: string): string[] {
  return wordTokens(id.replace(/_/g, ' '));
}
