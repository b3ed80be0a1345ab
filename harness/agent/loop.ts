import fs from 'node:fs';
import path from 'node:path';
import type { Budget } from './budget.js';
import { writeFailureReport } from './failure-report.js';
import { failureReportPath, wipPatchPath } from './porter-dir.js';
import { NOTES_FILE } from './protected-paths.js';
import { updateSkipListFiles } from '../skiplist/update.js';
import { agentSkipReason } from './loop-tools.js';
import { createIterationRunner, type IterationHarness } from './loop-iteration.js';
import { applyEntry, type LoopState, type OpenIteration } from './loop-state.js';
import { buildTaskMessage, shownPath, summaryRequest } from './task-message.js';
import type { IterationResult, SessionEvent } from './types.js';
import type { StopReason } from '../reports/usage.js';
import { phaseCounts, phaseDone, runVerdict, testRunEvent, type SuiteVerdict } from './verdict.js';
import { countsLine, isFailing } from '../judge/case-status.js';

/**
 * The loop: verdict → phase → task → agent → the harness's own verdict → ratchet, until
 * every phase passes or a limit stops it. Every step is logged before the next begins
 * and applied to the state through the same reducer `--resume` replays.
 */

export interface LoopDeps extends IterationHarness {
  /** Replayed from the log, including this segment's `run-start`. */
  state: LoopState;
  startPhase?: string;
  flagNote?: string;
  maxIterations?: number;
  /** A section for the task message of a phase (what changed upstream), or null for none. */
  taskSection?: (phase: string, verdict: SuiteVerdict) => string | null;
  /**
   * A parallel worker's item: work only toward these cases of one phase, stop once they pass
   * with nothing broken, and leave phase summaries to the coordinator.
   */
  goal?: LoopGoal;
  /**
   * Asked before each work iteration when limits are shared with other loops (a parallel run):
   * null lets the iteration start, and counts it; otherwise why not.
   */
  claimIteration?: () => { reason: StopReason; detail: string } | null;
  /**
   * The verdict on the workspace as it starts, when the harness has just judged that very
   * commit elsewhere (a parallel worker starting from the green line): the baseline run is skipped.
   */
  baseline?: SuiteVerdict;
  /** Where unfinished work is set aside at a stop (default: the workspace's .porter/wip/). */
  wipPatch?: (iteration: number) => string;
  progress?: (line: string) => void;
}

export interface LoopGoal {
  phase: string;
  cases: readonly string[];
  /** What the cases have in common, for the task message. */
  label: string;
}

export interface LoopResult {
  reason: StopReason;
  detail: string;
  verdict: SuiteVerdict;
}


export function ratchetStop(r: IterationResult, budget: Budget): { reason: StopReason; detail: string } | null {
  if (r.stop === 'budget') {
    const limit = budget.exhausted() ?? budget.lastRefusal();
    return { reason: limit?.reason ?? 'budget', detail: limit?.detail ?? r.error ?? 'the budget does not allow another request' };
  }
  if (r.stop === 'aborted') return { reason: 'interrupted', detail: 'the run was interrupted' };
  if (r.stop === 'error') return { reason: 'error', detail: `the agent failed: ${r.error ?? 'unknown error'}` };
  return null;
}

