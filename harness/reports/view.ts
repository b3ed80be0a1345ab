/**
 * The report model: everything the Markdown and HTML reporters show, computed once from
 * the history's summaries and the last run's detail (and the full run, when the caller
 * has it). Pure; renderers only format.
 */
import type { MatchHow } from '../judge/types.js';
import type { RunResult } from '../run/types.js';
import type { CaseStatus } from '../judge/case-status.js';
import type { StaleSkip } from '../skiplist/skiplist.js';
import { causeFields, clusterFailures, type Cluster } from './cluster.js';
import type {
  AgentSkip,
  AgentStats,
  AgentTotals,
  FailureDetail,
  HistoryRecord,
  OverrideEntry,
  PhaseCounts,
  RunDetail,
  SkippedCase,
  StatusChange,
  TamperEvent,
} from './history-types.js';
import { lastResults, recordFromRun } from './history.js';
import { failingCount, isFailing, isPassing, matchingCount, totalSummary } from '../judge/case-status.js';

export interface CaseView {
  id: string;
  phase: string;
  status: CaseStatus;
  how?: MatchHow;
  facet?: FailureDetail['facet'];
  reason?: string;
  diff?: string;
  expectedKind?: string;
  printed?: string;
  features?: string[];
  skipReason?: string;
  overrideReason?: string;
}

/** A skip entry with its age (`since`, `runs`), as the run's detail carries it. */
export type SkipView = SkippedCase;

export interface AgentView {
  latest: AgentStats;
  latestTime: string;
  /** Agent runs in the history, and their totals. */
  runs: number;
  cumulative: AgentTotals;
  /** Cumulative agent cost divided by the cases passing now. */
  costPerPassing: number | null;
  /** Cases the latest agent run took from failing to passing, when known, and their unit cost. */
  gained: number | null;
  costPerGained: number | null;
}

export interface ReportView {
  history: HistoryRecord[];
  latest: HistoryRecord | null;
  /** The last record with test results: the one the summary describes. */
  results: HistoryRecord | null;
  phases: PhaseCounts[];
  total: PhaseCounts;
  passing: number;
  changes: { newlyPassing: StatusChange[]; newlyFailing: StatusChange[]; other: StatusChange[] };
  cases: CaseView[];
  clusters: Array<Cluster<CaseView>>;
  failing: number;
  /** Failing cases whose details the history did not keep. */
  failuresOmitted: number;
  skips: SkipView[];
  overrides: OverrideEntry[];
  tamper: TamperEvent[];
  tamperInHistory: number;
  /** Cases the agent parked through `skip_case` in the latest run. */
  agentSkips: AgentSkip[];
  agent: AgentView | null;
  staleSkips: StaleSkip[];
  warnings: string[];
}

/** A unified diff, as opposed to stderr kept in the diff slot of a crashed case. */
export const looksLikeDiff = (s: string): boolean => /^(---|\+\+\+|@@|[-+ ])/.test(s) && /^(@@|[-+])/m.test(s);

/** What the reports are built from: every summary, and the details of the last runs only. */
export interface ReportInput {
  records: readonly HistoryRecord[];
  /** The detail of the last record with results; null when there is none or it cannot be read. */
  results: RunDetail | null;
  /** The detail of the last record, when that is another one (an agent run that never ran the suite). */
  latest?: RunDetail | null;
}

/** The input for `records`, asking `detailOf` for at most two details. */
export function reportInput(records: readonly HistoryRecord[], detailOf: (record: HistoryRecord) => RunDetail | null): ReportInput {
  const results = lastResults(records);
  const latest = records[records.length - 1];
  const input: ReportInput = { records, results: results ? detailOf(results) : null };
  if (latest && latest !== results) input.latest = detailOf(latest);
  return input;
}

export interface ViewOptions {
  /**
   * True when `latestRun` is already the last record with results in the input (as after
   * `writeReports`). When not given it is guessed from the record's time.
   */
  appended?: boolean;
}

