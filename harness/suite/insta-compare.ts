/**
 * Snapshot comparison exactly as insta does it (insta/src/snapshot.rs, `TextSnapshotContents`):
 * the latest rule compares bodies after CRLF → LF and Rust's `str::trim_end`; the legacy rule,
 * which insta still accepts with a warning, also ignores leading newlines and one leading `---\n`
 * (old inline snapshots carried the YAML document marker).
 */

/**
 * Rust's `char::is_whitespace` (Unicode White_Space), BMP only as all of them are.
 * It differs from JavaScript's `\s`: U+0085 is whitespace here, U+FEFF is not.
 */
export function isRustWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Rust's `str::trim_end`. A loop rather than a regex: `/\s+$/` backtracks quadratically on long inner runs. */
export function rustTrimEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isRustWhitespace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** The form insta compares: CRLF → LF, then trailing whitespace trimmed. Leading blank lines are kept. */
export function normalizeSnapshotText(s: string): string {
  return rustTrimEnd(s.includes('\r\n') ? s.replace(/\r\n/g, '\n') : s);
}

/** insta's `as_str_legacy` for file snapshots: what insta < 1.44 compared. */
export function legacySnapshotText(s: string): string {
  let out = normalizeSnapshotText(s);
  let start = 0;
  while (start < out.length && (out[start] === '\n' || out[start] === '\r')) start++;
  out = out.slice(start);
  return out.startsWith('---\n') ? out.slice(4) : out;
}

/**
 * `'exact'` when insta's current rule accepts the pair, `'legacy'` when only its legacy rule does
 * (insta passes the test but asks for the snapshot to be rewritten), `false` otherwise.
 */
export function instaContentsMatch(expected: string, actual: string): 'exact' | 'legacy' | false {
  if (normalizeSnapshotText(expected) === normalizeSnapshotText(actual)) return 'exact';
  if (legacySnapshotText(expected) === legacySnapshotText(actual)) return 'legacy';
  return false;
}