export async function runLoop(d: LoopDeps): Promise<LoopResult> {
  const { config, agent, state, session } = d;
  const { commitAll, dirtyPaths, headRev, resetHard, saveWorkInProgress } = d.workspaceOps;
  const ws = agent.workspace;
  const settings = { resetAfter: agent.resetAfter };
  const say = (line: string) => d.progress?.(line);
  const log = (event: SessionEvent) => applyEntry(state, session.append(event), settings);
  const phaseNames = config.phases.map((p) => p.name);
  const order = d.startPhase ? [...phaseNames.slice(phaseNames.indexOf(d.startPhase)), ...phaseNames.slice(0, phaseNames.indexOf(d.startPhase))] : phaseNames;

  let report = failureReportPath(ws, state.iteration);
  let latest: SuiteVerdict | null = null;
  const runner = createIterationRunner({
    ...d, log, say,
    greenRev: () => state.greenRev,
    summaries: () => state.summaries,
    failingIds: () => new Set((latest?.cases ?? []).filter((c) => isFailing(c.status)).map((c) => c.id)),
  });
  async function test(iteration: number, phase: string, baseline: boolean): Promise<SuiteVerdict> {
    return record(iteration, phase, baseline, await runVerdict(d.runSuite, config, d.known));
  }

  function record(iteration: number, phase: string, baseline: boolean, v: SuiteVerdict): SuiteVerdict {
    latest = v;
    report = failureReportPath(ws, iteration);
    writeFailureReport(report, v, config.source, iteration);
    log(testRunEvent(v, iteration, phase, baseline));
    return v;
  }

  /** Carries out what the last test run decided: commit the gain, or reset to green. */
  async function settle(iteration: number, phase: string, v: SuiteVerdict | null): Promise<SuiteVerdict | null> {
    if (state.pending === 'commit') {
      const gained = (state.lastPassing ?? []).filter((id) => !(state.greenPassing ?? []).includes(id));
      const t = state.lastTest;
      const head = `porter: ${t?.phase ?? phase} ${t ? `${t.pass}/${t.total} ` : ''}(+${gained.length}), iteration ${t?.iteration ?? iteration}`;
      const body = [t?.counts ?? '', `Newly passing: ${gained.slice(0, 30).join(', ')}${gained.length > 30 ? ', …' : ''}`, `Run ${session.runId}`];
      const message = [head, '', ...body.filter(Boolean)].join('\n');
      // Null: nothing to commit, because a crash came between the commit and its log entry.
      const rev = (await commitAll(ws, message)) ?? (await headRev(ws))!;
      log({ type: 'commit', iteration, rev, message });
      say(`iteration ${iteration} · committed ${rev.slice(0, 8)}: ${head}`);
    } else if (state.pending === 'reset') {
      const reason = `${state.tries} iteration(s) in a row broke cases that passed at the green commit (${state.regressions.slice(0, 10).join(', ')}${state.regressions.length > 10 ? ', …' : ''})`;
      await resetHard(ws, state.greenRev!);
      log({ type: 'reset', iteration, rev: state.greenRev!, reason });
      await restoreSkips();
      say(`iteration ${iteration} · reset to ${state.greenRev!.slice(0, 8)}: ${reason}`);
      return test(iteration, phase, true);
    }
    return v;
  }

  /** A reset must not undo the agent's skips: they are the harness's records, not work in progress. */
  async function restoreSkips(): Promise<void> {
    if (state.skips.length === 0) return;
    const phaseOf = new Map(d.known.map((c) => [c.id, c.phase]));
    const add = state.skips.filter((x) => phaseOf.has(x.id)).map((x) => ({ id: x.id, phase: phaseOf.get(x.id)!, reason: agentSkipReason(x.reason, x.iteration) }));
    const r = await updateSkipListFiles(config.skiplist, { nowPass: [], known: [], add });
    if (!r.ok) say(`could not restore the agent's skip-list entries: ${r.message}`);
  }

  /** Runs an open iteration to its end and concludes it: a work iteration with a verdict, a summary with its text. */
  async function finish(open: OpenIteration, current: SuiteVerdict | null): Promise<{ verdict: SuiteVerdict | null; stop: { reason: StopReason; detail: string } | null }> {
    const result = await runner.run(open);
    if (open.kind === 'summary') {
      const text = result.finalText.trim() || `(no summary: the agent stopped with "${result.stop}"${result.error ? `: ${result.error}` : ''})`;
      log({ type: 'phase-summary', phase: open.phase, summary: text });
      say(`phase ${open.phase} done · summary written`);
      return { verdict: current, stop: ratchetStop(result, d.budget) };
    }
    let v: SuiteVerdict | null = await test(open.iteration, open.phase, false);
    const c = phaseCounts(v, open.phase);
    say(`iteration ${open.iteration} · ${open.phase} ${c.pass}/${c.total} · ${countsLine(v.phases)} · $${d.budget.totals().costUsd.toFixed(2)}${state.regressions.length ? ` · ${state.regressions.length} regression(s)` : ''}`);
    v = await settle(open.iteration, open.phase, v);
    return { verdict: v, stop: ratchetStop(result, d.budget) };
  }

  async function stop(reason: StopReason, detail: string, v: SuiteVerdict): Promise<LoopResult> {
    let verdict = v;
    const dirty = await dirtyPaths(ws);
    if (dirty.length > 0 && state.greenRev) {
      // Work that never turned green is kept aside, so the run ends on its last green commit.
      const patch = d.wipPatch ? d.wipPatch(state.iteration) : wipPatchPath(ws, session.runId, state.iteration);
      await saveWorkInProgress(ws, patch);
      await resetHard(ws, state.greenRev);
      log({ type: 'reset', iteration: state.iteration, rev: state.greenRev, reason: `the run stopped (${reason}) with work that was not green; it is saved in ${shownPath(ws, patch)}` });
      say(`uncommitted work that was not green saved to ${shownPath(ws, patch)}; workspace back at ${state.greenRev.slice(0, 8)}`);
      await restoreSkips();
      verdict = await test(state.iteration, state.phase ?? order[0]!, true);
      if ((await dirtyPaths(ws)).length > 0) {
        const message = `porter: keep the skip-list entries the agent added\n\n${state.skips.map((x) => `${x.id}: ${x.reason}`).join('\n')}`;
        const rev = await commitAll(ws, message);
        if (rev) log({ type: 'commit', iteration: state.iteration, rev, message });
      }
    }
    log({ type: 'stop', reason, detail });
    say(`stop: ${reason}: ${detail}`);
    return { reason, detail, verdict };
  }

  function notes(): string[] {
    const out: string[] = [];
    if (d.flagNote && !state.notes.some((n) => n.from === 'flag' && n.text === d.flagNote)) out.push(d.flagNote);
    const file = path.join(ws, NOTES_FILE);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    const last = [...state.notes].reverse().find((n) => n.from === 'notes.md');
    const fromFile = text !== '' && text !== last?.text ? text : null;
    const iteration = state.iteration + 1;
    for (const n of out) log({ type: 'note', iteration, text: n, from: 'flag' });
    if (fromFile) log({ type: 'note', iteration, text: fromFile, from: 'notes.md' });
    return fromFile ? [...out, fromFile] : out;
  }

  const goalCases = new Set(d.goal?.cases ?? []);
  function pickPhase(v: SuiteVerdict): string | null {
    if (state.regressions.length > 0 && state.phase) return state.phase;
    if (d.goal) return v.cases.some((c) => goalCases.has(c.id) && isFailing(c.status)) ? d.goal.phase : null;
    return order.find((p) => !phaseDone(v, p)) ?? null;
  }

  function limitReached(): { reason: StopReason; detail: string } | null {
    if (d.signal?.aborted) return { reason: 'interrupted', detail: 'the run was interrupted' };
    const spent = d.budget.exhausted();
    if (spent) return spent;
    if (d.maxIterations !== undefined && state.workIterations >= d.maxIterations) {
      return { reason: 'max-iterations', detail: `${state.workIterations} iterations done (limit ${d.maxIterations})` };
    }
    if (state.stall >= agent.stall) {
      return { reason: 'stall', detail: `the passing count has not grown for ${state.stall} iterations (best ${state.best})` };
    }
    return d.claimIteration?.() ?? null;
  }

  // A ratchet step or an iteration that a crash cut short comes first.
  let verdict: SuiteVerdict | null = await settle(state.iteration, state.phase ?? order[0]!, null);
  if (state.open) {
    say(`resuming iteration ${state.open.iteration} (${state.open.kind}, phase ${state.open.phase})`);
    const r = await finish(state.open, verdict);
    verdict = r.verdict;
    if (r.stop) return stop(r.stop.reason, r.stop.detail, verdict ?? (await test(state.iteration, state.phase ?? order[0]!, true)));
  }
  if (!verdict) {
    const phase = state.phase ?? order[0]!;
    verdict = d.baseline ? record(state.iteration, phase, true, d.baseline) : await test(state.iteration, phase, true);
    say(`baseline: ${countsLine(verdict.phases)}${verdict.targetError ? ` (the target does not start: ${verdict.targetError})` : ''}`);
  }

  for (;;) {
    const done = state.phase;
    if (!d.goal && done && phaseDone(verdict, done) && state.regressions.length === 0 && !state.summaries.some((s) => s.phase === done)) {
      // Interrupted while the last work was judged: the summary waits for the next run, rather than an empty one counting.
      if (d.signal?.aborted) return stop('interrupted', 'the run was interrupted', verdict);
      const open: OpenIteration = { iteration: state.iteration + 1, phase: done, message: summaryRequest(done, phaseCounts(verdict, done).total), fresh: false, kind: 'summary' };
      log({ type: 'iteration-start', iteration: open.iteration, phase: open.phase, message: open.message, fresh: false, kind: 'summary' });
      const r = await finish(open, verdict);
      if (r.stop) return stop(r.stop.reason, r.stop.detail, verdict);
      continue;
    }
    const phase = pickPhase(verdict);
    if (phase === null) {
      const detail = d.goal ? `the ${goalCases.size} case(s) of the item pass: ${countsLine(verdict.phases)}` : `every phase passes: ${countsLine(verdict.phases)}`;
      return stop('all-pass', detail, verdict);
    }
    const limit = limitReached();
    if (limit) return stop(limit.reason, limit.detail, verdict);

    const iteration = state.iteration + 1;
    const fresh = state.fresh || state.phase !== phase;
    const regressions = verdict.cases.filter((c) => state.regressions.includes(c.id) && isFailing(c.status));
    const message = buildTaskMessage({
      config, iteration, phase, verdict, regressions,
      triesLeft: Math.max(0, agent.resetAfter - state.tries - 1),
      ...(state.resetNote ? { resetNote: state.resetNote } : {}),
      notes: notes(),
      reportFile: shownPath(ws, report),
      ...(d.taskSection ? { upstream: d.taskSection(phase, verdict) ?? undefined } : {}),
      ...(d.goal ? { goal: d.goal } : {}),
    });
    log({ type: 'iteration-start', iteration, phase, message, fresh, kind: 'work' });
    say(`iteration ${iteration} · ${phase}${fresh ? ' · new conversation' : ''} · working`);
    const r = await finish(state.open!, verdict);
    verdict = r.verdict!;
    if (r.stop) return stop(r.stop.reason, r.stop.detail, verdict);
  }
}
