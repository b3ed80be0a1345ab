/** The source suite as insta means it: snapshots, their inputs, and cases built from both. */

/** Every field insta may write into a `.snap` header; unknown keys are kept in `extra`. */
export interface SnapshotHeader {
  source?: string;
  description?: string;
  expression?: string;
  info?: unknown;
  input_file?: string;
  assertion_line?: number;
  snapshot_kind?: string;
  extension?: string;
  created?: string;
  creator?: string;
  /** Keys insta does not know; kept so nothing is lost. */
  extra: Record<string, unknown>;
}

export interface Snapshot {
  /** Path relative to the source root, with `/` separators. */
  path: string;
  header: SnapshotHeader;
  /** `text`, or `binary` (unsupported: reported by name, never compared). */
  kind: 'text' | 'binary';
  /** The body as insta reads it (CRLF → LF), not yet trimmed. */
  body: string;
  /** True when the file used the legacy 0.x `Key: value` header form. */
  legacy: boolean;
}

/** An input file after splitting an optional `<json>\n---\n` header. */
export interface InputFile {
  /** Path relative to the source root, with `/` separators. */
  path: string;
  /** Parsed JSON header, or null when the file has none. */
  header: unknown | null;
  body: string;
}

/** Where a case's input came from, or why it has none. */
export type InputResolution =
  | { kind: 'file'; input: InputFile; via: 'input_file' | 'glob-name' }
  | { kind: 'none'; reason: string };

export interface Case {
  /** Snapshot file name without `.snap`, e.g. `test_lexer__lexer@raw.txt`. */
  id: string;
  phase: string;
  snapshot: Snapshot;
  /** The input, or null when none could be resolved (see `problem`). */
  input: InputFile | null;
  inputVia?: 'input_file' | 'glob-name';
  /** Set when the case cannot run (missing input, malformed JSON, binary): its status is `error`. */
  problem?: string;
}

/** Extra files sent with every case of a phase: path relative to source → content. */
export type PhaseFiles = Record<string, string>;

export interface Suite {
  sourceRoot: string;
  /** Cases in phase order, then by id. */
  cases: Case[];
  /** Per phase name, the extra files. */
  files: Record<string, PhaseFiles>;
  /** Snapshots that matched no phase (ids). */
  unassigned: string[];
  /** Non-fatal findings: stray `.snap.new` files, stale headers, unassigned snapshots. */
  warnings: string[];
}
