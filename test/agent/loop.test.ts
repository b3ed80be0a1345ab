/**
 * The loop on the bundled example: the real suite runner and judge over the example's
 * target run in-process, the workspace's history in memory, a real session log; only the
 * agent is scripted (it writes the solution through the tools). One test runs it all on
 * real git and the real target process, where the agent commits on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent, type AgentRunOptions, type AgentRunSuccess } from '../../harness/agent/run-agent.js';
import { readSession } from '../../harness/agent/session-log.js';
import type { SessionEntry } from '../../harness/agent/types.js';
import { gitWorkspaceOps } from '../../harness/agent/workspace-ops.js';
import { runSuite } from '../../harness/run/run-suite.js';
import { inProcessSuite } from '../support/in-process-target.js';
import { memoryWorkspace, type MemoryWorkspace } from './memory-workspace.js';
import { idle, scriptedBackend, writes, type ScriptedBackend, type Step } from './scripted-backend.js';
import { makeWorkspace, stageFiles, type Workspace, type WorkspaceOptions } from './workspace-fixture.js';

let ws: Workspace;
let history: MemoryWorkspace;
afterEach(() => ws?.cleanup());

const subjects = () => history.subjects();
/** The commit message's body, as `git show -s --format=%b`. */
const body = (back: number) => history.commit(back).message.split('\n').slice(2).join('\n');

async function run(steps: Step[], opts: WorkspaceOptions & Partial<AgentRunOptions> = {}): Promise<{ r: AgentRunSuccess; backend: ScriptedBackend; log: SessionEntry[] }> {
  ws = makeWorkspace(opts);
  history = memoryWorkspace();
  const backend = scriptedBackend(steps);
  const r = await runAgent({ configPath: ws.configPath, createBackend: () => backend, runSuite: inProcessSuite, workspaceOps: history, ...opts });
  if (!r.ok) throw new Error(r.message);
  return { r, backend, log: readSession(r.sessionFile).entries };
}

