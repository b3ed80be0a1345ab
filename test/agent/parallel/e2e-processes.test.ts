/**
 * Parallel runs as real processes of the built CLI, against the fake Messages API on
 * loopback: a coordinator killed with SIGKILL and resumed, and workers on "other machines"
 * (separate processes in separate clones sharing one bare remote) on a real PostgreSQL,
 * one of them killed with SIGKILL while it holds an item.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSession } from '../../../harness/agent/session-log.js';
import type { SessionEntry } from '../../../harness/agent/types.js';
import { ensureBuilt } from '../../support/built-dist.js';
import { clusterStageOf, createSolver } from '../../support/fake-anthropic-solver.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptItem } from '../../support/fake-anthropic.js';
import { CLUSTERS, parallelExample, parallelWorkspace } from '../../support/parallel-example.js';
import { startPostgres } from '../../support/postgres.js';
import { useTempDir } from '../../support/temp-dir.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repoRoot, 'dist/harness/cli/bin.js');
beforeAll(() => ensureBuilt(), 300_000);

const started = await startPostgres();
const cluster = started.ok ? started.cluster : null;
afterAll(() => cluster?.stop());

const tmp = useTempDir('parallel-procs');
let api: FakeAnthropic | undefined;
const children: ChildProcess[] = [];
const held: Array<(item: ScriptItem) => void> = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const release of held.splice(0)) release({ kind: 'drop' });
  await api?.close();
  api = undefined;
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const solver = () => createSolver({ solutionDir: path.join(parallelExample, 'solution'), stagesFile: 'clusters.json', stageOf: clusterStageOf, targetPrefix: 'target/' });

function porter(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let stdout = '';
  child.stdout.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  /** Its exit, or a failure with everything it printed when it takes longer than `ms`. */
  const exited = (ms = 120_000) =>
    Promise.race([exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`porter ${args.join(' ')} still running after ${ms} ms:\n${out}`)), ms).unref())]);
  return { child, exited, output: () => out, stdout: () => stdout };
}

