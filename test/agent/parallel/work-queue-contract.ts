import { afterEach, describe, expect, it } from 'vitest';
import { QueueMisuse, type Lease, type RunIdentity, type WorkerInfo, type WorkQueue, type WorkResult } from '../../../harness/agent/parallel/queue/work-queue.js';
import type { WorkItem } from '../../../harness/agent/parallel/work-items.js';

/**
 * The rules every work queue keeps (work-queue.ts), as one suite each engine runs: the
 * embedded queue with a fake clock, the Postgres one on a real server with its lease
 * clocks moved back.
 */
export interface QueueHarness {
  /** The coordinator's handle on a fresh, empty queue. */
  coordinator: WorkQueue;
  /** A worker's own handle on the same queue (the same object when the queue is embedded). */
  join(): Promise<WorkQueue>;
  /** Lets this much time pass for every lease. */
  elapse(ms: number): Promise<void>;
}

export interface QueueEngine {
  open(opts?: { leaseMs?: number; maxClaims?: number }): Promise<QueueHarness>;
  /** Closes every handle the tests opened. */
  closeAll(): Promise<void>;
}

export const IDENTITY: RunIdentity = { porterVersion: '0.1.0-test', configHash: 'cfg-1234' };
const LEASE = 30_000;

export function item(id: string, extra: Partial<WorkItem> = {}): WorkItem {
  return { id, phase: 'runtime', label: `cluster ${id}`, cases: [`${id}_a`, `${id}_b`], base: 'c0ffee', attempt: 1, ...extra };
}

export function worker(id: string, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  return { id, host: 'test-host', pid: 4242, ...IDENTITY, ...extra };
}

export function result(lease: Lease, extra: Partial<WorkResult> = {}): WorkResult {
  return {
    itemId: lease.item.id,
    attempt: lease.item.attempt,
    workerId: lease.workerId,
    branch: `porter/work/${lease.item.id}`,
    commit: `commit-of-${lease.workerId}`,
    casesGained: 2,
    costUsd: 0.5,
    ...extra,
  };
}

