import { describe, expect, it } from 'vitest';
import { applyCoordinatorEntry, itemKey, openItems, replayCoordinator } from '../../../harness/agent/parallel/coordinator-state.js';
import type { MergeStatus, SessionEntry, SessionEvent } from '../../../harness/agent/types.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const ZERO = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

function log(...events: SessionEvent[]): SessionEntry[] {
  return events.map((e, i) => ({ v: 1, seq: i + 1, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), ...e }) as SessionEntry);
}

const start = (rev?: string): SessionEvent => ({ type: 'run-start', run: 'r', config: 'c', argv: [], ...(rev ? { rev } : {}) });
const item = (itemId: string, attempt: number, cases = [`${itemId}-case`], note?: string): SessionEvent => ({
  type: 'item', itemId, attempt, phase: 'ops', label: `label of ${itemId}`, cases, base: A, ...(note ? { note } : {}),
});
const merge = (itemId: string, attempt: number, status: MergeStatus, rev?: string): SessionEvent => ({
  type: 'merge', itemId, attempt, workerId: 'w1', phase: 'ops', status, detail: status, ...(rev ? { rev } : {}),
});
const work = (iterations: number, seq?: number): SessionEvent => ({
  type: 'work', workerId: 'w1', itemId: 'i1', attempt: 1, phase: 'ops', outcome: 'result', detail: '', local: true,
  iterations, messages: 0, toolCalls: 0, requests: 0, usage: ZERO, costUsd: 0, models: [], busyMs: 0, ...(seq !== undefined ? { seq } : {}),
});
const testRun = (passingIds: string[]): SessionEvent => ({ type: 'test-run', iteration: 0, phase: 'ops', pass: passingIds.length, total: 9, passingIds, summary: {} });
const stop = (reason: 'stall' | 'budget' | 'all-pass'): SessionEvent => ({ type: 'stop', reason, detail: `stopped: ${reason}` });

