/**
 * `reports/history.jsonl`: building a record from a run, appending it durably, and reading
 * the file back tolerantly (a torn last line is skipped with a warning, older records are
 * normalised to the current shape).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CaseResult, RunResult } from '../run/types.js';
import { countCase, emptySummary, isFailing, isSkipListed, type CaseStatus } from '../judge/case-status.js';
import {
  DEFAULT_LIMITS,
  HISTORY_VERSION,
  type AgentSkip,
  type AgentStats,
  type DetailLimits,
  type FailureDetail,
  type HistoryRecord,
  type OverrideEntry,
  type PhaseCounts,
  type SkippedCase,
  type StatusChange,
  type TamperEvent,
} from './history-types.js';
import { normalizeRecord } from './history-normalize.js';
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

/** id → { phase, status } over a record's phase-grouped status map. */
export function flattenStatuses(record: HistoryRecord | null): Map<string, { phase: string; status: CaseStatus }> {
  const map = new Map<string, { phase: string; status: CaseStatus }>();
  if (!record) return map;
  for (const [phase, ids] of Object.entries(record.statuses)) {
    for (const [id, status] of Object.entries(ids)) map.set(id, { phase, status });
  }
  return map;
}

/**
 * Builds the history record of a run. `previous` is the last record with results
 * (see `lastResults`); `changed` is computed against it. `result` may be null for an
 * agent run that never ran the suite: the record then carries only the agent's stats.
 */
export function recordFromRun(result: RunResult | null, previous: HistoryRecord | null, extra: RecordExtra): HistoryRecord {
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
    changed: [],
    statuses: {},
  };
  if (result) Object.assign(record, resultsPart(result, previous, extra.partial === true, limits));
  if (extra.agent) record.agent = extra.agent;
  if (extra.tamper?.length) record.tamper = extra.tamper;
  if (extra.agentSkips?.length) record.agentSkips = extra.agentSkips;
  return record;
}

function resultsPart(result: RunResult, previous: HistoryRecord | null, partial: boolean, limits: DetailLimits): Partial<HistoryRecord> {
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

  const statuses: Record<string, Record<string, CaseStatus>> = {};
  const put = (phase: string, id: string, status: CaseStatus) => ((statuses[phase] ??= {})[id] = status);
  for (const p of result.phases) statuses[p.phase] = {};
  for (const c of result.cases) put(c.phase, c.id, c.status);
  // A partial run only speaks for the cases it ran; the others keep their last known status.
  if (partial) for (const [id, { phase, status }] of prev) if (!ran.has(id)) put(phase, id, status);

  const carried = (list: Array<{ id: string }> | undefined, keep: (s: CaseStatus) => boolean) =>
    partial ? (list ?? []).filter((e) => !ran.has(e.id) && keep(prev.get(e.id)?.status ?? 'pass')) : [];

  const skips: SkippedCase[] = result.cases
    .filter((c) => isSkipListed(c.status))
    .map((c) => ({ id: c.id, phase: c.phase, reason: c.skipReason ?? '', status: c.status as SkippedCase['status'] }));
  skips.push(...(carried(previous?.skips, isSkipListed) as SkippedCase[]));

  const overrides: OverrideEntry[] = result.cases
    .filter((c) => c.overrideReason !== undefined)
    .map((c) => ({ id: c.id, phase: c.phase, reason: c.overrideReason ?? '' }));
  overrides.push(...(carried(previous?.overrides, () => true) as OverrideEntry[]));

  // Failing cases first; then skipped ones, whose diffs show why they are parked.
  const detailed = (keep: (s: CaseStatus) => boolean) => [
    ...result.cases.filter((c) => keep(c.status)).map((c) => failureDetail(c, limits)),
    ...(carried(previous?.failures, keep) as FailureDetail[]),
  ];
  const failing = detailed(isFailing);
  const { kept, omitted } = boundFailures([...failing, ...detailed((s) => s === 'skip')], limits);

  const part: Partial<HistoryRecord> = {
    phases: partial ? mergePhaseCounts(result, previous, statuses) : result.phases.map((p) => ({ ...p })),
    changed,
    statuses,
  };
  if (partial) part.partial = true;
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
function mergePhaseCounts(result: RunResult, previous: HistoryRecord | null, statuses: HistoryRecord['statuses']): PhaseCounts[] {
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

/** Appends one record as one line and flushes it to disk before returning. */
export function appendHistory(file: string, record: HistoryRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a+');
  try {
    // A run killed mid-write leaves a line without its newline; start on a fresh line so
    // this record is not glued to the torn one.
    const size = fs.fstatSync(fd).size;
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    fs.writeSync(fd, `${lead}${JSON.stringify(record)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface HistoryRead {
  records: HistoryRecord[];
  /** One line each: a skipped torn or unreadable line, a normalised old record. */
  warnings: string[];
}

/** Reads the history; a missing file is an empty history. Never throws on bad content. */
export function readHistory(file: string): HistoryRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [] };
    return { records: [], warnings: [`${file}: cannot read history (${(err as Error).message}); reports start from an empty history`] };
  }
  return parseHistory(text, file);
}

export function parseHistory(text: string, file: string): HistoryRead {
  const records: HistoryRecord[] = [];
  const warnings: string[] = [];
  const ages = { older: 0, newer: 0 };
  const lines = text.split('\n');
  const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      warnings.push(
        i === lastIndex && !text.endsWith('\n')
          ? `${file}:${i + 1}: truncated last record skipped (a run was interrupted while writing it)`
          : `${file}:${i + 1}: unreadable record skipped (not JSON)`,
      );
      return;
    }
    const n = normalizeRecord(raw);
    if (!n.ok) {
      warnings.push(`${file}:${i + 1}: record skipped: ${n.message}`);
      return;
    }
    if (n.age !== 'current') ages[n.age]++;
    records.push(n.record);
  });
  if (ages.older) warnings.push(`${file}: ${ages.older} record(s) from an older Porter loaded with missing fields defaulted`);
  if (ages.newer) warnings.push(`${file}: ${ages.newer} record(s) from a newer Porter loaded; fields this version does not know are ignored`);
  return { records, warnings };
}

/** The workspace's HEAD commit, or null when `dir` is not in a git repository (or git is missing). */
export async function gitRevision(dir: string): Promise<string | null> {
  const r = await runProcess(['git', 'rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir });
  const rev = r.stdout.text.trim();
  return r.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(rev) ? rev : null;
}