export function describeWorkQueue(name: string, engine: QueueEngine): void {
  describe(`${name} work queue`, () => {
    afterEach(() => engine.closeAll());

    /** A fresh queue with registered workers, each with its own handle. */
    async function setUp(workerIds: string[], opts: { leaseMs?: number; maxClaims?: number } = {}) {
      const h = await engine.open({ leaseMs: LEASE, ...opts });
      const handles: Record<string, WorkQueue> = {};
      for (const id of workerIds) {
        handles[id] = await h.join();
        expect(await handles[id]!.register(worker(id))).toEqual({ ok: true });
      }
      return { ...h, w: handles };
    }

    /** Item `a` held by w2 after w1's lease on it ran out: two workers who both think they work on it. */
    async function twoHolders() {
      const q = await setUp(['w1', 'w2']);
      await q.coordinator.offer([item('a')]);
      const late = (await q.w.w1!.claim('w1'))!;
      await q.elapse(LEASE + 1_000);
      const current = (await q.w.w2!.claim('w2'))!;
      return { ...q, w1: q.w.w1!, w2: q.w.w2!, late, current };
    }

    it('offers, claims in offer order, completes, and hands the result over once', async () => {
      const { coordinator, w } = await setUp(['w1']);
      expect(await coordinator.offer([item('a'), item('b')])).toBe(2);
      expect(await coordinator.offer([item('a')])).toBe(0);

      const lease = (await w.w1!.claim('w1'))!;
      expect(lease).toMatchObject({ item: item('a'), workerId: 'w1', claim: 1, leaseMs: LEASE });
      expect(lease.resume).toBeUndefined();
      expect(await w.w1!.heartbeat(lease)).toEqual({ held: true });
      expect(await w.w1!.complete(lease, result(lease))).toEqual({ recorded: true });

      expect(await coordinator.takeOutcome()).toEqual({ kind: 'result', itemId: 'a', attempt: 1, workerId: 'w1', result: result(lease) });
      expect(await coordinator.takeOutcome()).toBeNull();
      expect(await coordinator.settle('a', 1, { status: 'accepted', detail: '+2' })).toBe(true);
      expect(await coordinator.settle('a', 1, { status: 'accepted' })).toBe(false);

      expect((await w.w1!.claim('w1'))!.item.id).toBe('b');
      const kinds = (await coordinator.events()).map((e) => e.kind);
      expect(kinds).toEqual(['worker-registered', 'item-offered', 'item-offered', 'item-claimed', 'result-recorded', 'outcome-taken', 'outcome-settled', 'item-claimed']);
    });

    it('treats the same item at a new attempt as new work', async () => {
      const { coordinator, w } = await setUp(['w1']);
      await coordinator.offer([item('a')]);
      const first = (await w.w1!.claim('w1'))!;
      await w.w1!.complete(first, result(first));
      expect(await coordinator.offer([item('a', { attempt: 2, base: 'beef' })])).toBe(1);
      const second = (await w.w1!.claim('w1'))!;
      expect(second).toMatchObject({ item: { id: 'a', attempt: 2, base: 'beef' }, claim: 1 });
      expect(await w.w1!.complete(second, result(second))).toEqual({ recorded: true });
    });

    it('never gives one item to two workers claiming at once', async () => {
      const ids = ['w1', 'w2', 'w3', 'w4', 'w5'];
      const { coordinator, w } = await setUp(ids);
      await coordinator.offer([item('a'), item('b'), item('c')]);
      const leases = await Promise.all(ids.map((id) => w[id]!.claim(id)));
      const got = leases.filter((l) => l !== null).map((l) => l!.item.id);
      expect(got.sort()).toEqual(['a', 'b', 'c']);
      expect(leases.filter((l) => l === null)).toHaveLength(2);
    });

    it('keeps a lease alive while its worker heartbeats', async () => {
      const { coordinator, w, elapse } = await setUp(['w1', 'w2']);
      await coordinator.offer([item('a')]);
      const lease = (await w.w1!.claim('w1'))!;
      for (let i = 0; i < 3; i++) {
        await elapse(LEASE * 0.6);
        expect(await w.w1!.heartbeat(lease)).toEqual({ held: true });
      }
      expect(await w.w2!.claim('w2')).toBeNull();
      const snap = await coordinator.snapshot();
      expect(snap.items).toEqual([expect.objectContaining({ id: 'a', state: 'held', holder: 'w1', claims: 1 })]);
      expect(snap.workers.find((x) => x.id === 'w1')!.holding).toEqual({ itemId: 'a', attempt: 1, claim: 1 });
    });

    it('hands an item whose lease expired to another worker, with the work-in-progress branch', async () => {
      const { coordinator, w, elapse } = await setUp(['w1', 'w2']);
      await coordinator.offer([item('a')]);
      const first = (await w.w1!.claim('w1'))!;
      expect(await w.w1!.heartbeat(first, { branch: 'porter/wip/a', commit: 'abc123' })).toEqual({ held: true });
      await elapse(LEASE + 1_000);

      const second = (await w.w2!.claim('w2'))!;
      expect(second).toMatchObject({ item: { id: 'a' }, workerId: 'w2', claim: 2, resume: { branch: 'porter/wip/a', commit: 'abc123', workerId: 'w1' } });
      expect(await w.w1!.heartbeat(first)).toEqual({ held: false, reason: expect.stringMatching(/lease expired/) });
      expect(await w.w1!.release(first, 'stopping')).toMatchObject({ held: false });
      expect(await w.w1!.fail(first, 'gave up')).toMatchObject({ held: false });
      expect(await w.w2!.heartbeat(second)).toEqual({ held: true });

      const expired = (await coordinator.events()).filter((e) => e.kind === 'lease-expired');
      expect(expired).toEqual([expect.objectContaining({ workerId: 'w1', itemId: 'a', attempt: 1 })]);
    });

    it('loses a lease whose time ran out even when nobody claimed the item since', async () => {
      const { coordinator, w, elapse } = await setUp(['w1', 'w2']);
      await coordinator.offer([item('a')]);
      const lease = (await w.w1!.claim('w1'))!;
      await elapse(LEASE + 1_000);
      expect(await w.w1!.heartbeat(lease)).toMatchObject({ held: false });
      expect((await w.w2!.claim('w2'))!).toMatchObject({ item: { id: 'a' }, claim: 2 });
    });

    it('merges at most once when two workers finish the same item', async () => {
      const { coordinator, w1, w2, late, current } = await twoHolders();
      // The worker whose lease ran out finishes first: its result stands, and the current holder learns the item is done.
      expect(await w1.complete(late, result(late))).toEqual({ recorded: true });
      expect(await w2.heartbeat(current)).toEqual({ held: false, reason: expect.stringContaining('finished by w1') });
      expect(await w2.complete(current, result(current))).toEqual({ recorded: false, reason: expect.stringContaining('already has an outcome from w1') });

      expect(await coordinator.takeOutcome()).toMatchObject({ kind: 'result', workerId: 'w1', result: { commit: 'commit-of-w1' } });
      expect(await coordinator.takeOutcome()).toBeNull();
      expect(await w2.claim('w2')).toBeNull();
      expect((await coordinator.snapshot()).items).toEqual([expect.objectContaining({ id: 'a', state: 'done' })]);
    });

    it('refuses the late worker\'s result when the current holder finished first', async () => {
      const { coordinator, w1, w2, late, current } = await twoHolders();
      expect(await w2.complete(current, result(current))).toEqual({ recorded: true });
      expect(await w1.complete(late, result(late))).toEqual({ recorded: false, reason: 'item a attempt 1 already has an outcome from w2' });
      expect(await w1.fail(late, 'too late')).toEqual({ held: false, reason: 'the item is already finished by w2' });
      expect(await coordinator.takeOutcome()).toMatchObject({ workerId: 'w2' });
      expect(await coordinator.takeOutcome()).toBeNull();
    });

    it('tells a holder that gives up or gives back an item another worker finished', async () => {
      const { w1, w2, late, current } = await twoHolders();
      await w1.complete(late, result(late));
      expect(await w2.release(current, 'stopping', { branch: 'porter/wip/a' })).toEqual({ held: false, reason: 'the item is already finished by w1' });
      expect(await w2.claim('w2')).toBeNull();
      const again = await twoHolders();
      await again.w1.complete(again.late, result(again.late));
      expect(await again.w2.fail(again.current, 'tries ran out')).toEqual({ held: false, reason: 'the item is already finished by w1' });
      expect(await again.coordinator.takeOutcome()).toMatchObject({ kind: 'result', workerId: 'w1' });
      expect(await again.coordinator.takeOutcome()).toBeNull();
    });

    it('records one result when both finish at the same moment', async () => {
      const { coordinator, w1, w2, late, current } = await twoHolders();
      const replies = await Promise.all([w1.complete(late, result(late)), w2.complete(current, result(current))]);
      expect(replies.filter((r) => r.recorded)).toHaveLength(1);
      expect(await coordinator.takeOutcome()).toMatchObject({ kind: 'result' });
      expect(await coordinator.takeOutcome()).toBeNull();
    });

    it('gives a released item back at once, with the branch to resume from', async () => {
      const { coordinator, w } = await setUp(['w1', 'w2']);
      await coordinator.offer([item('a')]);
      const first = (await w.w1!.claim('w1'))!;
      expect(await w.w1!.release(first, 'cannot push to the remote', { branch: 'porter/wip/a' })).toEqual({ held: true });
      expect(await w.w1!.heartbeat(first)).toMatchObject({ held: false });
      const second = (await w.w2!.claim('w2'))!;
      expect(second).toMatchObject({ item: { id: 'a' }, claim: 2, resume: { branch: 'porter/wip/a', workerId: 'w1' } });
      expect((await coordinator.events()).find((e) => e.kind === 'item-released')).toMatchObject({ workerId: 'w1', detail: 'cannot push to the remote' });
    });

    it('turns a failed item into a failed outcome for the coordinator', async () => {
      const { coordinator, w } = await setUp(['w1', 'w2']);
      await coordinator.offer([item('a')]);
      const lease = (await w.w1!.claim('w1'))!;
      expect(await w.w1!.fail(lease, 'tries ran out')).toEqual({ held: true });
      expect(await w.w2!.claim('w2')).toBeNull();
      expect(await coordinator.takeOutcome()).toEqual({ kind: 'failed', itemId: 'a', attempt: 1, workerId: 'w1', reason: 'tries ran out' });
    });

    it('gives an item up after maxClaims claims without an outcome', async () => {
      const { coordinator, w } = await setUp(['w1'], { maxClaims: 2 });
      await coordinator.offer([item('a'), item('b')]);
      for (let i = 1; i <= 2; i++) {
        const lease = (await w.w1!.claim('w1'))!;
        expect(lease).toMatchObject({ item: { id: 'a' }, claim: i });
        await w.w1!.release(lease, 'crashed');
      }
      expect((await w.w1!.claim('w1'))!.item.id).toBe('b');
      expect(await coordinator.takeOutcome()).toEqual({ kind: 'failed', itemId: 'a', attempt: 1, workerId: 'w1', reason: expect.stringContaining('claimed 2 times') });
    });

    it('lists outcomes taken but not settled, for a coordinator that resumes', async () => {
      const { coordinator, w } = await setUp(['w1']);
      await coordinator.offer([item('a'), item('b')]);
      for (let i = 0; i < 2; i++) {
        const lease = (await w.w1!.claim('w1'))!;
        await w.w1!.complete(lease, result(lease));
      }
      await coordinator.takeOutcome();
      await coordinator.takeOutcome();
      await coordinator.settle('a', 1, { status: 'rejected', detail: 'regressions: x' });
      expect((await coordinator.inMerge()).map((o) => o.itemId)).toEqual(['b']);
      expect((await coordinator.snapshot()).outcomes).toEqual([
        expect.objectContaining({ itemId: 'a', state: 'settled', verdict: { status: 'rejected', detail: 'regressions: x' } }),
        expect.objectContaining({ itemId: 'b', state: 'merging' }),
      ]);
    });

    it('refuses a worker whose Porter version or config differs, saying which', async () => {
      const { coordinator } = await setUp([]);
      const mine = await coordinator.register(worker('old', { porterVersion: '0.0.9' }));
      expect(mine).toEqual({ ok: false, error: expect.stringMatching(/^worker old refused: its Porter version 0\.0\.9 differs from the coordinator's 0\.1\.0-test; install the same Porter version/) });
      const cfg = await coordinator.register(worker('cfg', { configHash: 'cfg-other' }));
      expect(cfg).toEqual({ ok: false, error: expect.stringContaining("its config hash cfg-other differs from the coordinator's cfg-1234; use the same porter.config.yaml") });
      const both = await coordinator.register(worker('both', { porterVersion: '2.0.0', configHash: 'x' }));
      expect(both.ok ? '' : both.error).toMatch(/Porter version 2\.0\.0 .*, and its config hash x/);
      for (const r of [mine, cfg, both]) expect(r.ok ? '' : r.error).not.toContain('\n');
      expect((await coordinator.events()).filter((e) => e.kind === 'worker-refused').map((e) => e.workerId)).toEqual(['old', 'cfg', 'both']);
      await coordinator.offer([item('a')]);
      await expect(coordinator.claim('old')).rejects.toThrow(QueueMisuse);
    });

    it('lets a worker hold one item at a time', async () => {
      const { coordinator, w } = await setUp(['w1']);
      await coordinator.offer([item('a'), item('b')]);
      await w.w1!.claim('w1');
      await expect(w.w1!.claim('w1')).rejects.toThrow(/claims an item while it holds a/);
    });

    it('keeps notes of its callers in the event log', async () => {
      const { coordinator } = await setUp([]);
      await coordinator.note({ kind: 'merge-accepted', itemId: 'a', attempt: 1, workerId: 'w1', detail: '+3' });
      const events = await coordinator.events();
      expect(events.at(-1)).toMatchObject({ kind: 'merge-accepted', itemId: 'a', attempt: 1, workerId: 'w1', detail: '+3' });
      expect(await coordinator.events(events.at(-1)!.seq)).toEqual([]);
      expect(Number.isNaN(Date.parse(events[0]!.at))).toBe(false);
    });
  });
}
