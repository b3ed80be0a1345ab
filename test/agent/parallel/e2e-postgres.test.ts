/**
 * Workers on "other machines" through a real PostgreSQL: separate `porter worker` processes
 * in separate clones sharing one bare remote, with the coordinator a `porter agent --queue`
 * process; a worker killed with SIGKILL while it holds an item, and the coordinator killed and
 * resumed. The fake Messages API answers on loopback.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterStageOf } from '../../support/fake-anthropic-solver.js';
import type { ScriptItem } from '../../support/fake-anthropic.js';
import { CLUSTERS, parallelWorkspace } from '../../support/parallel-example.js';
import { startPostgres } from '../../support/postgres.js';
import { useTempDir } from '../../support/temp-dir.js';
import { firstUserText, git, solution, solverFor, systemText, useFakeApi } from './parallel-run.js';
import { acceptedMerges, coordinatorLog, until, usePorterProcesses } from './process-run.js';

const started = await startPostgres();
const cluster = started.ok ? started.cluster : null;
afterAll(() => cluster?.stop());

const tmp = useTempDir('parallel-pg');
const fake = useFakeApi();
const { porter, held } = usePorterProcesses();

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

    const solve = solverFor(solution);
    let victim: string | null = null;
    const api = await fake.start((body, index) => {
      // Machine m1's first request never gets an answer: it is killed while it waits.
      if (victim === null && systemText(body).includes(`${m1}/.porter/worktrees/`)) {
        victim = clusterStageOf(firstUserText(body), CLUSTERS)!.name!;
        return new Promise<ScriptItem>((resolve) => held.push(resolve));
      }
      return solve.responder(body, index);
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
    for (const dir of [path.join(ws, '.porter'), path.join(m2, '.porter'), path.join(ws, 'reports')]) {
      for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        const file = path.join(dir, f);
        if (fs.statSync(file).isFile() && !f.endsWith('.br')) expect(fs.readFileSync(file, 'utf8'), file).not.toContain(cluster!.password);
      }
    }
    // The green line went to the remote for the workers, and the workspace is on it.
    expect(git(remote, 'rev-parse', 'refs/heads/porter/green')).toBe(git(ws, 'rev-parse', 'HEAD'));
  }, 180_000);

  it('lets a coordinator killed with SIGKILL resume: its merges stand, and the item out with a worker is merged, not cut again', async () => {
    const { ws, clones } = machines(['m1']);
    const m1 = clones[0]!;
    const solve = solverFor(solution);
    // The worker's second conversation waits until the coordinator is dead.
    const conversations: string[] = [];
    let release!: () => void;
    const coordinatorDead = new Promise<void>((resolve) => (release = resolve));
    const api = await fake.start(async (body, index, conversation = '') => {
      if (!conversations.includes(conversation)) conversations.push(conversation);
      if (conversations.indexOf(conversation) === 1) await coordinatorDead;
      return solve.responder(body, index);
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
