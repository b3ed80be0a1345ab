/**
 * One skip-list line: `<case id or glob>  # <reason>`. The reason starts at the first `#`
 * that begins the line or follows whitespace, so a `#` inside a case id stays part of it.
 * Returns null for blank lines and full-line comments.
 */
export interface SkipLine {
  pattern: string;
  /** Empty when the entry carries no reason. */
  reason: string;
}

export function parseSkipLine(raw: string): SkipLine | null {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const hash = /(^|\s)#/.exec(line);
  const before = hash ? line.slice(0, hash.index) : line;
  const pattern = before.trim();
  if (pattern === '') return null;
  const reason = hash ? line.slice(hash.index + hash[0].length).trim() : '';
  return { pattern, reason };
}

/** Glob syntax in a pattern; anything else is a literal case id, matched by equality. */
export function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/** Lines of a text with their line ending kept apart, so a rewrite can keep the file's own style. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
