/**
 * The loop as a parallel worker runs it: toward one item's cases (`goal`), with iterations
 * claimed from limits shared with other workers (`claimIteration`) and unfinished work set
 * aside where the worker says (`wipPatch`). The bundled example's target runs in-process,
 * the history is in memory, the agent is scripted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentConfig } from '../../harness/agent/agent-config.js';
import { createBudget } from '../../harness/agent/budget.js';
import { replay } from '../../harness/agent/loop-state.js';
import { runLoop, type LoopDeps, type LoopGoal, type LoopResult } from '../../harness/agent/loop.js';
import { wipPatchPath } from '../../harness/agent/porter-dir.js';
import { harnessGuard } from '../../harness/agent/protected-paths.js';
import { openSession, readSession } from '../../harness/agent/session-log.js';
import type { SessionEntry } from '../../harness/agent/types.js';
import type { StopReason } from '../../harness/reports/usage.js';
import { isFailing } from '../../harness/judge/case-status.js';
import { loadSuite } from '../../harness/suite/load-suite.js';
import { inProcessSuite } from '../support/in-process-target.js';
import { memoryWorkspace, type MemoryWorkspace } from './memory-workspace.js';
import { idle, scriptedBackend, writes, type ScriptedBackend, type Step } from './scripted-backend.js';
import { loadWorkspaceConfig, makeWorkspace, stageFiles, type Workspace } from './workspace-fixture.js';

let ws: Workspace;
let history: MemoryWorkspace;
afterEach(() => ws?.cleanup());

const lexer = (name: string) => `test_lexer__lexer@${name}.txt`;
/** Lexer cases another agent holds in these tests: overridden so that the solution fails them. */
const HELD = [lexer('keywords'), lexer('numbers')];

interface GoalRun {
  r: LoopResult;
  backend: ScriptedBackend;
  log: SessionEntry[];
  claims: number;
}

async function runGoal(
  steps: Step[],
  opts: { goal?: (lexerIds: string[]) => LoopGoal; held?: string[]; claim?: (n: number) => { reason: StopReason; detail: string } | null } & Partial<Pick<LoopDeps, 'wipPatch' | 'maxIterations'>> = {},
): Promise<GoalRun> {
  ws = makeWorkspace({ adapter: true });
  for (const id of opts.held ?? []) {
    fs.writeFileSync(path.join(ws.dir, 'overrides', `${id}.snap`), '---\nreason: "another agent\'s case in this test"\n---\nnot what the lexer prints\n');
  }
  const config = await loadWorkspaceConfig(ws.configPath);
  const read = readAgentConfig(config);
  if (!read.ok) throw new Error(read.message);
  const agent = read.agent;
  const suite = await loadSuite(config);
  if (!suite.ok) throw new Error(suite.message);
  const known = suite.suite.cases.map((c) => ({ id: c.id, phase: c.phase, snapshotPath: c.snapshot.path }));
  const { guard, entries } = harnessGuard(config, agent, suite.suite.cases.map((c) => (c.input ? { inputPath: c.input.path } : {})));
  history = memoryWorkspace();
  const { rev } = await history.ensureRepo(ws.dir);
  const session = openSession(ws.dir, 'run-goal', { env: {} });
  session.append({ type: 'run-start', run: 'run-goal', config: config.configPath, argv: ['worker'], rev });
  const backend = scriptedBackend(steps);
  let claims = 0;
  const lexerIds = known.filter((c) => c.phase === 'lexer').map((c) => c.id);
  const r = await runLoop({
    config, agent, backend, guard, session, budget: createBudget({ prices: agent.prices, startedAt: new Date() }), runSuite: inProcessSuite,
    workspaceOps: history, known, state: replay(readSession(session.file).entries, { resetAfter: agent.resetAfter }), protectedEntries: entries,
    goal: (opts.goal ?? ((ids) => ({ phase: 'lexer', cases: ids.filter((id) => !HELD.includes(id)), label: 'the lexer, less two cases' })))(lexerIds),
    claimIteration: () => {
      claims += 1;
      return opts.claim?.(claims) ?? null;
    },
    ...(opts.wipPatch ? { wipPatch: opts.wipPatch } : {}),
    ...(opts.maxIterations !== undefined ? { maxIterations: opts.maxIterations } : {}),
  });
  session.close();
  return { r, backend, log: readSession(session.file).entries, claims };
}