describe('coordinator state replayed from its log', () => {
  it('moves the green commit only on accepted merges that name one', () => {
    const s = replayCoordinator(log(
      start(A), testRun(['x']),
      item('i1', 1), item('i2', 1), item('i3', 1), item('i4', 1),
      merge('i1', 1, 'rejected', C), merge('i2', 1, 'conflict'), merge('i3', 1, 'superseded'),
    ));
    expect(s.greenRev).toBe(A);
    expect(s.greenPassing).toEqual(['x']);

    applyCoordinatorEntry(s, log(merge('i4', 1, 'accepted', B))[0]!);
    expect(s.greenRev).toBe(B);
    // Merged before a restart: accepted, but the log names no new commit.
    applyCoordinatorEntry(s, log(item('i5', 1), merge('i5', 1, 'accepted'))[1]!);
    expect(s.greenRev).toBe(B);
  });

  it('settles each item and attempt apart, and keeps the highest attempt per item', () => {
    const s = replayCoordinator(log(
      start(A), item('i1', 1), merge('i1', 1, 'conflict'), item('i1', 2, ['i1-case'], 'it conflicted'),
      item('i2', 3), item('i2', 2),
    ));
    expect([...s.settled]).toEqual([[itemKey('i1', 1), 'conflict']]);
    expect(s.attempts.get('i1')).toBe(2);
    // An earlier attempt logged after a later one does not lower the count.
    expect(s.attempts.get('i2')).toBe(3);
    expect(s.items.get(itemKey('i1', 2))).toEqual({ id: 'i1', phase: 'ops', label: 'label of i1', cases: ['i1-case'], base: A, attempt: 2, note: 'it conflicted' });
    expect(s.items.get(itemKey('i1', 1))).not.toHaveProperty('note');
  });

  it('lists as open the items offered and not settled, a new attempt of a settled one included', () => {
    const s = replayCoordinator(log(
      start(A), item('i1', 1), item('i2', 1), item('i3', 1),
      merge('i1', 1, 'rejected'), item('i1', 2), merge('i3', 1, 'dropped'),
    ));
    expect(openItems(s).map((i) => itemKey(i.id, i.attempt))).toEqual(['i2#1', 'i1#2']);
    expect(openItems(replayCoordinator(log(start(A))))).toEqual([]);
  });

  it('counts outcomes since the last accepted merge, whatever their kind', () => {
    const s = replayCoordinator(log(
      start(A), item('i1', 1), item('i2', 1), item('i3', 1),
      merge('i1', 1, 'rejected'), merge('i2', 1, 'conflict'), merge('i3', 1, 'dropped'),
    ));
    expect(s.sinceAccept).toBe(3);
    applyCoordinatorEntry(s, log(merge('i4', 1, 'accepted', B))[0]!);
    expect(s.sinceAccept).toBe(0);
    applyCoordinatorEntry(s, log(merge('i5', 1, 'superseded'))[0]!);
    expect(s.sinceAccept).toBe(1);
    // Items dropped because the coordinator restarted are settled, but say nothing about progress.
    applyCoordinatorEntry(s, log({ ...(merge('i6', 1, 'dropped') as Extract<SessionEvent, { type: 'merge' }>), workerId: '' })[0]!);
    expect(s.settled.get(itemKey('i6', 1))).toBe('dropped');
    expect(s.sinceAccept).toBe(1);
  });

  it('gives a run resumed after a stall a fresh stall count, and keeps it after any other stop', () => {
    const stalled = replayCoordinator(log(start(A), item('i1', 1), merge('i1', 1, 'rejected'), merge('i1', 1, 'rejected'), stop('stall')));
    expect(stalled.sinceAccept).toBe(2);
    expect(stalled.stopped).toEqual({ reason: 'stall', detail: 'stopped: stall' });
    applyCoordinatorEntry(stalled, log(start(A))[0]!);
    expect(stalled.sinceAccept).toBe(0);
    expect(stalled.stopped).toBeNull();

    const broke = replayCoordinator(log(start(A), item('i1', 1), merge('i1', 1, 'rejected'), stop('budget'), start(A)));
    expect(broke.sinceAccept).toBe(1);
    expect(broke.stopped).toBeNull();
  });

  it('forgets what passes when a new segment starts on another commit, not on the same one', () => {
    const same = replayCoordinator(log(start(A), testRun(['x', 'y']), stop('budget'), start(A)));
    expect(same.greenPassing).toEqual(['x', 'y']);
    const moved = replayCoordinator(log(start(A), testRun(['x', 'y']), stop('budget'), start(B)));
    expect(moved).toMatchObject({ greenRev: B, greenPassing: null });
    // A segment that names no commit keeps the green line it had.
    expect(replayCoordinator(log(start(A), testRun(['x']), start()))).toMatchObject({ greenRev: A, greenPassing: ['x'] });
  });

  it('adds up the workers\' iterations and keeps the highest queue sequence seen', () => {
    const s = replayCoordinator(log(start(A), work(3, 12), work(2, 7), work(4)));
    expect(s.workIterations).toBe(9);
    expect(s.spentSeq).toBe(12);
  });

  it('keeps one summary per phase, the latest, and the highest iteration number', () => {
    const s = replayCoordinator(log(
      start(A),
      { type: 'iteration-start', iteration: 4, phase: 'lexer', message: 'm', fresh: true, kind: 'summary' },
      { type: 'phase-summary', phase: 'lexer', summary: 'first' },
      { type: 'phase-summary', phase: 'parser', summary: 'parser' },
      { type: 'iteration-start', iteration: 2, phase: 'lexer', message: 'm', fresh: true, kind: 'summary' },
      { type: 'phase-summary', phase: 'lexer', summary: 'second' },
    ));
    expect(s.summaries).toEqual([{ phase: 'parser', summary: 'parser' }, { phase: 'lexer', summary: 'second' }]);
    expect(s.iteration).toBe(4);
  });
});
