/**
 * `porter agent --agents 3` as a real process, killed with SIGKILL after its first merge and
 * resumed, against the fake Messages API on loopback.
 */
import { describe, expect, it } from 'vitest';
import type { ScriptItem } from '../../support/fake-anthropic.js';
import { parallelWorkspace } from '../../support/parallel-example.js';
import { useTempDir } from '../../support/temp-dir.js';
import { git, solution, solverFor, useFakeApi } from './parallel-run.js';
import { acceptedMerges, coordinatorLog, until, usePorterProcesses } from './process-run.js';

const tmp = useTempDir('parallel-kill');
const fake = useFakeApi();
const { porter, held } = usePorterProcesses();

describe('porter agent --agents 3 as a process', () => {
  it('is killed with SIGKILL after its first merge and resumed: accepted merges are not redone', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const solve = solverFor(solution);
    // The first conversation goes through; the others wait, so the kill finds items in flight.
    let first: string | null = null;
    let holding = true;
    const api = await fake.start((body, index, conversation = '') => {
      first ??= conversation;
      if (holding && conversation !== first) return new Promise<ScriptItem>((resolve) => held.push(resolve));
      return solve.responder(body, index);
    });
    const env = { ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-kill', ANTHROPIC_BASE_URL: api.url };
    const one = porter(['agent', '--agents', '3'], ws, env);
    await until('the first accepted merge', () => acceptedMerges(coordinatorLog(ws)).length > 0, one.output);
    expect(coordinatorLog(ws).filter((e) => e.type === 'item').length).toBeGreaterThanOrEqual(3);
    one.child.kill('SIGKILL');
    expect(await one.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    for (const release of held.splice(0)) release({ kind: 'drop' });
    const mergedFirst = acceptedMerges(coordinatorLog(ws))[0]!;

    // Resumed by a single agent by mistake: refused, with the flags it ran with.
    const wrong = porter(['agent', '--resume'], ws, env);
    expect(await wrong.exited()).toEqual({ code: 2, signal: null });
    expect(wrong.output()).toMatch(/\nporter: run \S+ is a parallel run: resume it as it ran, porter agent --resume --agents 3\n$/);
    holding = false;
    const second = porter(['agent', '--agents', '3', '--resume', '--json', '-'], ws, { ...env });
    const done = await second.exited();
    expect(done.code, second.output()).toBe(0);
    const result = JSON.parse(second.stdout());
    expect(result).toMatchObject({ status: 'all-pass', failing: [], merges: { accepted: 4, rejected: 0, conflicts: 0 } });

    const log = coordinatorLog(ws);
    expect(log.filter((e) => e.type === 'run-start')).toHaveLength(2);
    const accepted = acceptedMerges(log);
    expect(new Set(accepted.map((m) => m.itemId)).size).toBe(4);
    // The items the killed run had out are settled as dropped, so none stays "out" for ever.
    const firstStart = log.findIndex((e) => e.type === 'run-start');
    const outAtKill = log.slice(firstStart, log.findLastIndex((e) => e.type === 'run-start')).filter((e) => e.type === 'item' && e.itemId !== mergedFirst.itemId);
    expect(outAtKill.length).toBeGreaterThanOrEqual(2);
    for (const item of outAtKill as Array<{ itemId: string; attempt: number }>) {
      expect(log.find((e) => e.type === 'merge' && e.itemId === item.itemId && e.attempt === item.attempt)).toMatchObject({ status: 'dropped' });
    }
    expect(accepted.filter((m) => m.itemId === mergedFirst.itemId)).toHaveLength(1);
    // The resumed run cut no item for the cases the first merge made pass.
    const firstCases = (log.find((e) => e.type === 'item' && e.itemId === mergedFirst.itemId) as { cases: string[] }).cases;
    const secondStart = log.findLastIndex((e) => e.type === 'run-start');
    const reoffered = log.slice(secondStart).filter((e) => e.type === 'item').flatMap((e) => (e as { cases: string[] }).cases);
    expect(reoffered.filter((id) => firstCases.includes(id))).toEqual([]);
    expect(git(ws, 'log', '--first-parent', '--format=%s').split('\n').filter((s) => s.startsWith('porter: merge '))).toHaveLength(4);
    expect(git(ws, 'status', '--porcelain')).toBe('');
  }, 180_000);
});
