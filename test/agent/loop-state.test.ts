import { describe, expect, it } from 'vitest';
import { applyEntry, initialState, replay } from '../../harness/agent/loop-state.js';
import type { SessionEntry, SessionEvent } from '../../harness/agent/types.js';

const settings = { resetAfter: 2 };
const entries = (...events: SessionEvent[]): SessionEntry[] => events.map((e, i) => ({ v: 1, seq: i + 1, ts: 't', ...e }) as SessionEntry);
const test = (iteration: number, passingIds: string[], baseline = false): SessionEvent => ({
  type: 'test-run', iteration, phase: 'lexer', pass: passingIds.length, total: 5, passingIds, summary: {}, ...(baseline ? { baseline } : {}),
});
const work = (iteration: number, phase = 'lexer'): SessionEvent => ({ type: 'iteration-start', iteration, phase, message: 'm', fresh: false });

describe('loop state from the session log', () => {
  it('starts from the run-start revision and the baseline', () => {
    const s = replay(entries({ type: 'run-start', run: 'r', config: 'c', argv: [], rev: 'r0' }, test(0, ['a'])), settings);
    expect(s).toMatchObject({ greenRev: 'r0', greenPassing: ['a'], best: 1, stall: 0, pending: null, fresh: true, open: null, segments: 1 });
  });

  it('decides a commit when more pass and nothing regresses, then moves the green point', () => {
    const s = replay(entries({ type: 'run-start', run: 'r', config: 'c', argv: [], rev: 'r0' }, test(0, ['a']), work(1)), settings);
    expect(s.open).toMatchObject({ iteration: 1, kind: 'work' });
    expect(s.workIterations).toBe(1);
    applyEntry(s, entries(test(1, ['a', 'b']))[0]!, settings);
    expect(s).toMatchObject({ pending: 'commit', best: 2, stall: 0, open: null, regressions: [] });
    applyEntry(s, entries({ type: 'commit', iteration: 1, rev: 'r1', message: 'm' })[0]!, settings);
    expect(s).toMatchObject({ pending: null, greenRev: 'r1', greenPassing: ['a', 'b'] });
  });

  it('names regressions, resets after resetAfter tries, and counts stalls against the best count', () => {
    const s = replay(entries(
      { type: 'run-start', run: 'r', config: 'c', argv: [], rev: 'r0' }, test(0, ['a', 'b']),
      work(1), test(1, ['a', 'c']),
    ), settings);
    // b regressed although c is new: no commit.
    expect(s).toMatchObject({ pending: null, regressions: ['b'], tries: 1, stall: 1 });
    applyEntry(s, entries(work(2))[0]!, settings);
    applyEntry(s, entries(test(2, ['a']))[0]!, settings);
    expect(s).toMatchObject({ pending: 'reset', tries: 2, stall: 2 });
    applyEntry(s, entries({ type: 'reset', iteration: 2, rev: 'r0', reason: 'broke b' })[0]!, settings);
    expect(s).toMatchObject({ pending: null, tries: 0, regressions: [], fresh: true, resetNote: 'broke b', lastPassing: ['a', 'b'] });
    applyEntry(s, entries(work(3))[0]!, settings);
    expect(s).toMatchObject({ fresh: false, resetNote: null });
    applyEntry(s, entries(test(3, ['a', 'b']))[0]!, settings);
    expect(s).toMatchObject({ pending: null, stall: 3, tries: 0 });
  });

  it('baseline runs set the scene without a ratchet step', () => {
    const s = replay(entries({ type: 'run-start', run: 'r', config: 'c', argv: [], rev: 'r0' }, test(0, ['a']), test(0, [], true)), settings);
    expect(s).toMatchObject({ pending: null, stall: 0, tries: 0, greenPassing: ['a'], lastPassing: [] });
  });

  it('keeps summaries, notes and an open summary iteration; a stall stop is forgiven on resume', () => {
    const s = replay(entries(
      { type: 'run-start', run: 'r', config: 'c', argv: [], rev: 'r0' }, test(0, []),
      { type: 'note', iteration: 1, text: 'hi', from: 'flag' },
      work(1), test(1, []),
      { type: 'iteration-start', iteration: 2, phase: 'lexer', message: 'sum', fresh: false, kind: 'summary' },
    ), settings);
    expect(s.open).toMatchObject({ iteration: 2, kind: 'summary' });
    expect(s.workIterations).toBe(1);
    expect(s.notes).toEqual([{ text: 'hi', from: 'flag' }]);
    applyEntry(s, entries({ type: 'phase-summary', phase: 'lexer', summary: 'done' })[0]!, settings);
    expect(s).toMatchObject({ open: null, fresh: true, summaries: [{ phase: 'lexer', summary: 'done' }] });
    applyEntry(s, entries({ type: 'stop', reason: 'stall', detail: 'x' })[0]!, settings);
    expect(s.stall).toBe(1);
    applyEntry(s, entries({ type: 'run-start', run: 'r', config: 'c', argv: [], resumedFrom: 9 })[0]!, settings);
    expect(s).toMatchObject({ stall: 0, stopped: null, segments: 2, greenRev: 'r0' });
    expect(initialState().fresh).toBe(true);
    // A commit made between segments becomes the green point; the next baseline sets its passing set.
    applyEntry(s, entries({ type: 'run-start', run: 'r', config: 'c', argv: [], resumedFrom: 12, rev: 'r9' })[0]!, settings);
    expect(s).toMatchObject({ greenRev: 'r9', greenPassing: null });
  });
});
