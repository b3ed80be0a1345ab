/**
 * Workers as separate processes on one Postgres queue, as on separate machines: one is
 * killed with SIGKILL while it holds an item, and another worker finishes that item,
 * continuing from the branch the dead one recorded. The workers run the built library
 * (test/global-setup.ts builds it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { ensureBuilt } from '../../support/built-dist.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openWorkQueue } from '../../../harness/agent/parallel/queue/open-queue.js';
import type { WorkQueue } from '../../../harness/agent/parallel/queue/work-queue.js';
import { startPostgres } from '../../support/postgres.js';
import { IDENTITY, item } from './work-queue-contract.js';

const started = await startPostgres();
const cluster = started.ok ? started.cluster : null;
afterAll(() => cluster?.stop());
// The worker script runs the built library.
beforeAll(() => ensureBuilt(), 300_000);

const script = path.join(import.meta.dirname, 'fixtures', 'queue-worker.mjs');
const children: ChildProcess[] = [];
let coordinator: WorkQueue | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await coordinator?.close();
});

/** A worker process, its stdout as JSON lines, and a way to wait for the first line matching a test. */
function startWorker(url: string, id: string, mode: 'hold' | 'finish', configHash = IDENTITY.configHash) {
  const child = spawn(process.execPath, [script, url, id, IDENTITY.porterVersion, configHash, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d) => {
    buffered += d;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const line = async (key: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = lines.find((l) => key in l);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`worker ${id} exited with ${child.exitCode} before saying ${key}: ${stderr}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        child.once('exit', () => resolve());
      });
    }
  };
  return { child, exited, line, stderr: () => stderr };
}

describe.skipIf(!cluster)(`worker processes on PostgreSQL${started.ok ? '' : ` (skipped: ${started.reason})`}`, () => {
  it('gives the item of a worker killed with SIGKILL to another worker, which finishes it from the dead one’s branch', async () => {
    const schema = `procs_${process.pid}`;
    const url = cluster!.url(`?schema=${schema}`);
    const opened = await openWorkQueue(url, { role: 'coordinator', identity: IDENTITY, leaseMs: 30_000 });
    if (!opened.ok) throw new Error(opened.error);
    coordinator = opened.queue;
    await coordinator.offer([item('loops')]);

    const a = startWorker(url, 'machine-a', 'hold');
    expect(await a.line('claimed')).toEqual({ claimed: 'loops', claim: 1, resume: null });
    expect(await a.line('heartbeat')).toEqual({ heartbeat: { held: true } });
    a.child.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Nobody heartbeats for the item any more; let the lease's time pass on the server's clock.
    const admin = new pg.Client({ connectionString: cluster!.url() });
    await admin.connect();
    await admin.query(`UPDATE ${schema}_jobs.job SET started_on = started_on - interval '31 seconds' WHERE state = 'active'`);
    await admin.query(`UPDATE ${schema}.workers SET lease_until = lease_until - interval '31 seconds' WHERE lease_until IS NOT NULL`);
    await admin.end();

    const b = startWorker(url, 'machine-b', 'finish');
    expect(await b.line('claimed')).toEqual({ claimed: 'loops', claim: 2, resume: { branch: 'porter/wip/loops', commit: 'wip-of-machine-a', workerId: 'machine-a' } });
    expect(await b.line('completed')).toEqual({ completed: { recorded: true } });
    expect((await b.exited).code).toBe(0);

    expect(await coordinator.takeOutcome()).toMatchObject({ kind: 'result', itemId: 'loops', workerId: 'machine-b', result: { commit: 'done-by-machine-b', casesGained: 2 } });
    expect(await coordinator.takeOutcome()).toBeNull();
    const events = (await coordinator.events()).map((e) => `${e.kind} ${e.workerId ?? ''}`.trim());
    expect(events).toEqual([
      'item-offered',
      'worker-registered machine-a',
      'item-claimed machine-a',
      'wip-recorded machine-a',
      'worker-registered machine-b',
      'lease-expired machine-a',
      'item-claimed machine-b',
      'result-recorded machine-b',
      'outcome-taken machine-b',
    ]);
  });

  it('refuses a worker process whose config differs, in one line, and it exits 2', async () => {
    const url = cluster!.url(`?schema=refuse_${process.pid}`);
    const opened = await openWorkQueue(url, { role: 'coordinator', identity: IDENTITY });
    if (!opened.ok) throw new Error(opened.error);
    coordinator = opened.queue;
    const w = startWorker(url, 'stray', 'finish', 'cfg-other');
    expect((await w.exited).code).toBe(2);
    expect(w.stderr()).toBe("worker stray refused: its config hash cfg-other differs from the coordinator's cfg-1234; use the same porter.config.yaml on every machine\n");
  });
});
