/**
 * Brings a history line written by any Porter version to the current record shape.
 * Older records lack fields (filled with defaults) or use older shapes (phases keyed by
 * name, a flat id → status map); newer ones load best-effort with their extra fields ignored.
 */
import { CASE_STATUSES, type CaseStatus } from '../judge/case-status.js';
import type { StopReason } from './usage.js';
import {
  HISTORY_VERSION,
  type AgentStats,
  type AgentTotals,
  type HistoryRecord,
  type PhaseCounts,
  type StatusChange,
} from './history-types.js';

export type Normalized =
  | { ok: true; record: HistoryRecord; age: 'current' | 'older' | 'newer' }
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

export function normalizeRecord(raw: unknown): Normalized {
  if (!isObj(raw)) return { ok: false, message: 'not a JSON object' };
  const v = num(raw.v, 0);
  const time = str(raw.time) ?? str(raw.startedAt) ?? str(raw.timestamp);
  if (time === undefined) return { ok: false, message: 'no "time" field' };

  const phases = normPhases(raw.phases);
  const record: HistoryRecord = {
    v: HISTORY_VERSION,
    kind: raw.kind === 'agent' || raw.kind === 'test' ? raw.kind : isObj(raw.agent) ? 'agent' : 'test',
    time,
    rev: str(raw.rev) ?? str(raw.revision) ?? null,
    durationMs: num(raw.durationMs),
    phases,
    changed: normChanged(raw.changed),
    statuses: {},
  };
  if (isObj(raw.source) && typeof raw.source.rev === 'string') record.source = { rev: raw.source.rev, dirty: raw.source.dirty === true };
  record.statuses = normStatuses(raw.statuses, record);
  if (raw.partial === true) record.partial = true;
  if (isObj(raw.agent)) record.agent = normAgent(raw.agent);

  const tamper = objs(raw.tamper).filter((t) => str(t.path) !== undefined);
  if (tamper.length) {
    record.tamper = tamper.map((t) => ({
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
    record.skips = skips.map((s) => ({
      id: s.id as string,
      phase: str(s.phase) ?? '',
      reason: str(s.reason) ?? '',
      status: s.status === 'unexpected-pass' ? 'unexpected-pass' : 'skip',
    }));
  }
  const overrides = withId(raw.overrides);
  if (overrides.length) record.overrides = overrides.map((o) => ({ id: o.id as string, phase: str(o.phase) ?? '', reason: str(o.reason) ?? '' }));
  const agentSkips = withId(raw.agentSkips);
  if (agentSkips.length) {
    record.agentSkips = agentSkips.map((s) => ({
      id: s.id as string,
      reason: str(s.reason) ?? '',
      ...(typeof s.iteration === 'number' ? { iteration: s.iteration } : {}),
    }));
  }
  const failures = withId(raw.failures);
  if (failures.length) {
    record.failures = failures.map((f) => {
      const d: NonNullable<HistoryRecord['failures']>[number] = { id: f.id as string, phase: str(f.phase) ?? '', status: toStatus(f.status) ?? 'fail' };
      for (const key of ['reason', 'diff', 'expectedKind', 'actualKind', 'printed'] as const) if (typeof f[key] === 'string') d[key] = f[key] as string;
      if (Array.isArray(f.features)) d.features = f.features.filter((w): w is string => typeof w === 'string');
      if (typeof f.facet === 'string') d.facet = f.facet as NonNullable<typeof d.facet>;
      return d;
    });
  }
  if (typeof raw.failuresOmitted === 'number') record.failuresOmitted = raw.failuresOmitted;
  const stale = objs(raw.staleSkips).filter((s) => typeof s.pattern === 'string');
  if (stale.length) record.staleSkips = stale.map((s) => ({ file: str(s.file) ?? '', line: num(s.line), pattern: s.pattern as string }));
  if (Array.isArray(raw.warnings)) {
    const w = raw.warnings.filter((x): x is string => typeof x === 'string');
    if (w.length) record.warnings = w;
  }
  return { ok: true, record, age: v === HISTORY_VERSION ? 'current' : v > HISTORY_VERSION ? 'newer' : 'older' };
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
function normStatuses(x: unknown, record: HistoryRecord): HistoryRecord['statuses'] {
  const out: HistoryRecord['statuses'] = {};
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
  const phaseOf = new Map(record.changed.map((c) => [c.id, c.phase]));
  for (const [id, s] of Object.entries(x)) {
    const status = toStatus(s);
    if (!status) continue;
    const phase = phaseOf.get(id) || (record.phases.length === 1 ? record.phases[0]!.phase : '(unknown phase)');
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
  return stats;
}