describe('porter agent loop', () => {
  it('takes an empty target to every phase passing, one commit per ratchet step and a summary per phase', async () => {
    const { r, backend, log } = await run([writes(stageFiles('lexer')), writes(stageFiles('parser')), writes(stageFiles('runtime'))]);
    expect(r.status).toBe('all-pass');
    expect(r.failing).toEqual([]);
    expect(subjects()).toEqual([
      'porter: runtime 15/15 (+15), iteration 5',
      'porter: parser 14/14 (+14), iteration 3',
      'porter: lexer 13/13 (+13), iteration 1',
      'porter: initial state',
    ]);
    expect(body(2)).toMatch(/^lexer 13\/13, parser 0\/14, runtime 0\/15\nNewly passing: test_lexer__lexer@comments-dropped\.txt/);
    expect(await history.dirtyPaths(ws.dir)).toEqual([]);
    expect(fs.existsSync(path.join(ws.dir, '.porter', 'lock'))).toBe(false);

    // Work, summary, work, summary, ...: each phase opens a new conversation seeded with the summaries so far.
    expect(backend.seen.map((s) => [s.iteration, s.phase, s.summary, s.fresh])).toEqual([
      [1, 'lexer', false, true], [2, 'lexer', true, false],
      [3, 'parser', false, true], [4, 'parser', true, false],
      [5, 'runtime', false, true], [6, 'runtime', true, false],
    ]);
    // An empty target: it cannot start (or, when its start races a slow machine, crashes on every case).
    expect(backend.seen[0]!.message).toMatch(/The target does not start|target crashed — 13 case/);
    expect(backend.seen[2]!.seed).toContain('## lexer\nSummary of lexer: built lexer.mjs in target/.');
    expect(backend.seen[4]!.seed).toContain('## parser\nSummary of parser');
    expect(backend.seen[0]!.model).toBe('claude-sonnet-5-5');

    expect(r.summaries.map((s) => s.phase)).toEqual(['lexer', 'parser', 'runtime']);
    expect(log.filter((e) => e.type === 'commit')).toHaveLength(3);
    expect(log[log.length - 1]).toMatchObject({ type: 'stop', reason: 'all-pass' });
    expect(r.stats).toMatchObject({ iterations: 3, summaries: 3, commits: 3, toolCalls: 4, segments: 1, resets: 0 });
    expect(r.stats.phases.map((p) => [p.phase, p.pass, p.total, p.summary])).toEqual([['lexer', 13, 13, true], ['parser', 14, 14, true], ['runtime', 15, 15, true]]);
  });

  it('names regressions in the next message and resets to the last green commit after the configured tries', async () => {
    const broken = { 'target/lexer.mjs': 'export function runCase() { return { output: "broken" }; }\n' };
    const { r, backend, log } = await run(
      [writes(stageFiles('lexer')), writes({ ...broken, ...stageFiles('parser') }), idle, writes(stageFiles('parser'))],
      { agent: { reset_after: 2, max_iterations: 4 }, adapter: true },
    );
    const work = backend.seen.filter((s) => !s.summary);
    expect(work.map((s) => [s.iteration, s.phase, s.fresh])).toEqual([[1, 'lexer', true], [3, 'parser', true], [4, 'parser', false], [5, 'parser', true]]);
    // Iteration 3 broke every lexer case while passing the parser: no commit, and iteration 4 hears of it.
    expect(work[2]!.message).toMatch(/Regressions: 13 case\(s\) passed at the last green commit and fail now\. Fix them first; the next regression resets/);
    expect(work[2]!.message).toContain('- test_lexer__lexer@keywords.txt (lexer) [fail]');
    // Iteration 4 changed nothing: the second try with regressions resets the workspace.
    const reset = log.find((e) => e.type === 'reset')!;
    expect(reset).toMatchObject({ iteration: 4, reason: expect.stringMatching(/^2 iteration\(s\) in a row broke cases/) });
    expect(work[3]!.message).toContain('The workspace was reset to the last green commit');
    expect(subjects()).toEqual(['porter: parser 14/14 (+14), iteration 5', 'porter: lexer 13/13 (+13), iteration 1', 'porter: initial state']);
    expect(fs.readFileSync(path.join(ws.dir, 'target', 'lexer.mjs'), 'utf8')).toBe(stageFiles('lexer')['target/lexer.mjs']);
    expect(r.status).toBe('max-iterations');
    expect(r.detail).toBe('4 iterations done (limit 4)');
    expect(r.summaries.map((s) => s.phase)).toEqual(['lexer', 'parser']);
  });

  it('stops on a stall, keeps unfinished work aside and ends on the last green commit', async () => {
    const junk: Step = async ({ tool }) => void (await tool('write', { path: 'target/scratch.mjs', content: '// try\n' }));
    const { r, log } = await run([junk, junk, junk], { solved: ['lexer'], agent: { stall: 2 } });
    expect(r.status).toBe('stall');
    expect(r.detail).toBe('the passing count has not grown for 2 iterations (best 13)');
    expect(log.filter((e) => e.type === 'iteration-start')).toHaveLength(2);
    expect(fs.existsSync(path.join(ws.dir, 'target', 'scratch.mjs'))).toBe(false);
    const reset = log.find((e) => e.type === 'reset') as Extract<SessionEntry, { type: 'reset' }>;
    const patch = /saved in (\S+)$/.exec(reset.reason)![1]!;
    expect(fs.readFileSync(path.join(ws.dir, patch), 'utf8')).toContain('+// try');
    expect(await history.dirtyPaths(ws.dir)).toEqual([]);
    expect(subjects()).toEqual(['porter: initial state']);
  });

  it('judges the agent\'s own commits like any other change (real git, real target)', async () => {
    const commitsItself: Step = async ({ tool }) => {
      await writes(stageFiles('lexer'))({ tool } as never);
      const r = await tool('bash', { command: 'git add -A && git -c user.name=agent -c user.email=a@b commit -qm "agent: lexer done" && echo ok' });
      expect(r.content).toMatch(/^ok/);
    };
    const { r } = await run([commitsItself], { agent: { max_iterations: 1 }, runSuite, workspaceOps: gitWorkspaceOps });
    expect(r.status).toBe('max-iterations');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ws.dir, encoding: 'utf8' }).trim();
    expect(git('log', '--format=%s').split('\n')).toEqual(['porter: lexer 13/13 (+13), iteration 1', 'porter: initial state']);
    expect(git('status', '--porcelain')).toBe('');
  });

  it('stops before a request that could cross the budget', async () => {
    const spend: Step = async ({ respond }) => {
      // $0.007 each at the default model's prices; a request's worst case is $0.0125.
      const u = { input: 1000, output: 500, cacheRead: 0, cacheWrite: 0 };
      while (respond(u));
      return { stop: 'budget', error: 'refused' };
    };
    const { r, log } = await run([spend, spend], { limits: { budgetUsd: 0.02 }, adapter: true });
    expect(r.status).toBe('budget');
    expect(r.detail).toBe('budget: the next request could cost up to $0.01, and $0.01 of $0.02 is spent');
    // Two fit: $0.0125 worst case, then $0.007 + $0.0125; a third could reach $0.0265.
    expect(log.filter((e) => e.type === 'response')).toHaveLength(2);
    expect(r.stats.costUsd).toBeCloseTo(0.014, 10);
    // The baseline and the verdict on the one iteration: the harness still judged it.
    expect(log.filter((e) => e.type === 'test-run')).toHaveLength(2);
    expect(log.filter((e) => e.type === 'iteration-start')).toHaveLength(1);
  });
});
