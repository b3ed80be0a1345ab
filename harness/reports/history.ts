/**
 * A history record from a run: the summary that `history.jsonl` keeps forever and the
 * detail that `runs/` keeps for the newest runs. Pure; history-file.ts and run-details.ts
 * put them on disk.
 */
import type { CaseResult, RunResult } from '../run/types.js';
import { countCase, emptySummary, isFailing, isSkipListed, type CaseStatus } from '../judge/case-status.js';
import {
  CHANGED_IDS_CAP,
  DEFAULT_LIMITS,
  HISTORY_VERSION,
  type AgentSkip,
  type AgentStats,
  type DetailLimits,
  type FailureDetail,
  type HistoryRecord,
  type OverrideEntry,
  type PhaseCounts,
  type RecordedRun,
  type RunDetail,
  type SkippedCase,
  type StatusChange,
  type TamperEvent,
} from './history-types.js';
import { oneLine, truncateText } from './text.js';
import { causeFields } from './cluster.js';
import { runProcess } from '../util/process.js';
import type { SourceRevision } from '../util/source-revision.js';

export interface RecordExtra {
  kind: 'test' | 'agent';
  rev: string | null;
  /** The source project's revision, when `source` is in a git repository. */
  source?: SourceRevision | null;
  /** ISO start time; defaults to the run's `startedAt`. Required when there is no run. */
  time?: string;
  /** Defaults to the run's duration (or the agent's wall time). */
  durationMs?: number;
  /** The run covered only some cases (`--phase`, `--filter`): cases it did not run carry over. */
  partial?: boolean;
  agent?: AgentStats;
  tamper?: TamperEvent[];
  agentSkips?: AgentSkip[];
  limits?: Partial<DetailLimits>;
}

/** The last record that carries test results: the one to diff the next run against. */
export function lastResults(records: readonly HistoryRecord[]): HistoryRecord | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.phases.length > 0) return r;
  }
  return null;
}

/** id → { phase, status } over a detail's phase-grouped status map. */
export function flattenStatuses(detail: RunDetail | null): Map<string, { phase: string; status: CaseStatus }> {
  const map = new Map<string, { phase: string; status: CaseStatus }>();
  if (!detail) return map;
  for (const [phase, ids] of Object.entries(detail.statuses)) {
    for (const [id, status] of Object.entries(ids)) map.set(id, { phase, status });
  }
  return map;
}

/**
 * How long a case has been on the skip-list, given the skip entries of the previous run
 * with results: one more run of the same series, or a new series starting at `time`.
 * Carrying this forward run by run is what lets the reports show an entry's age without
 * reading the per-case detail of every earlier run.
 */
export function skipStreak(previous: ReadonlyMap<string, SkippedCase>, id: string, time: string): { since: string; runs: number } {
  const p = previous.get(id);
  return p ? { since: p.since, runs: p.runs + 1 } : { since: time, runs: 1 };
}

/**
 * Builds the record of a run. `previous` is the last run with results (see `lastResults`),
 * with its detail; `changed` is computed against it. `result` may be null for an agent
 * run that never ran the suite: the record then carries only the agent's stats.
 */
export function recordFromRun(result: RunResult | null, previous: RecordedRun | null, extra: RecordExtra): RecordedRun {
  const limits = { ...DEFAULT_LIMITS, ...extra.limits };
  const time = extra.time ?? result?.startedAt;
  if (time === undefined) throw new Error('recordFromRun: a record without a run needs extra.time');
  const record: HistoryRecord = {
    v: HISTORY_VERSION,
    kind: extra.kind,
    time,
    rev: extra.rev,
    ...(extra.source ? { source: { rev: extra.source.rev, dirty: extra.source.dirty } } : {}),
    durationMs: extra.durationMs ?? result?.durationMs ?? extra.agent?.wallMs ?? 0,
    phases: [],
    changedCount: 0,
    changedIds: [],
  };
  const detail: RunDetail = { v: HISTORY_VERSION, time, statuses: {}, changed: [] };
  if (result) {
    const partial = extra.partial === true;
    Object.assign(detail, resultsPart(result, previous?.detail ?? null, partial, limits, time));
    record.phases = partial ? mergePhaseCounts(result, previous?.record ?? null, detail.statuses) : result.phases.map((p) => ({ ...p }));
    if (partial) record.partial = true;
    record.changedCount = detail.changed.length;
    record.changedIds = detail.changed.slice(0, CHANGED_IDS_CAP).map((c) => c.id);
  }
  if (extra.agent) record.agent = extra.agent;
  if (extra.tamper?.length) {
    detail.tamper = extra.tamper;
    record.tamperCount = extra.tamper.length;
  }
  if (extra.agentSkips?.length) detail.agentSkips = extra.agentSkips;
  return { record, detail };
}

