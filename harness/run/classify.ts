import type { Case } from '../suite/types.js';
import type { TargetOutcome } from '../target/types.js';
import type { CaseVerdict } from '../judge/types.js';
import type { CaseResult } from './types.js';
import { inputFeatures } from './input-features.js';

/** What the skip-list says about a case, if anything. */
export interface SkipMark {
  reason: string;
}

const MAX_ACTUAL_CHARS = 4000;

/**
 * Turns what happened to one case into its result. Pure: the same inputs give the
 * same status, so the rules below are the whole truth about statuses.
 * A skip-listed case still ran; if it passed it is an unexpected pass (lit's XPASS).
 */
export function classifyCase(args: {
  testCase: Case;
  outcome: TargetOutcome | null;
  verdict: CaseVerdict | null;
  skip: SkipMark | null;
  protectedCase: boolean;
  overrideReason?: string;
}): CaseResult {
  const { testCase, outcome, verdict, skip, protectedCase } = args;
  const base: CaseResult = {
    id: testCase.id,
    phase: testCase.phase,
    status: 'error',
    rawStatus: 'error',
    durationMs: outcome?.durationMs ?? 0,
    snapshotPath: testCase.snapshot.path,
    ...(testCase.input ? { inputPath: testCase.input.path } : {}),
    ...(protectedCase ? { protected: true } : {}),
  };

  if (testCase.problem !== undefined || outcome === null) {
    base.reason = testCase.problem ?? 'case was not run';
  } else if (outcome.status === 'timeout') {
    base.rawStatus = 'timeout';
    base.reason = `no answer within the timeout (${Math.round(outcome.durationMs)} ms)`;
    if (outcome.stderrTail) base.stderrTail = outcome.stderrTail;
  } else if (outcome.status === 'crash') {
    base.rawStatus = 'crash';
    const how = outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.exitCode}`;
    base.reason = `target crashed (${how})`;
    if (outcome.stderrTail) base.stderrTail = outcome.stderrTail;
  } else if (outcome.status === 'error') {
    base.rawStatus = 'error';
    base.reason = outcome.message;
  } else if (verdict === null) {
    base.reason = 'case was not judged';
  } else if (verdict.pass) {
    base.rawStatus = 'pass';
    base.how = verdict.how;
    if (verdict.level) base.level = verdict.level;
    if (verdict.similarity !== undefined) base.similarity = verdict.similarity;
    if (verdict.expected) base.expectedFacets = verdict.expected;
    if (verdict.actual) base.actualFacets = verdict.actual;
    if (verdict.how === 'override' && args.overrideReason) base.overrideReason = args.overrideReason;
  } else {
    base.rawStatus = 'fail';
    base.facet = verdict.facet;
    base.reason = verdict.reason;
    if (verdict.level) base.level = verdict.level;
    if (verdict.diff !== undefined) base.diff = verdict.diff;
    if (verdict.similarity !== undefined) base.similarity = verdict.similarity;
    if (verdict.expected) base.expectedFacets = verdict.expected;
    if (verdict.actual) base.actualFacets = verdict.actual;
    base.actual = truncate(outcome.output);
  }

  base.status = base.rawStatus;
  if (base.rawStatus !== 'pass' && testCase.input) {
    const features = inputFeatures(testCase.input);
    if (features.length > 0) base.features = features;
  }
  if (skip && !protectedCase) {
    base.skipReason = skip.reason;
    base.status = base.rawStatus === 'pass' ? 'unexpected-pass' : 'skip';
  }
  return base;
}

function truncate(text: string): string {
  return text.length <= MAX_ACTUAL_CHARS ? text : `${text.slice(0, MAX_ACTUAL_CHARS)}\n… (${text.length - MAX_ACTUAL_CHARS} more characters)`;
}
