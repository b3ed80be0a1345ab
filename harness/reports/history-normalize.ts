/**
 * Brings what a history file holds, written by any Porter version, to the current shapes:
 * a `history.jsonl` line and a `runs/` detail file. Lines of version 2 and later are
 * summaries; lines of version 1 and older are legacy records with every case's status
 * inline, split here into a summary and a detail. Older records lack fields (filled with
 * defaults) or use older shapes (phases keyed by name, a flat id → status map); newer ones
 * load best-effort with their extra fields ignored.
 */
import { CASE_STATUSES, type CaseStatus } from '../judge/case-status.js';
import type { StopReason } from './usage.js';
import {
  CHANGED_IDS_CAP,
  HISTORY_VERSION,
  type AgentStats,
  type AgentTotals,
  type HistoryRecord,
  type MergeCounts,
  type PhaseCounts,
  type RecordedRun,
  type RunDetail,
  type StatusChange,
  type WorkerFigures,
} from './history-types.js';

export type Normalized =
  | { ok: true; record: HistoryRecord; age: 'current' | 'newer' }
  /** A version 1 (or older) record: its detail's skip ages still need the records before it (history-legacy.ts). */
  | { ok: true; legacy: RecordedRun; age: 'v1' | 'older' }
  | { ok: false; message: string };

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown, d = 0): number => (typeof x === 'number' && Number.isFinite(x) ? x : d);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const objs = (x: unknown): Obj[] => (Array.isArray(x) ? x.filter(isObj) : []);

const STATUS_ALIASES: Record<string, CaseStatus> = { xpass: 'unexpected-pass', unexpectedPass: 'unexpected-pass', passed: 'pass', failed: 'fail', skipped: 'skip' };

export function toStatus(x: unknown): CaseStatus | null {
  if (typeof x !== 'string') return null;
  if ((CASE_STATUSES as readonly string[]).includes(x)) return x as CaseStatus;
  return STATUS_ALIASES[x] ?? null;
}

/** A detail file names a file in `runs/`: never a path that leads elsewhere. */
export const DETAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** One parsed `history.jsonl` line. */
export function normalizeRecord(raw: unknown): Normalized {
  if (!isObj(raw)) return { ok: false, message: 'not a JSON object' };
  const v = num(raw.v, 0);
  const time = str(raw.time) ?? str(raw.startedAt) ?? str(raw.timestamp);
  if (time === undefined) {
    return { ok: false, message: v > HISTORY_VERSION ? `written by a newer Porter (history version ${v}); upgrade Porter to read it` : 'no "time" field' };
  }

  const phases = normPhases(raw.phases);
  // A summary lists changed ids; a legacy record lists every change.
  const changed = v >= 2 ? [] : normChanged(raw.changed);
  const record: HistoryRecord = {
    v: HISTORY_VERSION,
    kind: raw.kind === 'agent' || raw.kind === 'test' ? raw.kind : isObj(raw.agent) ? 'agent' : 'test',
    time,
    rev: str(raw.rev) ?? str(raw.revision) ?? null,
    durationMs: num(raw.durationMs),
    phases,
    changedCount: changed.length,
    changedIds: changed.slice(0, CHANGED_IDS_CAP).map((c) => c.id),
  };
  if (isObj(raw.source) && typeof raw.source.rev === 'string') record.source = { rev: raw.source.rev, dirty: raw.source.dirty === true };
  if (raw.partial === true) record.partial = true;
  if (isObj(raw.agent)) record.agent = normAgent(raw.agent);
  if (v >= 2) {
    if (Array.isArray(raw.changedIds)) record.changedIds = raw.changedIds.filter((id): id is string => typeof id === 'string').slice(0, CHANGED_IDS_CAP);
    record.changedCount = Math.max(record.changedIds.length, num(raw.changedCount));
    if (num(raw.tamperCount) > 0) record.tamperCount = num(raw.tamperCount);
    if (typeof raw.detail === 'string' && DETAIL_NAME.test(raw.detail)) record.detail = raw.detail;
    return { ok: true, record, age: v === HISTORY_VERSION ? 'current' : 'newer' };
  }
  const detail = detailParts(raw, time, changed, phases);
  if (detail.tamper?.length) record.tamperCount = detail.tamper.length;
  return { ok: true, legacy: { record, detail }, age: v === 1 ? 'v1' : 'older' };
}

