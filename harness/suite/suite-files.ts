/**
 * Where the suite reader gets its files: the source checkout on disk (`porter test`), or the
 * source project as it was at a git revision (`porter sync`). Either way the same parsing,
 * phase assignment and input resolution run over them.
 */

export type ReadOutcome = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'error'; message: string };

export interface SuiteFiles {
  /** The absolute source root; the config's absolute paths (phase `inputs`) lie under it. */
  readonly root: string;
  /** How messages name these files: the folder, or the folder at a revision. */
  readonly where: string;
  /**
   * Files matching globs relative to the root, as fast-glob finds them (`dot: true`, files
   * only): relative paths with `/`, in no particular order. `ignoreGit` leaves out `.git/`.
   */
  find(patterns: readonly string[], options?: { ignoreGit?: boolean }): Promise<string[]>;
  /**
   * One file, synchronously (the reader's per-case work is synchronous, see disk-files.ts).
   * `abs` is the file under `root`, `rel` the same path relative to it with `/`: a reader
   * uses whichever it needs, so no one pays for path arithmetic per file.
   */
  read(abs: string, rel: string): ReadOutcome;
  /** The names in a folder (relative to the root), or null when it cannot be listed. */
  list(dir: string): string[] | null;
}
