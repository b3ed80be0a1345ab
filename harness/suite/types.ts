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
  /** The header exactly as written (`1.0` and `12345678901234567890` intact), or null. */
  headerRaw: string | null;
  body: string;
}

/** How a case's input was found: its header, insta's glob naming, or a phase's `input_rules`. */
export type InputVia = 'input_file' | 'glob-name' | 'rule';

export interface Case {
  /** Snapshot file name without `.snap`, e.g. `test_lexer__lexer@raw.txt`. */
  id: string;
  phase: string;
  snapshot: Snapshot;
  /** The input, or null when none could be resolved (see `problem`). */
  input: InputFile | null;
  inputVia?: InputVia;
  /** With `inputVia: 'rule'`: which of the phase's `input_rules` (1 for the first). */
  inputRule?: number;
  /** The named groups of the input rule that matched the id (sent as `params`); absent otherwise. */
  params?: Record<string, string>;
  /**
   * True when the snapshot has no input file at all: no `input_file` header, no `@<input>` part
   * and no input rule that matches its id. Its input is Rust code; it has a `problem` too.
   */
  rustCode?: boolean;
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
  /** Of `unassigned`, those with no input file at all (no header, no `@<input>`, no rule): their input is Rust code. */
  unassignedRustCode: string[];
  /** Non-fatal findings: stray `.snap.new` files, stale headers, unassigned snapshots. */
  warnings: string[];
}