const failingIds = (r: LoopResult) => r.verdict.cases.filter((c) => isFailing(c.status)).map((c) => c.id);

describe('the loop toward a work item', () => {
  it('stops with all-pass once the item\'s cases pass, while other cases of the phase still fail', async () => {
    const { r, backend, log, claims } = await runGoal([writes(stageFiles('lexer'))], { held: HELD });
    expect(r.reason).toBe('all-pass');
    expect(r.detail).toMatch(/^the 11 case\(s\) of the item pass: lexer 11\/13, parser 0\/14, runtime 0\/15$/);
    expect(failingIds(r).filter((id) => id.startsWith('test_lexer'))).toEqual(HELD);
    expect(backend.seen).toHaveLength(1);
    expect(claims).toBe(1);
    expect(history.subjects()).toEqual(['porter: lexer 11/13 (+11), iteration 1', 'porter: initial state']);
    expect(log.filter((e) => e.type === 'phase-summary')).toEqual([]);

    // The task named the item's cases only, and how many others are someone else's.
    const task = backend.seen[0]!.message;
    expect(task).toContain('Goal: make the 11 case(s) of your work item pass (the lexer, less two cases); 11 of them fail now.');
    expect(task).toContain('Other agents are working on the 2 other failing case(s) of phase "lexer" at the same time');
    expect(task).toContain('Failing cases of your item, grouped by likely cause (11 cases');
    for (const id of HELD) expect(task).not.toContain(id);
  });

  it('writes no phase summary when its cases complete the phase: the coordinator writes those', async () => {
    const { r, backend, log } = await runGoal([writes(stageFiles('lexer')), writes(stageFiles('parser'))], { goal: (ids) => ({ phase: 'lexer', cases: ids, label: 'all of the lexer' }) });
    expect(r.reason).toBe('all-pass');
    expect(r.detail).toMatch(/^the 13 case\(s\) of the item pass: lexer 13\/13/);
    expect(backend.seen.map((s) => [s.phase, s.summary])).toEqual([['lexer', false]]);
    expect(log.some((e) => e.type === 'phase-summary' || (e.type === 'iteration-start' && e.kind === 'summary'))).toBe(false);
  });

  it('asks for each work iteration before it starts, and stops with the reason it is refused', async () => {
    const refusal = { reason: 'max-iterations' as const, detail: '6 worker iterations done (limit 6)' };
    const { r, backend, claims, log } = await runGoal([idle, idle, idle], { held: HELD, claim: (n) => (n <= 2 ? null : refusal) });
    expect(r).toMatchObject(refusal);
    expect(claims).toBe(3);
    expect(backend.seen).toHaveLength(2);
    expect(log.filter((e) => e.type === 'iteration-start')).toHaveLength(2);
    expect(log[log.length - 1]).toMatchObject({ type: 'stop', ...refusal });
  });

  it('does not claim an iteration it would not run: the loop\'s own limits come first', async () => {
    const { r, claims } = await runGoal([idle, idle], { held: HELD, maxIterations: 1 });
    expect(r.reason).toBe('max-iterations');
    expect(claims).toBe(1);
  });

  it('sets unfinished work aside where the worker says, and ends on the green commit', async () => {
    const junk: Step = async ({ tool }) => void (await tool('write', { path: 'target/scratch.mjs', content: '// half an idea\n' }));
    const asked: number[] = [];
    const kept = (iteration: number) => {
      asked.push(iteration);
      return path.join(ws.dir, '.porter', 'wip', `run-goal-w-0123456789ab-iteration-${iteration}.patch`);
    };
    const { r, log } = await runGoal([junk], { held: HELD, claim: (n) => (n === 1 ? null : { reason: 'budget', detail: 'shared budget spent' }), wipPatch: kept });
    expect(r.reason).toBe('budget');
    expect(asked).toEqual([1]);
    expect(fs.readFileSync(kept(1), 'utf8')).toContain('+// half an idea');
    expect(fs.existsSync(wipPatchPath(ws.dir, 'run-goal', 1))).toBe(false);
    expect(fs.existsSync(path.join(ws.dir, 'target', 'scratch.mjs'))).toBe(false);
    expect(await history.dirtyPaths(ws.dir)).toEqual([]);
    const reset = log.find((e) => e.type === 'reset');
    expect(reset).toMatchObject({ reason: 'the run stopped (budget) with work that was not green; it is saved in .porter/wip/run-goal-w-0123456789ab-iteration-1.patch' });
  });
});
