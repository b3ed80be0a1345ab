/**
 * `--resume` after a crash. A crash is simulated by leaving the session log and the
 * workspace exactly as a kill -9 at that point would: the log cut after the last entry
 * written (with a torn line), the lock owned by a dead process, the files and the
 * workspace's history as they were.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent as runAgentWith, type AgentRunOptions } from '../../harness/agent/run-agent.js';
import { latestSession, readSession } from '../../harness/agent/session-log.js';
import type { SessionEntry } from '../../harness/agent/types.js';
import { inProcessSuite } from '../support/in-process-target.js';
import { memoryWorkspace, type MemoryWorkspace } from './memory-workspace.js';
import { scriptedBackend, writes, type Step } from './scripted-backend.js';
import { makeWorkspace, stageFiles, type Workspace } from './workspace-fixture.js';

let ws: Workspace;
/** The workspace's history, in memory like the files on disk: it outlives a crashed run. */
let history: MemoryWorkspace;
afterEach(() => ws?.cleanup());

function workspace(opts: Parameters<typeof makeWorkspace>[0] = {}): Workspace {
  history = memoryWorkspace();
  return makeWorkspace(opts);
}
/** The suite runs in-process and the history is in memory: no target process, no git. */
const runAgent = (o: AgentRunOptions) => runAgentWith({ runSuite: inProcessSuite, workspaceOps: history, ...o });
const subjects = () => history.subjects().join('\n');
const usage = { input: 1000, output: 500, cacheRead: 0, cacheWrite: 0 };

class Crash extends Error {}

/** The log as kill -9 leaves it: cut after entry `seq`, plus half of a line; and a lock whose owner is dead. */
function crashAt(seq: number): void {
  const file = latestSession(ws.dir)!;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const kept = lines.filter((l) => (JSON.parse(l) as SessionEntry).seq <= seq);
  fs.writeFileSync(file, `${kept.join('\n')}\n{"v":1,"seq":${seq + 1},"ts":"2026-11-2`);
  const dead = Number(spawnSync('bash', ['-c', 'echo $$']).stdout.toString().trim());
  fs.writeFileSync(path.join(ws.dir, '.porter', 'lock'), JSON.stringify({ pid: dead, hostname: os.hostname(), startedAt: 'x' }));
}

