/**
 * The shape of `reports/history.jsonl`: one versioned record per `porter test` or
 * `porter agent` run. Reports (Markdown, HTML) are rendered from these records alone,
 * so a record carries everything they show, bounded in size.
 */
import type { StopReason, Usage } from './usage.js';
import type { Facet } from '../judge/types.js';
import type { CaseStatus, PhaseSummary } from '../judge/case-status.js';
import type { StaleSkip } from '../skiplist/skiplist.js';
import type { SourceRevision } from '../util/source-revision.js';

export const HISTORY_VERSION = 1;

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

/** A case on the skip-list in this record (status `skip` or `unexpected-pass`). */
export interface SkippedCase {
  id: string;
  phase: string;
  reason: string;
  status: 'skip' | 'unexpected-pass';
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
  changed: StatusChange[];
  /** phase → case id → status: every case known at this record. */
  statuses: Record<string, Record<string, CaseStatus>>;
  /** True when the run covered only some cases (`--phase`, `--filter`); the rest carry over. */
  partial?: boolean;
  agent?: AgentStats;
  tamper?: TamperEvent[];
  skips?: SkippedCase[];
  overrides?: OverrideEntry[];
  agentSkips?: AgentSkip[];
  /** Failing cases, then skipped ones (their diffs show why they are parked); bounded. */
  failures?: FailureDetail[];
  /** Failing cases left out of `failures` by the limits. */
  failuresOmitted?: number;
  staleSkips?: StaleSkip[];
  warnings?: string[];
}

/** Bounds on what one record keeps about failures, so the history stays small. */
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
