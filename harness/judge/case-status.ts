/**
 * The vocabulary of a case's outcome and the counts built on it. Every layer above the
 * judge (skip-list, run, reports, agent, CLI) asks this module which statuses fail or pass
 * and how to count them, so a new status or a changed rule lands in one place.
 */

export type CaseStatus = 'pass' | 'fail' | 'skip' | 'unexpected-pass' | 'timeout' | 'crash' | 'error';

export const CASE_STATUSES: readonly CaseStatus[] = ['pass', 'fail', 'skip', 'unexpected-pass', 'timeout', 'crash', 'error'];

/** What a case did before the skip-list had its say. */
export type RawStatus = Exclude<CaseStatus, 'skip' | 'unexpected-pass'>;

const FAILING: ReadonlySet<CaseStatus | null | undefined> = new Set(['fail', 'timeout', 'crash', 'error']);

/** A failure that counts: skip-listed cases are parked, not failing. */
export function isFailing(status: CaseStatus | null | undefined): boolean {
  return FAILING.has(status);
}

/** The case matches its snapshot, whether or not it is skip-listed. */
export function isPassing(status: CaseStatus | null | undefined): boolean {
  return status === 'pass' || status === 'unexpected-pass';
}

/** The case is parked on the skip-list (passing again or not). */
export function isSkipListed(status: CaseStatus | null | undefined): boolean {
  return status === 'skip' || status === 'unexpected-pass';
}

/** The exit-0 rule of `porter test`: every case that is not skipped passes. */
export function allRequiredPass(cases: Iterable<{ status: CaseStatus }>): boolean {
  for (const c of cases) if (isFailing(c.status)) return false;
  return true;
}

/** Per-phase counts: one per status, plus how many passes needed an override or fuzzy matching. */
export interface PhaseSummary {
  phase: string;
  total: number;
  pass: number;
  fail: number;
  skip: number;
  unexpectedPass: number;
  timeout: number;
  crash: number;
  error: number;
  overrides: number;
  fuzzy: number;
}

type Count = Exclude<keyof PhaseSummary, 'phase'>;

const FIELD: Record<CaseStatus, Count> = {
  pass: 'pass', fail: 'fail', skip: 'skip', 'unexpected-pass': 'unexpectedPass', timeout: 'timeout', crash: 'crash', error: 'error',
};

export function emptySummary(phase: string): PhaseSummary {
  return { phase, total: 0, pass: 0, fail: 0, skip: 0, unexpectedPass: 0, timeout: 0, crash: 0, error: 0, overrides: 0, fuzzy: 0 };
}

/** Adds one case to a phase's counts. `how` is the judge's match kind, when known. */
export function countCase(s: PhaseSummary, status: CaseStatus, how?: string): void {
  s.total++;
  s[FIELD[status]]++;
  if (how === 'override') s.overrides++;
  if (how === 'fuzzy') s.fuzzy++;
}

/** Per-phase counts, in the order the phases are given; phases with no cases still appear. */
export function summarizePhases(phaseOrder: readonly string[], cases: Iterable<{ phase: string; status: CaseStatus; how?: string }>): PhaseSummary[] {
  const byPhase = new Map(phaseOrder.map((p) => [p, emptySummary(p)]));
  for (const c of cases) {
    let s = byPhase.get(c.phase);
    if (!s) byPhase.set(c.phase, (s = emptySummary(c.phase)));
    countCase(s, c.status, c.how);
  }
  return [...byPhase.values()];
}

export function totalSummary(phases: readonly PhaseSummary[]): PhaseSummary {
  const total = emptySummary('total');
  for (const p of phases) {
    for (const key of Object.keys(FIELD_KEYS) as Count[]) total[key] += p[key];
  }
  return total;
}

const FIELD_KEYS: Record<Count, true> = {
  total: true, pass: true, fail: true, skip: true, unexpectedPass: true, timeout: true, crash: true, error: true, overrides: true, fuzzy: true,
};

/** Failing cases in a phase's counts (fail, timeout, crash, error). */
export function failingCount(s: PhaseSummary): number {
  return s.fail + s.timeout + s.crash + s.error;
}

/** Cases that match their snapshot, skip-listed ones included. */
export function matchingCount(s: Pick<PhaseSummary, 'pass' | 'unexpectedPass'>): number {
  return s.pass + s.unexpectedPass;
}

/** `lexer 13/13, parser 5/14` — passing of required: skip-listed cases count as neither. */
export function countsLine(phases: readonly PhaseSummary[]): string {
  return phases.map((p) => `${p.phase} ${matchingCount(p)}/${p.total - p.skip}`).join(', ');
}
