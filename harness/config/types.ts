/**
 * The validated, resolved form of `porter.config.yaml`.
 * All paths are absolute after loading; globs stay as written.
 */

/** How strictly an error snapshot is compared. */
export type MatchLevel = 'exact' | 'kind+line+message' | 'kind+line' | 'kind' | 'any-error';

/** Runs whose per-case detail file `reports.keep_runs` keeps by default; summaries are kept forever. */
export const DEFAULT_KEEP_RUNS = 200;

export const MATCH_LEVELS: readonly MatchLevel[] = ['exact', 'kind+line+message', 'kind+line', 'kind', 'any-error'];

/** A command: argv form. Config accepts a shell-style string or an array. */
export type Command = readonly string[];

export interface NormalizeRule {
  /** JavaScript regular expression source, applied globally. */
  pattern: string;
  replacement: string;
}

/**
 * Maps case ids to input files for suites whose snapshot names embed their input's name:
 * `match` is a regular expression over the id with named groups, `path` a glob relative to
 * `source` in which `{group}` stands for that group's text.
 */
export interface InputRule {
  match: string;
  path: string;
}

export interface PhaseConfig {
  name: string;
  /** Globs over case ids (snapshot file name without `.snap`). */
  cases: string[];
  /** Absolute directories where inputs of snapshots without `input_file` are looked up. */
  inputs: string[];
  /** Globs, relative to the source root, of extra files sent with every case of this phase. */
  files: string[];
  /** `input_rules`, in order: tried for snapshots without `input_file` that glob naming does not map. */
  inputRules?: InputRule[];
  /** Error-matching level for this phase; falls back to `compare.level`. */
  level?: MatchLevel;
}

export interface TargetConfig {
  command: Command;
  protocol: 'stdio' | 'exec';
  workers: number;
  /** Per-case timeout in milliseconds. */
  timeoutMs: number;
  /** Absolute working directory of the target processes. */
  cwd: string;
  /** Largest accepted response line / stdout, in bytes. */
  maxOutputBytes: number;
}

export interface CompareConfig {
  level: MatchLevel;
  /** Lines that mark an error snapshot, e.g. `!!!ERROR!!!`. */
  errorMarkers: string[];
  /** Minimum message similarity (0..1) for `kind+line+message`. */
  similarity: number;
  normalize: NormalizeRule[];
  /** Per-case levels: case-id glob → level. First matching glob wins. */
  cases: Array<{ glob: string; level: MatchLevel }>;
}

export interface PorterConfig {
  /** Absolute path of the config file this came from. */
  configPath: string;
  /** Absolute folder of the config file; relative paths resolve against it. */
  configDir: string;
  /** Absolute root of the source project. */
  source: string;
  /** Globs relative to `source`. */
  snapshots: string[];
  phases: PhaseConfig[];
  target: TargetConfig;
  compare: CompareConfig;
  /** Absolute skip-list directory (holds `<phase>.txt`) or a single file. */
  skiplist: string;
  /** Absolute overrides directory. */
  overrides: string;
  /** Case-id globs that must match exactly, never be skipped or overridden. */
  protected: string[];
  /** Raw `agent` section, validated by the agent module. */
  agent?: unknown;
  /** `reports`: the folder, and how many runs keep their detail file in `<dir>/runs/`. */
  reports: { dir: string; keepRuns: number };
}
