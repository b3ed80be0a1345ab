/**
 * The merge queue: its pure judgements, and `mergeResult` on a real git repository judged by
 * a suite runner of the test's own, where case `cN` passes when the workspace's `cN.txt`
 * says `ok`, so a branch makes cases pass or break by what it commits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { compareWithGreen, itemTrailer, mergeMessage, mergeResult, supersededOn, type GreenLine, type MergeDeps } from '../../../harness/agent/parallel/merge-queue.js';
import type { WorkResult } from '../../../harness/agent/parallel/queue/work-queue.js';
import type { WorkItem } from '../../../harness/agent/parallel/work-items.js';
import { mergeInProgress } from '../../../harness/agent/parallel/worktree-git.js';
import { runVerdict, type KnownCase, type SuiteRunner, type SuiteVerdict } from '../../../harness/agent/verdict.js';
import type { PorterConfig } from '../../../harness/config/types.js';
import { summarizePhases } from '../../../harness/judge/case-status.js';
import type { CaseResult } from '../../../harness/run/types.js';
import { commitFiles, gitSync, initRepo, isolateGitConfig, remoteAndClone } from '../../support/git-sandbox.js';
import { useTempDir } from '../../support/temp-dir.js';

const IDS = ['c1', 'c2', 'c3', 'c4'];
const known: KnownCase[] = IDS.map((id) => ({ id, phase: 'p', snapshotPath: `${id}.snap` }));

function caseResult(id: string, pass: boolean, extra: Partial<CaseResult> = {}): CaseResult {
  return { id, phase: 'p', status: pass ? 'pass' : 'fail', rawStatus: pass ? 'pass' : 'fail', durationMs: 0, snapshotPath: `${id}.snap`, ...extra };
}

function verdictOf(cases: CaseResult[]): SuiteVerdict {
  return { cases, phases: summarizePhases(['p'], cases), durationMs: 0 };
}

const item = (cases: string[], extra: Partial<WorkItem> = {}): WorkItem => ({ id: 'w-0123456789ab', phase: 'p', label: 'the c cases', cases, base: 'b'.repeat(40), attempt: 1, ...extra });
const result = (commit: string, extra: Partial<WorkResult> = {}): WorkResult => ({
  itemId: 'w-0123456789ab', attempt: 1, workerId: 'w2', branch: 'porter/work/w-0123456789ab', commit, casesGained: 1, costUsd: 0, ...extra,
});

describe('the merge queue\'s judgements', () => {
  it('names what a merged tree breaks and what it gains, sorted', () => {
    expect(compareWithGreen(['c3', 'c1', 'c2'], ['c4', 'c2', 'c0'])).toEqual({ regressions: ['c1', 'c3'], gained: ['c0', 'c4'] });
    expect(compareWithGreen(['c1'], ['c1'])).toEqual({ regressions: [], gained: [] });
  });

  it('finds an item superseded only when every one of its cases matches on the green line, skip-listed or not', () => {
    const green = verdictOf([
      caseResult('c1', true),
      caseResult('c2', true, { status: 'unexpected-pass', skipReason: 'later' }),
      caseResult('c3', false, { status: 'skip', skipReason: 'later' }),
      caseResult('c4', false),
    ]);
    expect(supersededOn(green, item(['c1', 'c2']))).toBe(true);
    expect(supersededOn(green, item(['c1', 'c3']))).toBe(false);
    expect(supersededOn(green, item(['c4']))).toBe(false);
  });

  it('writes a commit message with the item, the worker, the counts, what passes now and the trailer', () => {
    const gained = Array.from({ length: 32 }, (_, i) => `g${String(i).padStart(2, '0')}`);
    const v = verdictOf([caseResult('c1', true), caseResult('c2', true), caseResult('c3', false)]);
    const m = mergeMessage(item(['c2'], { attempt: 3, label: 'escapes in strings' }), result('f'.repeat(40), { workerId: 'host-w4' }), v, gained, 'run-7');
    const lines = m.split('\n');
    expect(lines[0]).toBe('porter: merge w-0123456789ab from host-w4: p 2/3 (+32)');
    expect(lines[1]).toBe('');
    expect(m).toContain('Item: escapes in strings\np 2/3\n');
    expect(m).toContain(`Newly passing: ${gained.slice(0, 30).join(', ')}, … (32 in all)\n`);
    expect(lines.slice(-3)).toEqual([itemTrailer('w-0123456789ab', 3), 'Porter-Worker: host-w4', 'Porter-Run: run-7']);
    expect(itemTrailer('w-0123456789ab', 3)).toBe('Porter-Item: w-0123456789ab attempt 3');
  });
});

describe('mergeResult on a real repository', () => {
  isolateGitConfig();
  const tmp = useTempDir('merge-queue');
  let ws: string;
  let green: GreenLine;
  let runs: number;
  let deps: MergeDeps;

  /** Case results from the files of the workspace the config's target runs in. */
  const runSuite: SuiteRunner = async (config) => {
    runs += 1;
    const cases = IDS.map((id) => {
      const file = path.join(config.target.cwd, `${id}.txt`);
      return caseResult(id, fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() === 'ok');
    });
    return { ok: true, result: { version: 1, startedAt: '', durationMs: 0, phases: summarizePhases(['p'], cases), cases, staleSkips: [], warnings: [] } };
  };

  const head = () => gitSync(ws, 'rev-parse', 'HEAD');
  const status = () => gitSync(ws, 'status', '--porcelain');
  const read = (rel: string) => fs.readFileSync(path.join(ws, rel), 'utf8');

  /** A worker's result: a commit on its own branch from `from`, the workspace left on main. */
  function branchResult(from: string, files: Record<string, string>): string {
    gitSync(ws, 'checkout', '-q', '-b', 'porter/work/w-0123456789ab', from);
    const rev = commitFiles(ws, files, 'worker: some cases');
    gitSync(ws, 'checkout', '-q', 'main');
    return rev;
  }

  beforeEach(async () => {
    ws = path.join(tmp.dir, 'ws');
    initRepo(ws, { 'c1.txt': 'ok\n', 'c2.txt': 'no\n', 'c3.txt': 'no\n', 'c4.txt': 'no\n', 'shared.txt': 'base\n' });
    runs = 0;
    const config = { phases: [{ name: 'p' }], target: { cwd: ws } } as unknown as PorterConfig;
    deps = { workspace: ws, config, known, runSuite, runId: 'run-1' };
    green = { rev: head(), verdict: await runVerdict(runSuite, config, known) };
    runs = 0;
  });

  it('accepts a result that makes more cases pass and breaks none: one merge commit with the harness\'s message', async () => {
    const commit = branchResult(green.rev, { 'c2.txt': 'ok\n' });
    const d = await mergeResult(deps, green, item(['c2']), result(commit));
    expect(d).toMatchObject({ status: 'accepted', gained: ['c2'], detail: '+1: p 2/4' });
    if (d.status !== 'accepted') return;
    expect(d.rev).toBe(head());
    expect(gitSync(ws, 'rev-parse', 'HEAD^1', 'HEAD^2').split('\n')).toEqual([green.rev, commit]);
    const message = gitSync(ws, 'log', '-1', '--format=%B');
    expect(message.split('\n')[0]).toBe('porter: merge w-0123456789ab from w2: p 2/4 (+1)');
    expect(message).toContain('Newly passing: c2\nPorter-Item: w-0123456789ab attempt 1\nPorter-Worker: w2\nPorter-Run: run-1');
    expect(d.verdict.cases.filter((c) => c.rawStatus === 'pass').map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(status()).toBe('');
    expect(runs).toBe(1);
  });

  it('rejects a result that breaks a case passing on the green line, and leaves the green line exactly as it was', async () => {
    const commit = branchResult(green.rev, { 'c1.txt': 'broken\n', 'c2.txt': 'ok\n', 'c3.txt': 'ok\n' });
    const d = await mergeResult(deps, green, item(['c2', 'c3']), result(commit));
    expect(d).toEqual({ status: 'rejected', regressions: ['c1'], detail: 'merged, it breaks 1 case(s) that pass on the green line: c1' });
    expect(head()).toBe(green.rev);
    expect(status()).toBe('');
    expect(await mergeInProgress(ws)).toBe(false);
    expect([read('c1.txt'), read('c2.txt')]).toEqual(['ok\n', 'no\n']);
  });

  it('rejects a result that gains nothing once merged', async () => {
    const commit = branchResult(green.rev, { 'shared.txt': 'reworded\n' });
    const d = await mergeResult(deps, green, item(['c2']), result(commit));
    expect(d).toEqual({ status: 'rejected', regressions: [], detail: 'merged onto the green line, it makes no more cases pass' });
    expect(head()).toBe(green.rev);
    expect(read('shared.txt')).toBe('base\n');
    expect(status()).toBe('');
  });

  it('reports a conflict with the files named, without judging, and leaves no merge behind', async () => {
    const commit = branchResult(green.rev, { 'shared.txt': 'from the worker\n', 'c2.txt': 'ok\n' });
    // The green line moved on since the worker started: another item touched the same file.
    const moved: GreenLine = { rev: commitFiles(ws, { 'shared.txt': 'from another item\n', 'c3.txt': 'ok\n' }, 'porter: merge another'), verdict: await runVerdict(runSuite, deps.config, known) };
    runs = 0;
    const d = await mergeResult(deps, moved, item(['c2']), result(commit));
    expect(d).toEqual({ status: 'conflict', files: ['shared.txt'], detail: 'its changes conflict with the green line in shared.txt' });
    expect(runs).toBe(0);
    expect(await mergeInProgress(ws)).toBe(false);
    expect(fs.existsSync(path.join(ws, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(head()).toBe(moved.rev);
    expect(status()).toBe('');
    expect(read('shared.txt')).toBe('from another item\n');
  });

  it('finds an item superseded when its cases already pass, without looking at its commit', async () => {
    const d = await mergeResult(deps, green, item(['c1']), result('0'.repeat(40)));
    expect(d).toEqual({ status: 'superseded', detail: 'its 1 case(s) already pass on the green line' });
    expect(runs).toBe(0);
    expect(head()).toBe(green.rev);
  });

  it('finds a result superseded when its changes are on the green line already', async () => {
    const commit = branchResult(green.rev, { 'c2.txt': 'ok\n' });
    gitSync(ws, 'merge', '-q', '--ff-only', commit);
    const onGreen: GreenLine = { rev: head(), verdict: green.verdict };
    const d = await mergeResult(deps, onGreen, item(['c2']), result(commit));
    expect(d).toEqual({ status: 'superseded', detail: 'its changes are already on the green line' });
    expect(runs).toBe(0);
    expect(head()).toBe(commit);
    expect(await mergeInProgress(ws)).toBe(false);
  });

  it('drops a result whose commit the repository does not have', async () => {
    const d = await mergeResult(deps, green, item(['c2']), result('deadbeef'.repeat(5)));
    expect(d).toEqual({ status: 'dropped', detail: 'its result commit deadbeef is not in the repository' });
    expect(head()).toBe(green.rev);
  });

  it('fetches a result from the coordinator\'s remote when a worker on another machine pushed it there', async () => {
    const { remote, elsewhere } = remoteAndClone(tmp.dir, ws);
    const commit = commitFiles(elsewhere, { 'c4.txt': 'ok\n' }, 'worker elsewhere');
    gitSync(elsewhere, 'push', '-q', remote, `${commit}:refs/heads/porter/work/w-0123456789ab`);
    expect(() => gitSync(ws, 'cat-file', '-e', `${commit}^{commit}`)).toThrow();

    const d = await mergeResult({ ...deps, remote }, green, item(['c4']), result(commit));
    expect(d).toMatchObject({ status: 'accepted', gained: ['c4'] });
    expect(gitSync(ws, 'rev-parse', 'HEAD^2')).toBe(commit);

    const missing = await mergeResult({ ...deps, remote }, green, item(['c3']), result('deadbeef'.repeat(5), { branch: 'porter/work/w-nothing' }));
    expect(missing.status).toBe('dropped');
    expect(missing.detail).toMatch(new RegExp(`^its result porter/work/w-nothing could not be fetched from ${remote}: `));
  });
});
