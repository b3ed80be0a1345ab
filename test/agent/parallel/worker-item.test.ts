/**
 * A worker and one item, as on another machine: its result cannot reach the coordinator's
 * remote (it says so, and the item goes back), or it takes over an item from a worker that
 * went quiet (it continues from the work-in-progress branch that one pushed). Real git, the
 * real loop and suite runner, the embedded queue, and an agent working through the real tools.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAgentConfig } from '../../../harness/agent/agent-config.js';
import { createBudget } from '../../../harness/agent/budget.js';
import { createEmbeddedQueue } from '../../../harness/agent/parallel/queue/embedded-queue.js';
import { planWorkItems } from '../../../harness/agent/parallel/work-items.js';
import { workItem, type WorkerDeps } from '../../../harness/agent/parallel/worker.js';
import type { WorkQueue } from '../../../harness/agent/parallel/queue/work-queue.js';
import type { AgentBackend } from '../../../harness/agent/types.js';
import { runSuite } from '../../../harness/run/run-suite.js';
import { loadSuite } from '../../../harness/suite/load-suite.js';
import { ZERO_USAGE } from '../../../harness/reports/usage.js';
import { commitFiles, gitSync, isolateGitConfig, remoteAndClone } from '../../support/git-sandbox.js';
import { parallelExample, parallelWorkspace, runWorkspace, workspaceConfig } from '../../support/parallel-example.js';
import { useTempDir } from '../../support/temp-dir.js';
import { IDENTITY } from './work-queue-contract.js';

isolateGitConfig();
const tmp = useTempDir('worker-push');

const porter: AgentBackend = {
  kind: 'test',
  async runIteration(ctx) {
    const m = /test_ops__ops@(wrap|roman|case|count)_/.exec(ctx.message);
    if (m) await ctx.tools.execute('write', { path: `target/${m[1]}.mjs`, content: fs.readFileSync(path.join(parallelExample, 'solution', `${m[1]}.mjs`), 'utf8') });
    return { stop: 'done', finalText: 'done', usage: ZERO_USAGE, costUsd: 0, messages: 1, toolCalls: 1 };
  },
};

async function setUp() {
  const ws = parallelWorkspace(tmp.dir);
  gitSync(ws, 'init', '-q');
  const base = commitFiles(ws, {}, 'the port so far');
  const config = await workspaceConfig(ws);
  const read = readAgentConfig(config);
  if (!read.ok) throw new Error(read.message);
  const suite = await loadSuite(config);
  if (!suite.ok) throw new Error(suite.message);
  const [first] = planWorkItems({ phases: ['basics', 'ops'], verdict: await runWorkspace(ws), base }).items;
  const lines: string[] = [];
  const deps = (queue: WorkQueue, remote: string): WorkerDeps => ({
    id: 'w1', workspace: ws, runId: 'run-1', config, agent: read.agent,
    known: suite.suite.cases.map((c) => ({ id: c.id, phase: c.phase, snapshotPath: c.snapshot.path })), inputs: [],
    queue, budget: createBudget({ prices: read.agent.prices, startedAt: new Date() }), createBackend: async () => porter, runSuite,
    claimIteration: () => null, remote, signal: new AbortController().signal, finished: () => true, progress: (l) => lines.push(l),
  });
  return { ws, item: first!, deps, lines, module: /@(\w+)_/.exec(first!.cases[0]!)![1]! };
}

describe('a worker that cannot push its result', () => {
  it('says so and gives its item back, recording no result', async () => {
    const { ws, item: first, deps } = await setUp();
    const queue = createEmbeddedQueue({ identity: IDENTITY });
    await queue.offer([first!]);
    await queue.register({ id: 'w1', host: 'h', pid: 1, ...IDENTITY });
    const lease = (await queue.claim('w1'))!;
    const remote = path.join(tmp.dir, 'no-such-remote.git');

    const end = await workItem(deps(queue, remote), lease);

    expect(end.outcome).toBe('released');
    expect(end.detail).toContain(`cannot push porter/work/${first!.id} to ${remote}`);
    const snap = await queue.snapshot();
    expect(snap.items).toEqual([expect.objectContaining({ id: first!.id, state: 'waiting' })]);
    expect(snap.outcomes).toEqual([]);
    const released = (await queue.events()).find((e) => e.kind === 'item-released');
    expect(released?.detail).toContain('w1 cannot push its result');
    // The work itself is not lost: it is the item's branch in the worker's repository.
    expect(gitSync(ws, 'show', `porter/work/${first!.id}:target/${/@(\w+)_/.exec(first!.cases[0]!)![1]}.mjs`)).toContain('export');
  });
});

describe('a worker taking over an item whose worker went quiet', () => {
  it('continues from the work in progress that worker pushed, and hands in the result', async () => {
    const { ws, item, deps, lines, module } = await setUp();
    const { remote, elsewhere } = remoteAndClone(tmp.dir, ws);
    // The quiet worker, on its machine, had ported the module and pushed that as its work in progress.
    const wip = commitFiles(elsewhere, { [`target/${module}.mjs`]: fs.readFileSync(path.join(parallelExample, 'solution', `${module}.mjs`), 'utf8') }, 'work in progress');
    gitSync(elsewhere, 'push', '-q', remote, `${wip}:refs/heads/porter/wip/${item.id}`);
    let now = 1_000_000;
    const queue = createEmbeddedQueue({ identity: IDENTITY, leaseMs: 3000, clock: () => now });
    await queue.offer([item]);
    await queue.register({ id: 'quiet', host: 'elsewhere', pid: 2, ...IDENTITY });
    const old = (await queue.claim('quiet'))!;
    expect(await queue.heartbeat(old, { branch: `porter/wip/${item.id}`, commit: wip })).toEqual({ held: true });
    now += 10_000;
    await queue.register({ id: 'w1', host: 'h', pid: 1, ...IDENTITY });
    const lease = (await queue.claim('w1'))!;
    expect(lease.resume).toEqual({ branch: `porter/wip/${item.id}`, commit: wip, workerId: 'quiet' });

    const end = await workItem(deps(queue, remote), lease);
    expect(end.outcome, lines.join('\n')).toBe('result');
    expect(lines.some((l) => l.includes(`from ${wip.slice(0, 8)} (continuing earlier work)`))).toBe(true);
    expect(await queue.takeOutcome()).toMatchObject({ kind: 'result', workerId: 'w1', result: { commit: wip, casesGained: item.cases.length } });
    expect(gitSync(remote, 'rev-parse', `refs/heads/porter/work/${item.id}`)).toBe(wip);
  });
});
