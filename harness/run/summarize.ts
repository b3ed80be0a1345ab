import type { CaseResult, PhaseSummary } from './types.js';

export function emptySummary(phase: string): PhaseSummary {
  return { phase, total: 0, pass: 0, fail: 0, skip: 0, unexpectedPass: 0, timeout: 0, crash: 0, error: 0, overrides: 0, fuzzy: 0 };
}

/** Per-phase counts, in the order the phases are given; phases with no cases still appear. */
export function summarizePhases(phaseOrder: readonly string[], cases: readonly CaseResult[]): PhaseSummary[] {
  const byPhase = new Map(phaseOrder.map((p) => [p, emptySummary(p)]));
  for (const c of cases) {
    let s = byPhase.get(c.phase);
    if (!s) byPhase.set(c.phase, (s = emptySummary(c.phase)));
    s.total++;
    switch (c.status) {
      case 'pass': s.pass++; break;
      case 'fail': s.fail++; break;
      case 'skip': s.skip++; break;
      case 'unexpected-pass': s.unexpectedPass++; break;
      case 'timeout': s.timeout++; break;
      case 'crash': s.crash++; break;
      case 'error': s.error++; break;
    }
    if (c.how === 'override') s.overrides++;
    if (c.how === 'fuzzy') s.fuzzy++;
  }
  return [...byPhase.values()];
}

export function totalSummary(phases: readonly PhaseSummary[]): PhaseSummary {
  const total = emptySummary('total');
  for (const p of phases) {
    for (const key of Object.keys(total) as Array<keyof PhaseSummary>) {
      if (key !== 'phase') total[key] += p[key];
    }
  }
  return total;
}

/** True when every case that is not skipped passed (the exit-0 rule of `porter test`). */
export function allRequiredPass(cases: readonly CaseResult[]): boolean {
  return cases.every((c) => c.status === 'pass' || c.status === 'skip' || c.status === 'unexpected-pass');
}