/** Builds the view; `latestRun`, when given, supplies full case details (else the detail file's bounded ones). */
export function buildView(input: ReportInput, latestRun?: RunResult, options: ViewOptions = {}): ReportView {
  const records = [...input.records];
  let resultsDetail = input.results;
  let latestDetail = input.latest ?? null;
  const last = lastResults(records);
  const appended = options.appended ?? (last !== null && last.time === latestRun?.startedAt);
  if (latestRun && !appended) {
    // The caller rendered before (or without) appending: describe the run anyway.
    const built = recordFromRun(latestRun, last && resultsDetail ? { record: last, detail: resultsDetail } : null, { kind: 'test', rev: null });
    records.push(built.record);
    resultsDetail = latestDetail = built.detail;
  }
  const results = lastResults(records);
  const latest = records[records.length - 1] ?? null;
  if (latest === results) latestDetail = resultsDetail;
  const phases = results?.phases ?? [];
  const total = totalSummary(phases);

  // Every case the detail knows (a partial run's detail also holds the cases it did not run),
  // with the run's full details laid over the bounded ones the detail kept.
  const fromRun = new Map((latestRun ? casesFromRun(latestRun) : []).map((c) => [c.id, c]));
  const cases = casesFromDetail(results ? resultsDetail : null).map((c) => fromRun.get(c.id) ?? c);
  // Cases past the detail's limits have no reason or diff to cluster by.
  const detailed = new Set([...fromRun.keys(), ...(resultsDetail?.failures ?? []).map((f) => f.id)]);
  const failingCases = cases.filter((c) => isFailing(c.status) && detailed.has(c.id));
  const failing = failingCount(total);
  const changed = resultsDetail?.changed ?? [];
  const warnings = [...(resultsDetail?.warnings ?? [])];
  if (results && !resultsDetail) warnings.push(`the detail file of the ${results.kind} run of ${results.time} cannot be read, so its cases and failures are not shown`);

  return {
    history: records,
    latest,
    results,
    phases,
    total,
    passing: matchingCount(total),
    changes: {
      newlyPassing: changed.filter((c) => isPassing(c.to) && !isPassing(c.from)),
      newlyFailing: changed.filter((c) => isFailing(c.to) && !isFailing(c.from)),
      other: changed.filter((c) => !(isPassing(c.to) && !isPassing(c.from)) && !(isFailing(c.to) && !isFailing(c.from))),
    },
    cases,
    clusters: clusterFailures(failingCases),
    failing,
    failuresOmitted: Math.max(0, failing - failingCases.length),
    skips: resultsDetail?.skips ?? [],
    overrides: resultsDetail?.overrides ?? [],
    tamper: latestDetail?.tamper ?? [],
    tamperInHistory: records.reduce((n, r) => n + (r.tamperCount ?? 0), 0),
    agentSkips: latestDetail?.agentSkips ?? [],
    agent: agentView(records, total),
    staleSkips: resultsDetail?.staleSkips ?? [],
    warnings,
  };
}

function casesFromRun(run: RunResult): CaseView[] {
  return run.cases.map((c) => {
    const v: CaseView = { id: c.id, phase: c.phase, status: c.status };
    if (c.how) v.how = c.how;
    if (c.facet) v.facet = c.facet;
    const reason = c.reason ?? (c.status === 'crash' && c.stderrTail ? `crashed: ${c.stderrTail.split('\n').at(-1)}` : undefined);
    if (reason) v.reason = reason;
    const diff = c.diff ?? (c.status === 'crash' ? c.stderrTail : undefined);
    if (diff) v.diff = diff;
    const { expectedKind, printed, features } = causeFields(c);
    if (expectedKind) v.expectedKind = expectedKind;
    if (printed !== undefined) v.printed = printed;
    if (features) v.features = features;
    if (c.skipReason !== undefined) v.skipReason = c.skipReason;
    if (c.overrideReason !== undefined) v.overrideReason = c.overrideReason;
    return v;
  });
}

function casesFromDetail(record: RunDetail | null): CaseView[] {
  if (!record) return [];
  const details = new Map(record.failures?.map((f) => [f.id, f]));
  const skips = new Map(record.skips?.map((s) => [s.id, s.reason]));
  const overrides = new Map(record.overrides?.map((o) => [o.id, o.reason]));
  const out: CaseView[] = [];
  for (const [phase, ids] of Object.entries(record.statuses)) {
    for (const [id, status] of Object.entries(ids)) {
      const v: CaseView = { id, phase, status };
      const d = details.get(id);
      if (d) {
        if (d.facet) v.facet = d.facet;
        if (d.reason) v.reason = d.reason;
        if (d.diff) v.diff = d.diff;
        if (d.expectedKind) v.expectedKind = d.expectedKind;
        if (d.printed !== undefined) v.printed = d.printed;
        if (d.features) v.features = d.features;
      }
      const skip = skips.get(id);
      if (skip !== undefined) v.skipReason = skip;
      const override = overrides.get(id);
      if (override !== undefined) {
        v.overrideReason = override;
        if (status === 'pass') v.how = 'override';
      }
      out.push(v);
    }
  }
  return out;
}

function agentView(records: readonly HistoryRecord[], total: PhaseCounts): AgentView | null {
  const agentRecords = records.filter((r) => r.agent);
  const lastAgent = agentRecords[agentRecords.length - 1];
  if (!lastAgent?.agent) return null;
  const cumulative = emptyTotals();
  for (const r of agentRecords) addTotals(cumulative, r.agent!);
  const passingNow = matchingCount(total);

  // Gain of the latest agent run: passing at its end minus passing before it started.
  const at = records.indexOf(lastAgent);
  const before = lastResults(records.slice(0, at));
  const after = lastAgent.phases.length > 0 ? lastAgent : null;
  const gained = before && after ? matchingCount(totalSummary(after.phases)) - matchingCount(totalSummary(before.phases)) : null;
  return {
    latest: lastAgent.agent,
    latestTime: lastAgent.time,
    runs: agentRecords.length,
    cumulative,
    costPerPassing: passingNow > 0 ? cumulative.costUsd / passingNow : null,
    gained,
    costPerGained: gained !== null && gained > 0 ? lastAgent.agent.costUsd / gained : null,
  };
}

function emptyTotals(): AgentTotals {
  return { wallMs: 0, messages: 0, humanPrompts: 0, toolCalls: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0, models: [], iterations: 0, commits: 0 };
}

function addTotals(into: AgentTotals, t: AgentTotals): void {
  for (const k of ['wallMs', 'messages', 'humanPrompts', 'toolCalls', 'costUsd', 'iterations', 'commits'] as const) into[k] += t[k];
  for (const k of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) into.tokens[k] += t.tokens[k];
  for (const m of t.models) if (!into.models.includes(m)) into.models.push(m);
}
