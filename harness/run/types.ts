import type { ErrorFacets, MatchHow, Facet } from '../judge/types.js';
import type { MatchLevel } from '../config/types.js';
import type { CaseStatus, PhaseSummary, RawStatus } from '../judge/case-status.js';
import type { StaleSkip } from '../skiplist/skiplist.js';

/** One case's result: the unit every reporter (terminal, JSON, Markdown, HTML, JUnit) reads. */
export interface CaseResult {
  id: string;
  phase: string;
  status: CaseStatus;
  /** How it matched, for passes and unexpected passes. */
  how?: MatchHow;
  level?: MatchLevel;
  /** The facet that differed, for failures. */
  facet?: Facet;
  /** One line: why it failed, timed out, crashed or errored. */
  reason?: string;
  diff?: string;
  similarity?: number;
  expectedFacets?: ErrorFacets;
  actualFacets?: ErrorFacets;
  /** The skip-list reason, when the case is skipped. */
  skipReason?: string;
  /** The override reason, when an override supplied the expected output. */
  overrideReason?: string;
  protected?: boolean;
  /** The status the case would have without the skip-list (pass/fail/timeout/crash/error). */
  rawStatus: RawStatus;
  durationMs: number;
  inputPath?: string;
  snapshotPath: string;
  /** The target's output (truncated), for failing cases, so reports can show it. */
  actual?: string;
  stderrTail?: string;
  /** Words of the input (tags, filters, names), for failing cases: clustering groups by them. */
  features?: string[];
}

export interface RunResult {
  version: 1;
  startedAt: string;
  durationMs: number;
  phases: PhaseSummary[];
  cases: CaseResult[];
  staleSkips: StaleSkip[];
  warnings: string[];
}
