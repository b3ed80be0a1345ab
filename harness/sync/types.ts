/**
 * What `porter sync` finds between two revisions of the source project. This is also the
 * `--json` output, so its field names are a contract (`metadata_only`, `old_expected`, ...).
 */
import type { Revision } from './source-repo.js';

/** Why a case counts as changed: its expected output (after insta's normalisation), its input file, or its phase's extra files. */
export type ChangeReason = 'expected' | 'input' | 'files';

/** A case added or removed upstream. */
export interface DriftCase {
  id: string;
  /** Its phase: at `to` for an added case, at `from` for a removed one. */
  phase: string;
  /** Short hashes of the commits in the range that touched its files, newest first. */
  commits: string[];
}

export interface ChangedCase extends DriftCase {
  reasons: ChangeReason[];
  /** The snapshot body at `from` and at `to`, as insta reads it. */
  old_expected: string;
  new_expected: string;
  /** Unified diff of the expected output, `from` → `to`; empty when only the input or files changed. */
  diff: string;
  /** Unified diff of the input file, when it changed. */
  input_diff?: string;
  /** The phase's extra files that changed, when they did. */
  changed_files?: string[];
  /** Why the case cannot run at `to` when it could at `from` (its input is gone or ambiguous). */
  problem?: string;
}

/** A snapshot that changed only where insta does not look (header fields, trailing whitespace): not drift. */
export interface MetadataOnlyCase {
  id: string;
  phase: string;
  /** Header fields that changed (`expression`, `assertion_line`, ...), and `body` for whitespace insta ignores. */
  fields: string[];
}

export interface UpstreamCommit {
  hash: string;
  subject: string;
}

export interface Drift {
  /** The source folder. */
  source: string;
  from: Revision;
  to: Revision;
  /** True when there is something to port: a case added, removed or changed. */
  drift: boolean;
  added: DriftCase[];
  removed: DriftCase[];
  changed: ChangedCase[];
  metadata_only: MetadataOnlyCase[];
  /** Commits in `from..to` that touched the suite's files, newest first. */
  commits: UpstreamCommit[];
}
