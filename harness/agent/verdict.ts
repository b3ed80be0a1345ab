import type { PorterConfig } from '../config/types.js';
import { countsLine, isFailing, summarizePhases, type PhaseSummary } from '../judge/case-status.js';
import type { RunOptions, RunOutcome } from '../run/run-suite.js';
import type { CaseResult } from '../run/types.js';
import type { Case } from '../suite/types.js';
import type { KnownInput } from './protected-paths.js';
import type { SessionEvent } from './types.js';

/**
 * The harness's verdict on the workspace, as the loop reads it. A target that cannot
 * start (the usual state of an empty port) is not a fatal error here: every case fails
 * with that message, and fixing it is the agent's first task.
 */

export type SuiteRunner = (config: PorterConfig, options?: RunOptions) => Promise<RunOutcome>;

export interface SuiteVerdict {
  cases: CaseResult[];
  phases: PhaseSummary[];
  /** Set when the target did not start: why. */
  targetError?: string;
  durationMs: number;
}

export interface KnownCase {
  id: string;
  phase: string;
  snapshotPath: string;
}

/** Passing as the ratchet counts it: the case matches, whether or not it is skip-listed. */
export function passingIds(cases: readonly CaseResult[]): string[] {
  return cases.filter((c) => c.rawStatus === 'pass').map((c) => c.id).sort();
}

/** A phase is done when none of its cases fails (skip-listed failures are parked, not failing). */
export function phaseDone(v: SuiteVerdict, phase: string): boolean {
  return !v.cases.some((c) => c.phase === phase && isFailing(c.status));
}

/** What an agent run keeps of the suite: each case's id, phase and snapshot, and the inputs its guard protects. */
export function knownCases(cases: readonly Case[]): { known: KnownCase[]; inputs: KnownInput[] } {
  return {
    known: cases.map((c) => ({ id: c.id, phase: c.phase, snapshotPath: c.snapshot.path })),
    inputs: cases.map((c) => (c.input ? { inputPath: c.input.path } : {})),
  };
}

export async function runVerdict(
  run: SuiteRunner,
  config: PorterConfig,
  known: readonly KnownCase[],
  options: RunOptions = {},
): Promise<SuiteVerdict> {
  const started = Date.now();
  const r = await run(config, options);
  if (r.ok) return { cases: r.result.cases, phases: r.result.phases, durationMs: r.result.durationMs };
  const wanted = new Set(options.phases?.length ? options.phases : config.phases.map((p) => p.name));
  const cases: CaseResult[] = known
    .filter((c) => wanted.has(c.phase))
    .map((c) => ({ id: c.id, phase: c.phase, status: 'error', rawStatus: 'error', reason: r.message, durationMs: 0, snapshotPath: c.snapshotPath }));
  const phases = summarizePhases(config.phases.map((p) => p.name).filter((p) => wanted.has(p)), cases);
  return { cases, phases, targetError: r.message, durationMs: Date.now() - started };
}

/**
 * The session-log entry of a verdict: the phase's counts, every passing id, the counts line.
 * `baseline`: it sets the scene at the start of a segment rather than judging an iteration.
 */
export function testRunEvent(v: SuiteVerdict, iteration: number, phase: string, baseline: boolean): Extract<SessionEvent, { type: 'test-run' }> {
  const c = phaseCounts(v, phase);
  return {
    type: 'test-run', iteration, phase, pass: c.pass, total: c.total, passingIds: passingIds(v.cases),
    summary: { counts: countsLine(v.phases), phases: v.phases, ...(v.targetError ? { targetError: v.targetError } : {}) },
    ...(baseline ? { baseline: true } : {}),
  };
}

export function phaseCounts(v: SuiteVerdict, phase: string): { pass: number; total: number; skip: number; fail: number } {
  const of = v.cases.filter((c) => c.phase === phase);
  const skip = of.filter((c) => c.status === 'skip').length;
  const pass = of.filter((c) => c.rawStatus === 'pass').length;
  return { pass, total: of.length, skip, fail: of.filter((c) => isFailing(c.status)).length };
}

function firstLines(text: string, max: number): string {
  const lines = text.split('\n');
  return lines.length <= max ? text : `${lines.slice(0, max).join('\n')}\n… ${lines.length - max} more lines`;
}

/** What `run_tests` returns to the model: counts, then the failures, briefly. */
export function compactVerdict(v: SuiteVerdict, opts: { maxIds?: number; maxDiffLines?: number } = {}): string {
  const maxIds = opts.maxIds ?? 25;
  const out = [`${countsLine(v.phases)} (passing/total, skip-listed cases left out)`];
  if (v.targetError) {
    out.push(`The target did not start: ${v.targetError}`);
    return out.join('\n');
  }
  const failing = v.cases.filter((c) => isFailing(c.status));
  if (failing.length === 0) {
    out.push('No failures.');
    return out.join('\n');
  }
  out.push(`${failing.length} failing:`);
  for (const c of failing.slice(0, maxIds)) out.push(`- ${c.id} [${c.status}${c.facet ? `, ${c.facet} differs` : ''}]${c.reason ? `: ${c.reason}` : ''}`);
  if (failing.length > maxIds) out.push(`… and ${failing.length - maxIds} more`);
  const first = failing.find((c) => c.diff);
  if (first?.diff) out.push(`Diff of ${first.id} (- expected, + actual):`, firstLines(first.diff, opts.maxDiffLines ?? 40));
  const unexpected = v.cases.filter((c) => c.status === 'unexpected-pass');
  if (unexpected.length > 0) out.push(`${unexpected.length} skip-listed case(s) now pass: ${unexpected.map((c) => c.id).join(', ')}`);
  return out.join('\n');
}