/** A parsed detail file; null when it is not one. `time` is its summary's, for skip entries that lack theirs. */
export function normalizeDetail(raw: unknown, time: string): RunDetail | null {
  if (!isObj(raw) || !isObj(raw.statuses)) return null;
  return detailParts(raw, str(raw.time) ?? time, normChanged(raw.changed), []);
}

/** The per-case part, as a detail file and a legacy record both hold it. */
function detailParts(raw: Obj, time: string, changed: StatusChange[], phases: PhaseCounts[]): RunDetail {
  const detail: RunDetail = { v: HISTORY_VERSION, time, statuses: normStatuses(raw.statuses, changed, phases), changed };
  const tamper = objs(raw.tamper).filter((t) => str(t.path) !== undefined);
  if (tamper.length) {
    detail.tamper = tamper.map((t) => ({
      path: t.path as string,
      action: t.action === 'refused' ? 'refused' : 'restored',
      detail: str(t.detail) ?? '',
      ...(typeof t.iteration === 'number' ? { iteration: t.iteration } : {}),
      ...(str(t.time) ? { time: t.time as string } : {}),
    }));
  }
  const withId = (list: unknown) => objs(list).filter((e) => typeof e.id === 'string');
  const skips = withId(raw.skips);
  if (skips.length) {
    detail.skips = skips.map((s) => ({
      id: s.id as string,
      phase: str(s.phase) ?? '',
      reason: str(s.reason) ?? '',
      status: s.status === 'unexpected-pass' ? 'unexpected-pass' : 'skip',
      since: str(s.since) ?? time,
      runs: Math.max(1, num(s.runs, 1)),
    }));
  }
  const overrides = withId(raw.overrides);
  if (overrides.length) detail.overrides = overrides.map((o) => ({ id: o.id as string, phase: str(o.phase) ?? '', reason: str(o.reason) ?? '' }));
  const agentSkips = withId(raw.agentSkips);
  if (agentSkips.length) {
    detail.agentSkips = agentSkips.map((s) => ({
      id: s.id as string,
      reason: str(s.reason) ?? '',
      ...(typeof s.iteration === 'number' ? { iteration: s.iteration } : {}),
    }));
  }
  const failures = withId(raw.failures);
  if (failures.length) {
    detail.failures = failures.map((f) => {
      const d: NonNullable<RunDetail['failures']>[number] = { id: f.id as string, phase: str(f.phase) ?? '', status: toStatus(f.status) ?? 'fail' };
      for (const key of ['reason', 'diff', 'expectedKind', 'actualKind', 'printed'] as const) if (typeof f[key] === 'string') d[key] = f[key] as string;
      if (Array.isArray(f.features)) d.features = f.features.filter((w): w is string => typeof w === 'string');
      if (typeof f.facet === 'string') d.facet = f.facet as NonNullable<typeof d.facet>;
      return d;
    });
  }
  if (typeof raw.failuresOmitted === 'number') detail.failuresOmitted = raw.failuresOmitted;
  const stale = objs(raw.staleSkips).filter((s) => typeof s.pattern === 'string');
  if (stale.length) detail.staleSkips = stale.map((s) => ({ file: str(s.file) ?? '', line: num(s.line), pattern: s.pattern as string }));
  if (Array.isArray(raw.warnings)) {
    const w = raw.warnings.filter((x): x is string => typeof x === 'string');
    if (w.length) detail.warnings = w;
  }
  return detail;
}

/** Accepts the current array form and an older `{ <phase>: counts }` object form. */
function normPhases(x: unknown): PhaseCounts[] {
  const entries: Array<[string, Obj]> = Array.isArray(x)
    ? objs(x).filter((p) => typeof p.phase === 'string').map((p) => [p.phase as string, p])
    : isObj(x)
      ? Object.entries(x).filter((e): e is [string, Obj] => isObj(e[1]))
      : [];
  return entries.map(([phase, p]) => {
    const c: PhaseCounts = {
      phase,
      total: 0,
      pass: num(p.pass),
      fail: num(p.fail),
      skip: num(p.skip),
      unexpectedPass: num(p.unexpectedPass ?? p['unexpected-pass'] ?? p.xpass),
      timeout: num(p.timeout),
      crash: num(p.crash),
      error: num(p.error),
      overrides: num(p.overrides),
      fuzzy: num(p.fuzzy),
    };
    c.total = num(p.total, c.pass + c.fail + c.skip + c.unexpectedPass + c.timeout + c.crash + c.error);
    return c;
  });
}