async function until<T>(what: string, probe: () => T | null | undefined | false, output: () => string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function coordinatorLog(ws: string): SessionEntry[] {
  const dir = path.join(ws, '.porter', 'sessions');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  return files.length === 0 ? [] : readSession(path.join(dir, files.at(-1)!)).entries;
}

const systemText = (body: { system?: unknown }): string =>
  typeof body.system === 'string' ? body.system : Array.isArray(body.system) ? body.system.map((b: { text?: string }) => b.text ?? '').join('\n') : '';
const firstUserText = (body: { messages?: Array<{ role: string; content: unknown }> }): string => {
  const c = body.messages?.find((m) => m.role === 'user')?.content;
  return typeof c === 'string' ? c : Array.isArray(c) ? c.filter((b) => b?.type === 'text').map((b) => b.text).join('\n') : '';
};
const acceptedMerges = (log: SessionEntry[]) => log.filter((e): e is Extract<SessionEntry, { type: 'merge' }> => e.type === 'merge' && e.status === 'accepted');

describe('porter agent --agents 3 as a process', () => {
  it('is killed with SIGKILL after its first merge and resumed: accepted merges are not redone', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const solve = solver();
    // The first conversation goes through; the others wait, so the kill finds items in flight.
    let first: string | null = null;
    let holding = true;
    api = await startFakeAnthropic({
      responder: (body, index, conversation = '') => {
        first ??= conversation;
        if (holding && conversation !== first) return new Promise<ScriptItem>((resolve) => held.push(resolve));
        return solve.responder(body, index);
      },
    });
    const env = { ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-kill', ANTHROPIC_BASE_URL: api.url };
    const one = porter(['agent', '--agents', '3'], ws, env);
    await until('the first accepted merge', () => acceptedMerges(coordinatorLog(ws)).length > 0, one.output);
    expect(coordinatorLog(ws).filter((e) => e.type === 'item').length).toBeGreaterThanOrEqual(3);
    one.child.kill('SIGKILL');
    expect(await one.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    for (const release of held.splice(0)) release({ kind: 'drop' });
    const mergedFirst = acceptedMerges(coordinatorLog(ws))[0]!;

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

/** The coordinator's workspace with agent.remote set, committed and pushed to a bare remote, and a clone of it per other machine. */
function machines(names: string[]): { ws: string; remote: string; clones: string[] } {
  const ws = parallelWorkspace(tmp.dir);
  const remote = path.join(tmp.dir, 'remote.git');
  fs.appendFileSync(path.join(ws, 'porter.config.yaml'), `\nagent:\n  remote: ${JSON.stringify(remote)}\n`);
  git(tmp.dir, 'init', '-q', '--bare', '--initial-branch=main', remote);
  git(ws, 'init', '-q');
  git(ws, 'add', '-A');
  git(ws, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'the port so far');
  git(ws, 'push', '-q', remote, 'HEAD:refs/heads/main');
  const clones = names.map((m) => {
    git(tmp.dir, 'clone', '-q', remote, m);
    return path.join(tmp.dir, m);
  });
  return { ws, remote, clones };
}

describe.skipIf(!cluster)(`workers on other machines through PostgreSQL${started.ok ? '' : ` (skipped: ${started.reason})`}`, () => {
  it('gives the item of a worker killed with SIGKILL to another worker once its lease runs out, and reaches green', async () => {
    const { ws, remote, clones } = machines(['m1', 'm2']);
    const [m1, m2] = clones as [string, string];

    const solve = solver();
    let victim: string | null = null;
    api = await startFakeAnthropic({
      responder: (body, index) => {
        // Machine m1's first request never gets an answer: it is killed while it waits.
        if (victim === null && systemText(body).includes(`${m1}/.porter/worktrees/`)) {
          victim = clusterStageOf(firstUserText(body), CLUSTERS)!.name!;
          return new Promise<ScriptItem>((resolve) => held.push(resolve));
        }
        return solve.responder(body, index);
      },
    });
    const env = { ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-pg', ANTHROPIC_BASE_URL: api.url };
    const url = cluster!.url(`?schema=e2e_${process.pid}`);
    const coordinator = porter(['agent', '--queue', url, '--lease', '3s', '--json', '-'], ws, env);
    await until('the coordinator to offer items', () => coordinatorLog(ws).some((e) => e.type === 'item'), coordinator.output);
    const w1 = porter(['worker', '--queue', url], m1, env);
    await until('machine m1 to hold an item', () => victim, () => `${coordinator.output()}\n--- m1:\n${w1.output()}`);
    const w2 = porter(['worker', '--queue', url], m2, env);
    w1.child.kill('SIGKILL');
    expect(await w1.exited()).toEqual({ code: null, signal: 'SIGKILL' });

    const done = await coordinator.exited();
    const out = coordinator.output();
    expect(done.code, `${out}\n--- m2:\n${w2.output()}`).toBe(0);
    expect(JSON.parse(coordinator.stdout())).toMatchObject({ status: 'all-pass', merges: { accepted: 4 } });
    // Every result came from m2, the victim's cluster included; m2 leaves once the run is over.
    const log = coordinatorLog(ws);
    const accepted = acceptedMerges(log);
    expect(accepted).toHaveLength(4);
    const m2Workers = new Set(accepted.map((m) => m.workerId));
    expect(m2Workers.size).toBe(1);
    const victimItem = log.find((e) => e.type === 'item' && e.cases.some((id) => id.includes(`@${victim}_`))) as { itemId: string };
    expect(accepted.some((m) => m.itemId === victimItem.itemId)).toBe(true);
    expect((await w2.exited()).code).toBe(0);
    expect(out + w2.output()).not.toContain(cluster!.password);
    // The green line went to the remote for the workers, and the workspace is on it.
    expect(git(remote, 'rev-parse', 'refs/heads/porter/green')).toBe(git(ws, 'rev-parse', 'HEAD'));
  }, 180_000);

  it('lets a coordinator killed with SIGKILL resume: its merges stand, and the item out with a worker is merged, not cut again', async () => {
    const { ws, clones: [m1] } = machines(['m1']);
    const solve = solver();
    // The worker's second conversation waits until the coordinator is dead.
    const conversations: string[] = [];
    let release!: () => void;
    const coordinatorDead = new Promise<void>((resolve) => (release = resolve));
    api = await startFakeAnthropic({
      responder: async (body, index, conversation = '') => {
        if (!conversations.includes(conversation)) conversations.push(conversation);
        if (conversations.indexOf(conversation) === 1) await coordinatorDead;
        return solve.responder(body, index);
      },
    });
    const env = { ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-pg', ANTHROPIC_BASE_URL: api.url };
    const url = cluster!.url(`?schema=resume_${process.pid}`);
    const first = porter(['agent', '--queue', url, '--lease', '5s'], ws, env);
    await until('the coordinator to offer items', () => coordinatorLog(ws).some((e) => e.type === 'item'), first.output);
    const worker = porter(['worker', '--queue', url], m1!, env);
    await until('the first accepted merge, with a second item out', () => acceptedMerges(coordinatorLog(ws)).length === 1 && conversations.length === 2, () => `${first.output()}\n--- m1:\n${worker.output()}`);
    first.child.kill('SIGKILL');
    expect(await first.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    const before = coordinatorLog(ws);
    const out = before.filter((e) => e.type === 'item').map((e) => e as { itemId: string; attempt: number }).filter((i) => !before.some((m) => m.type === 'merge' && m.itemId === i.itemId));
    expect(out).toHaveLength(1);
    release();

    const second = porter(['agent', '--queue', url, '--lease', '5s', '--resume', '--json', '-'], ws, env);
    const done = await second.exited();
    expect(done.code, `${second.output()}\n--- m1:\n${worker.output()}`).toBe(0);
    expect(JSON.parse(second.stdout())).toMatchObject({ status: 'all-pass', merges: { accepted: 4 } });
    const log = coordinatorLog(ws);
    expect(log.filter((e) => e.type === 'run-start')).toHaveLength(2);
    const accepted = acceptedMerges(log);
    expect(new Set(accepted.map((m) => m.itemId)).size).toBe(4);
    // The item that was out kept its attempt: it was merged from the worker's result, not cut again.
    expect(log.filter((e) => e.type === 'item' && e.itemId === out[0]!.itemId)).toHaveLength(1);
    expect(accepted.find((m) => m.itemId === out[0]!.itemId)).toMatchObject({ attempt: out[0]!.attempt });
    expect((await worker.exited()).code).toBe(0);
  }, 180_000);
});
