import type { MatchLevel, PorterConfig } from '../config/types.js';
import { caseMatcher, type CaseMatcher } from '../util/case-glob.js';

/** Answers, per case, the rules the config sets: its error-matching level and whether it is protected. */
export interface CasePolicy {
  levelFor(caseId: string, phase: string): MatchLevel;
  isProtected(caseId: string): boolean;
}

export function createCasePolicy(config: PorterConfig): CasePolicy {
  const perCase: Array<{ match: CaseMatcher; level: MatchLevel }> = config.compare.cases.map((c) => ({
    match: caseMatcher(c.glob),
    level: c.level,
  }));
  const perPhase = new Map(config.phases.map((p) => [p.name, p.level]));
  const protectedMatch = caseMatcher(config.protected);
  return {
    // Protected cases must match byte for byte after insta's normalisation: no fuzzy level.
    levelFor(caseId, phase) {
      if (protectedMatch(caseId)) return 'exact';
      return perCase.find((c) => c.match(caseId))?.level ?? perPhase.get(phase) ?? config.compare.level;
    },
    isProtected: protectedMatch,
  };
}