const CANONICAL: ReadonlySet<unknown> = new Set(CASE_STATUSES);

function allCanonical(ids: Obj): boolean {
  for (const id in ids) if (!CANONICAL.has(ids[id])) return false;
  return true;
}

function normChanged(x: unknown): StatusChange[] {
  return objs(x)
    .filter((c) => typeof c.id === 'string')
    .map((c) => ({ id: c.id as string, phase: str(c.phase) ?? '', from: toStatus(c.from), to: toStatus(c.to) }));
}

/**
 * Current form: phase → id → status. An older flat id → status map is grouped by the
 * phase the record names for that id elsewhere, else under `(unknown phase)`.
 */
function normStatuses(x: unknown, changed: readonly StatusChange[], phases: readonly PhaseCounts[]): RunDetail['statuses'] {
  const out: RunDetail['statuses'] = {};
  if (!isObj(x)) return out;
  const flat = Object.values(x).some((v) => typeof v === 'string');
  if (!flat) {
    for (const [phase, ids] of Object.entries(x)) {
      if (!isObj(ids)) continue;
      // The usual record needs no change: keep its object rather than copy 10,000 keys per record.
      if (allCanonical(ids)) {
        out[phase] = ids as Record<string, CaseStatus>;
        continue;
      }
      const m: Record<string, CaseStatus> = (out[phase] = {});
      for (const [id, s] of Object.entries(ids)) {
        const status = toStatus(s);
        if (status) m[id] = status;
      }
    }
    return out;
  }
  const phaseOf = new Map(changed.map((c) => [c.id, c.phase]));
  for (const [id, s] of Object.entries(x)) {
    const status = toStatus(s);
    if (!status) continue;
    const phase = phaseOf.get(id) || (phases.length === 1 ? phases[0]!.phase : '(unknown phase)');
    (out[phase] ??= {})[id] = status;
  }
  return out;
}

function normTotals(a: Obj): AgentTotals {
  const t = isObj(a.tokens) ? a.tokens : {};
  return {
    wallMs: num(a.wallMs),
    messages: num(a.messages),
    humanPrompts: num(a.humanPrompts),
    toolCalls: num(a.toolCalls),
    tokens: { input: num(t.input), output: num(t.output), cacheRead: num(t.cacheRead), cacheWrite: num(t.cacheWrite) },
    costUsd: num(a.costUsd),
    models: Array.isArray(a.models) ? a.models.filter((m): m is string => typeof m === 'string') : str(a.model) ? [a.model as string] : [],
    iterations: num(a.iterations),
    commits: num(a.commits),
  };
}

function normAgent(a: Obj): AgentStats {
  const stats: AgentStats = {
    ...normTotals(a),
    stopReason: (str(a.stopReason) ?? 'interrupted') as StopReason,
    phases: objs(a.phases)
      .filter((p) => typeof p.phase === 'string')
      .map((p) => ({ phase: p.phase as string, ...normTotals(p) })),
  };
  if (str(a.backend)) stats.backend = a.backend as string;
  if (str(a.stopDetail)) stats.stopDetail = a.stopDetail as string;
  if (Array.isArray(a.workers)) stats.workers = normWorkers(a.workers);
  const merges = normMerges(a.merges);
  if (merges) stats.merges = merges;
  return stats;
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isAmount = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/**
 * Workers and merges are read side by side and added up, so an entry with a figure missing
 * or impossible is dropped whole rather than shown with a made-up 0 next to real ones.
 */
function normWorkers(list: unknown[]): WorkerFigures[] {
  return objs(list)
    .filter((w) => typeof w.id === 'string' && [w.items, w.merged, w.rejected, w.conflicts].every(isCount) && isAmount(w.costUsd) && isAmount(w.busyMs))
    .map((w) => ({
      id: w.id as string,
      items: w.items as number,
      merged: w.merged as number,
      rejected: w.rejected as number,
      conflicts: w.conflicts as number,
      costUsd: w.costUsd as number,
      busyMs: w.busyMs as number,
    }));
}

function normMerges(x: unknown): MergeCounts | null {
  if (!isObj(x) || ![x.accepted, x.rejected, x.conflicts, x.superseded].every(isCount)) return null;
  return { accepted: x.accepted as number, rejected: x.rejected as number, conflicts: x.conflicts as number, superseded: x.superseded as number };
}
