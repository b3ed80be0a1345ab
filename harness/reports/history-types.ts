/**
 * The shape of the history in `reports/`: `history.jsonl` holds one compact, versioned
 * summary per `porter test` or `porter agent` run, kept forever; `runs/` holds one
 * compressed detail file per run (every case's status, failures with their diffs, the
 * skip-list), kept for the newest runs. Reports are rendered from the summaries and the
 * last run's detail, so their cost does not grow with the cases of every earlier run.
 */
import type { StopReason, Usage } from './usage.js';
import type { Facet } from '../judge/types.js';
import type { CaseStatus, PhaseSummary } from '../judge/case-status.js';
import type { StaleSkip } from '../skiplist/skiplist.js';
import type { SourceRevision } from '../util/source-revision.js';

/** Version 1 records held every case's status inline (see history-legacy.ts); 2 split them into summary and detail. */
export const HISTORY_VERSION = 2;

/**
 * Changed case ids a summary lists (its `changedCount` counts them all; the run's detail
 * file has every change, with from → to). Ids only, as plain strings: 50 ids of typical
 * length are about 2.5 KB and parse in a few microseconds, where the same changes as
 * objects took six times as long, and every report reads every summary.
 */
export const CHANGED_IDS_CAP = 50;

/** Agent spend and activity over some span (a phase, or a whole run): what a maintainer reads to judge a run. */
export interface AgentTotals {
  wallMs: number;
  /** Messages exchanged with the model (requests + responses), as the MiniJinja write-up counts them. */
  messages: number;
  /** Maintainer messages: the task prompts, notes and queued "continue" prompts. */
  humanPrompts: number;
  toolCalls: number;
  tokens: Usage;
  costUsd: number;
  /** Every model used, in first-use order. */
  models: string[];
  iterations: number;
  commits: number;
}

/** Stats of one `porter agent` run; filled by the agent loop, rendered by the reports. */
export interface AgentStats extends AgentTotals {
  /** The agent backend's registry name. */
  backend?: string;
  stopReason: StopReason;
  /** One line: why it stopped, e.g. "budget $20.00 reached". */
  stopDetail?: string;
  /** Per phase the agent worked on, in the order it worked on them. */
  phases: Array<AgentTotals & { phase: string }>;
  /** Per worker of a parallel run; absent on single-agent runs. */
  workers?: WorkerFigures[];
  /** The merge queue's outcome of a parallel run; absent on single-agent runs. */
  merges?: MergeCounts;
}

/** One worker of a parallel agent run: what it took, what the merge queue did with it, what it cost. */
export interface WorkerFigures {
  id: string;
  /** Items it worked on (each attempt counts). */
  items: number;
  merged: number;
  rejected: number;
  conflicts: number;
  costUsd: number;
  /** Time spent working on items; shown as a share of the run's wall time. */
  busyMs: number;
}

/** What the merge queue did with the results of a parallel run. */
export interface MergeCounts {
  accepted: number;
  rejected: number;
  conflicts: number;
  superseded: number;
}

/** Per-phase counts: a record keeps the run's PhaseSummary as it was. */
export type PhaseCounts = PhaseSummary;

/** A case whose status differs from the previous record; null = absent from that record. */
export interface StatusChange {
  id: string;
  phase: string;
  from: CaseStatus | null;
  to: CaseStatus | null;
}

/** A write to the tests that the guard refused or undid. */
export interface TamperEvent {
  path: string;
  action: 'restored' | 'refused';
  detail: string;
  iteration?: number;
  time?: string;
}

/** A case on the skip-list in a run (status `skip` or `unexpected-pass`). */
export interface SkippedCase {
  id: string;
  phase: string;
  reason: string;
  status: 'skip' | 'unexpected-pass';
  /**
   * Time of the first run of the unbroken series of runs with results in which the case
   * was on the skip-list, carried forward from the previous run's detail.
   */
  since: string;
  /** How many runs with results in a row it has been on the list. */
  runs: number;
}

export interface OverrideEntry {
  id: string;
  phase: string;
  reason: string;
}

/** A case the agent parked through its `skip_case` tool. */
export interface AgentSkip {
  id: string;
  reason: string;
  iteration?: number;
}

/** What the reports show about one failing (or skipped) case, bounded (see DetailLimits). */
export interface FailureDetail {
  id: string;
  phase: string;
  status: CaseStatus;
  facet?: Facet;
  reason?: string;
  /** Unified diff, truncated to the limits. */
  diff?: string;
  expectedKind?: string;
  actualKind?: string;
  /** What the target printed, in one line: its error, or its first non-blank line ('' for nothing). */
  printed?: string;
  /** Words of the case's input (bounded): clustering groups cases by the rare ones they share. */
  features?: string[];
}

/** One line of `history.jsonl`: the summary of one run, bounded in size. */
export interface HistoryRecord {
  v: typeof HISTORY_VERSION;
  kind: 'test' | 'agent';
  /** ISO time the run started. */
  time: string;
  /** The workspace's git revision, or null outside a repository. */
  rev: string | null;
  /** The source project's revision and whether its checkout had uncommitted changes; absent outside git. */
  source?: SourceRevision;
  durationMs: number;
  /** Empty when the record carries no test results (an agent run that never ran the suite). */
  phases: PhaseCounts[];
  /** How many cases changed status since the previous record with results. */
  changedCount: number;
  /** The ids of the first `CHANGED_IDS_CAP` of them. */
  changedIds: string[];
  /** True when the run covered only some cases (`--phase`, `--filter`); the rest carry over. */
  partial?: boolean;
  agent?: AgentStats;
  /** Tamper events in the run; the events themselves are in its detail. */
  tamperCount?: number;
  /** The run's detail file, a name in `runs/` next to history.jsonl (gone once past `reports.keep_runs`). */
  detail?: string;
}

/** A run's detail file in `runs/`: what the reports show about that run case by case. */
export interface RunDetail {
  v: typeof HISTORY_VERSION;
  /** The time of its summary. */
  time: string;
  /** phase → case id → status: every case known at this run (a partial run's too). */
  statuses: Record<string, Record<string, CaseStatus>>;
  /** Every case whose status changed since the previous record with results. */
  changed: StatusChange[];
  skips?: SkippedCase[];
  overrides?: OverrideEntry[];
  tamper?: TamperEvent[];
  agentSkips?: AgentSkip[];
  /** Failing cases, then skipped ones (their diffs show why they are parked); bounded. */
  failures?: FailureDetail[];
  /** Failing cases left out of `failures` by the limits. */
  failuresOmitted?: number;
  staleSkips?: StaleSkip[];
  warnings?: string[];
}

/** A run as recorded: its summary and its detail. */
export interface RecordedRun {
  record: HistoryRecord;
  detail: RunDetail;
}

/** Bounds on what one run's detail keeps about failures, so the reports stay small. */
export interface DetailLimits {
  maxFailures: number;
  maxDiffLines: number;
  maxDiffChars: number;
  /** All diffs of one record together. */
  maxTotalDiffChars: number;
  maxReasonChars: number;
  maxWarnings: number;
}

export const DEFAULT_LIMITS: DetailLimits = {
  maxFailures: 200,
  maxDiffLines: 40,
  maxDiffChars: 4000,
  maxTotalDiffChars: 200_000,
  maxReasonChars: 300,
  maxWarnings: 50,
};