describe('--resume', () => {
  it('a Ctrl-C while the work that completes a phase is judged leaves the summary to the resumed run', async () => {
    ws = workspace();
    const controller = new AbortController();
    let runs = 0;
    // The second suite run judges iteration 1, which completes the lexer: the interrupt lands during it.
    const judging: AgentRunOptions['runSuite'] = async (config, options) => {
      if (++runs === 2) controller.abort();
      return inProcessSuite(config, options);
    };
    const first = scriptedBackend([writes(stageFiles('lexer'))]);
    const r = await runAgent({ configPath: ws.configPath, createBackend: () => first, runSuite: judging, signal: controller.signal });
    if (!r.ok) throw new Error(r.message);
    expect(r.status).toBe('interrupted');
    const log = readSession(r.sessionFile).entries;
    expect(log.filter((e) => e.type === 'phase-summary')).toEqual([]);
    expect(log.filter((e) => e.type === 'iteration-start').map((e) => (e as { kind?: string }).kind ?? 'work')).toEqual(['work']);
    expect(subjects()).toMatch(/^porter: lexer 13\/13 \(\+13\), iteration 1/);

    const second = scriptedBackend([]);
    // The iteration already done counts: the resumed run writes the summary, then stops at the limit.
    const again = await runAgent({ configPath: ws.configPath, createBackend: () => second, resume: true, limits: { maxIterations: 1 } });
    if (!again.ok) throw new Error(again.message);
    expect(second.seen.map((s) => [s.phase, s.summary])).toEqual([['lexer', true]]);
    expect(again.summaries.map((s) => s.phase)).toEqual(['lexer']);
    expect(again.status).toBe('max-iterations');
  });

  it('continues an iteration cut short by a crash: no completed tool call repeated, counters and spending carried on', async () => {
    ws = workspace();
    const crashing: Step = async ({ tool, respond }) => {
      respond(usage);
      await tool('write', { path: 'target/parser.mjs', content: stageFiles('parser')['target/parser.mjs']! });
      throw new Crash('killed');
    };
    const first = scriptedBackend([writes(stageFiles('lexer')), crashing]);
    await expect(runAgent({ configPath: ws.configPath, createBackend: () => first })).rejects.toThrow(/killed/);
    const before = readSession(latestSession(ws.dir)!).entries;
    const lastWrite = before.filter((e) => e.type === 'tool-result').pop()!;
    crashAt(lastWrite.seq);

    let continued: { iteration: number; message: string; fresh: boolean; restoredWrites: number } | null = null;
    const resumeStep: Step = async ({ ctx, respond }) => {
      // What a real backend does on restore: see the logged call and not make it again.
      const restored = second.restored ?? [];
      const restoredWrites = restored.filter((e) => e.type === 'tool-call' && (e.input as { path?: string }).path === 'target/parser.mjs').length;
      continued = { iteration: ctx.iteration, message: ctx.message, fresh: ctx.fresh, restoredWrites };
      respond(usage);
    };
    const second = scriptedBackend([resumeStep, writes(stageFiles('runtime'))]);
    const warnings: string[] = [];
    const r = await runAgent({ configPath: ws.configPath, resume: true, createBackend: () => second, warn: (w) => warnings.push(w) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe('all-pass');
    expect(warnings.join('\n')).toMatch(/last line is incomplete/);
    expect(warnings.join('\n')).toMatch(/took over the lock of a run that is gone/);

    const log = readSession(r.sessionFile).entries;
    const parserStart = log.find((e) => e.type === 'iteration-start' && e.phase === 'parser' && e.kind === 'work')!;
    expect(continued).toEqual({ iteration: 3, message: (parserStart as { message: string }).message, fresh: true, restoredWrites: 1 });
    expect(log.filter((e) => e.type === 'iteration-start').map((e) => (e as { iteration: number }).iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.filter((e) => e.type === 'tool-call' && (e.input as { path?: string }).path === 'target/parser.mjs')).toHaveLength(1);
    expect(log.filter((e) => e.type === 'run-start').map((e) => (e as { resumedFrom?: number }).resumedFrom)).toEqual([undefined, lastWrite.seq]);
    expect(history.subjects()).toEqual([
      'porter: runtime 15/15 (+15), iteration 5',
      'porter: parser 14/14 (+14), iteration 3',
      'porter: lexer 13/13 (+13), iteration 1',
      'porter: initial state',
    ]);
    expect(r.stats).toMatchObject({ segments: 2, iterations: 3, summaries: 3, commits: 3, requests: 2 });
    expect(r.stats.costUsd).toBeCloseTo(0.014, 10);
    expect(r.summaries.map((s) => s.phase)).toEqual(['lexer', 'parser', 'runtime']);
  });

  it('carries out a commit the crash came between: before git committed, and after', async () => {
    ws = workspace({ agent: { max_iterations: 1 } });
    const first = await runAgent({ configPath: ws.configPath, createBackend: () => scriptedBackend([writes(stageFiles('lexer'))]) });
    expect(first.ok && first.status).toBe('max-iterations');
    const log = readSession(latestSession(ws.dir)!).entries;
    const verdict = log.find((e) => e.type === 'test-run' && e.iteration === 1)!;
    const commits = subjects();

    // Killed after git committed, before the commit entry was written.
    crashAt(verdict.seq);
    const again = await runAgent({ configPath: ws.configPath, resume: true, createBackend: () => scriptedBackend([]) });
    expect(again.ok && again.status).toBe('max-iterations');
    expect(subjects()).toBe(commits);
    const relog = readSession(latestSession(ws.dir)!).entries;
    expect(relog.filter((e) => e.type === 'commit')).toEqual([expect.objectContaining({ iteration: 1, rev: await history.headRev(ws.dir) })]);

    // Killed after the verdict, before git committed.
    await history.uncommitSince(ws.dir, history.commit(1).rev);
    crashAt(verdict.seq);
    const third = await runAgent({ configPath: ws.configPath, resume: true, createBackend: () => scriptedBackend([]) });
    expect(third.ok && third.status).toBe('max-iterations');
    expect(subjects()).toBe(commits);
    expect(await history.dirtyPaths(ws.dir)).toEqual([]);
    expect(third.ok && third.summaries.map((s) => s.phase)).toEqual(['lexer']);
  });

  it('never resets past a commit the maintainer made between runs', async () => {
    ws = workspace({ agent: { max_iterations: 1, reset_after: 1 } });
    await runAgent({ configPath: ws.configPath, createBackend: () => scriptedBackend([writes(stageFiles('lexer'))]) });
    fs.writeFileSync(path.join(ws.dir, 'README.md'), 'maintainer\n');
    await history.commitAll(ws.dir, 'maintainer: readme');
    const breaks = writes({ 'target/lexer.mjs': 'export function runCase() { return { output: "x" }; }\n' });
    const r = await runAgent({ configPath: ws.configPath, resume: true, createBackend: () => scriptedBackend([breaks]), limits: { maxIterations: 2 } });
    expect(r.ok && r.status).toBe('max-iterations');
    const log = readSession(latestSession(ws.dir)!).entries;
    expect(log.find((e) => e.type === 'reset')).toMatchObject({ rev: await history.headRev(ws.dir) });
    expect(history.subjects()[0]).toBe('maintainer: readme');
    expect(fs.readFileSync(path.join(ws.dir, 'README.md'), 'utf8')).toBe('maintainer\n');
    expect(fs.readFileSync(path.join(ws.dir, 'target', 'lexer.mjs'), 'utf8')).toBe(stageFiles('lexer')['target/lexer.mjs']);
  });

  it('after a stall stop, a resumed run gets a fresh stall count', async () => {
    ws = workspace({ adapter: true, agent: { stall: 1 } });
    const r1 = await runAgent({ configPath: ws.configPath, createBackend: () => scriptedBackend([]) });
    expect(r1.ok && r1.status).toBe('stall');
    const r2 = await runAgent({ configPath: ws.configPath, resume: true, createBackend: () => scriptedBackend([writes(stageFiles('lexer'))]), limits: { maxIterations: 2 } });
    expect(r2.ok && r2.status).toBe('max-iterations');
    expect(r2.ok && r2.stats.iterations).toBe(2);
    expect(history.subjects()[0]).toBe('porter: lexer 13/13 (+13), iteration 2');
  });
});