function resultsPart(result: RunResult, previous: RunDetail | null, partial: boolean, limits: DetailLimits, time: string): Partial<RunDetail> {
  const prev = flattenStatuses(previous);
  const ran = new Set(result.cases.map((c) => c.id));
  const changed: StatusChange[] = [];
  if (previous) {
    for (const c of result.cases) {
      const from = prev.get(c.id)?.status ?? null;
      if (from !== c.status) changed.push({ id: c.id, phase: c.phase, from, to: c.status });
    }
    if (!partial) {
      for (const [id, { phase, status }] of prev) if (!ran.has(id)) changed.push({ id, phase, from: status, to: null });
    }
  }

  const statuses: RunDetail['statuses'] = {};
  const put = (phase: string, id: string, status: CaseStatus) => ((statuses[phase] ??= {})[id] = status);
  for (const p of result.phases) statuses[p.phase] = {};
  for (const c of result.cases) put(c.phase, c.id, c.status);
  // A partial run only speaks for the cases it ran; the others keep their last known status.
  if (partial) for (const [id, { phase, status }] of prev) if (!ran.has(id)) put(phase, id, status);

  const carried = <T extends { id: string }>(list: T[] | undefined, keep: (s: CaseStatus) => boolean): T[] =>
    partial ? (list ?? []).filter((e) => !ran.has(e.id) && keep(prev.get(e.id)?.status ?? 'pass')) : [];

  const previousSkips = new Map((previous?.skips ?? []).map((s) => [s.id, s]));
  const skips: SkippedCase[] = result.cases
    .filter((c) => isSkipListed(c.status))
    .map((c) => ({ id: c.id, phase: c.phase, reason: c.skipReason ?? '', status: c.status as SkippedCase['status'], ...skipStreak(previousSkips, c.id, time) }));
  skips.push(...carried(previous?.skips, isSkipListed).map((s) => ({ ...s, ...skipStreak(previousSkips, s.id, time) })));

  const overrides: OverrideEntry[] = result.cases
    .filter((c) => c.overrideReason !== undefined)
    .map((c) => ({ id: c.id, phase: c.phase, reason: c.overrideReason ?? '' }));
  overrides.push(...carried(previous?.overrides, () => true));

  // Failing cases first; then skipped ones, whose diffs show why they are parked.
  const detailed = (keep: (s: CaseStatus) => boolean) => [
    ...result.cases.filter((c) => keep(c.status)).map((c) => failureDetail(c, limits)),
    ...carried(previous?.failures, keep),
  ];
  const failing = detailed(isFailing);
  const { kept, omitted } = boundFailures([...failing, ...detailed((s) => s === 'skip')], limits);

  const part: Partial<RunDetail> = { changed, statuses };
  if (skips.length) part.skips = skips;
  if (overrides.length) part.overrides = overrides;
  if (kept.length) part.failures = kept;
  if (omitted) part.failuresOmitted = omitted;
  if (result.staleSkips.length) part.staleSkips = result.staleSkips;
  if (result.warnings.length) part.warnings = result.warnings.slice(0, limits.maxWarnings).map((w) => oneLine(w, limits.maxReasonChars));
  return part;
}

function failureDetail(c: CaseResult, limits: DetailLimits): FailureDetail {
  const d: FailureDetail = { id: c.id, phase: c.phase, status: c.status };
  if (c.facet) d.facet = c.facet;
  const reason = c.reason ?? (c.status === 'crash' && c.stderrTail ? `crashed: ${c.stderrTail}` : undefined);
  if (reason) d.reason = oneLine(reason, limits.maxReasonChars);
  const diff = c.diff ?? (c.status === 'crash' ? c.stderrTail : undefined);
  if (diff) d.diff = truncateText(diff, limits.maxDiffLines, limits.maxDiffChars).text;
  return { ...d, ...causeFields(c) };
}

/** Keeps the first `maxFailures`; once the diffs' total budget is spent, later ones keep only their reason. */
function boundFailures(all: FailureDetail[], limits: DetailLimits): { kept: FailureDetail[]; omitted: number } {
  const kept = all.slice(0, limits.maxFailures);
  const omitted = all.slice(limits.maxFailures).filter((f) => isFailing(f.status)).length;
  let budget = limits.maxTotalDiffChars;
  for (const f of kept) {
    if (f.diff === undefined) continue;
    if (f.diff.length > budget) delete f.diff;
    else budget -= f.diff.length;
  }
  return { kept, omitted };
}

/** Counts of a partial run: statuses from the merged map, overrides/fuzzy from the run where it ran. */
function mergePhaseCounts(result: RunResult, previous: HistoryRecord | null, statuses: RunDetail['statuses']): PhaseCounts[] {
  const fromRun = new Map(result.phases.map((p) => [p.phase, p]));
  const fromPrev = new Map((previous?.phases ?? []).map((p) => [p.phase, p]));
  const order = [...new Set([...(previous?.phases ?? []).map((p) => p.phase), ...result.phases.map((p) => p.phase)])];
  return order.map((phase) => {
    const counts = emptySummary(phase);
    for (const status of Object.values(statuses[phase] ?? {})) countCase(counts, status);
    const how = fromRun.get(phase) ?? fromPrev.get(phase);
    counts.overrides = how?.overrides ?? 0;
    counts.fuzzy = how?.fuzzy ?? 0;
    return counts;
  });
}

/** The workspace's HEAD commit, or null when `dir` is not in a git repository (or git is missing). */
export async function gitRevision(dir: string): Promise<string | null> {
  const r = await runProcess(['git', 'rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir });
  const rev = r.stdout.text.trim();
  return r.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(rev) ? rev : null;
}
