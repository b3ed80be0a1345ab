import { escapeGlob } from '../util/case-glob.js';

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

/**
 * A case id as a skip-list entry that reads back as that id alone. An id without glob syntax is
 * written as it is; one with `*`, `?`, `[`, `]`, `{` or `}` (`test__vm@[1].txt`) is escaped, or
 * it would be read as a glob that also matches other ids (`test__vm@1.txt`); so is one starting
 * with `!`, which would read as a negation.
 */
export function escapeCaseId(id: string): string {
  return isGlob(id) || id.startsWith('!') ? escapeGlob(id) : id;
}

/** The case id an entry names literally — as written, or escaped by `escapeCaseId` — or null for a real glob. */
export function literalIdOf(pattern: string): string | null {
  if (!isGlob(pattern) && !pattern.startsWith('\\!')) return pattern;
  const id = pattern.replace(/\\(.)/gs, '$1');
  return escapeCaseId(id) === pattern ? id : null;
}

/** Lines of a text with their line ending kept apart, so a rewrite can keep the file's own style. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
