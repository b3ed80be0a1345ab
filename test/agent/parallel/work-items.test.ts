import { describe, expect, it } from 'vitest';
import { planWorkItems, workItemId, type PlanInput } from '../../../harness/agent/parallel/work-items.js';
import type { CaseResult } from '../../../harness/run/types.js';

const PHASES = ['lexer', 'parser', 'runtime'];
const BASE = 'a'.repeat(40);

function result(phase: string, name: string, status: CaseResult['status'] = 'fail', extra: Partial<CaseResult> = {}): CaseResult {
  const id = `test_${phase}__${phase}@${name}.txt`;
  return {
    id, phase, status, rawStatus: status === 'skip' ? 'fail' : (status as CaseResult['rawStatus']), durationMs: 1, snapshotPath: `s/${id}.snap`,
    ...(status === 'fail' ? { facet: 'output' as const, actual: '', diff: `--- expected\n+++ actual\n@@ -1 +0,0 @@\n-${name}\n` } : {}),
    ...extra,
  };
}

/** A runtime phase where the target prints nothing: loops, macros, filters and a few odd ones. */
function runtime(): CaseResult[] {
  const names = [
    ...['loop_a', 'loop_b', 'loop_c', 'loop_d'],
    ...['macro_a', 'macro_b', 'macro_c', 'macro_d', 'macro_e'],
    ...['filter_a', 'filter_b'],
    ...['include_a', 'include_b'],
    ...['x1', 'x2', 'x3', 'x4', 'x5', 'x6'],
  ];
  return names.map((n) => result('runtime', n));
}

const plan = (cases: CaseResult[], extra: Partial<PlanInput> = {}) => planWorkItems({ phases: PHASES, verdict: { cases }, base: BASE, maxClusterSize: 6, ...extra });
const short = (ids: string[]) => ids.map((id) => id.slice(id.indexOf('@') + 1, -4));

describe('planWorkItems', () => {
  it('turns the clusters of the first failing phase into items, small ones packed', () => {
    const cases = [result('lexer', 'a', 'pass'), result('parser', 'p', 'pass'), ...runtime()];
    const p = plan(cases);
    expect(p.phase).toBe('runtime');
    expect(p.items.map((i) => short(i.cases))).toEqual([
      ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'],
      ['macro_a', 'macro_b', 'macro_c', 'macro_d', 'macro_e'],
      ['filter_a', 'filter_b', 'include_a', 'include_b'],
      ['loop_a', 'loop_b', 'loop_c', 'loop_d'],
    ]);
    const packed = p.items[2]!;
    expect(packed.label).toBe('2 small groups: ids with "filter" · target printed nothing; ids with "include" · target printed nothing');
    expect(p.items[3]!).toMatchObject({ phase: 'runtime', label: 'ids with "loop" · target printed nothing', base: BASE, attempt: 1 });
    // Every failing case is in exactly one item.
    expect(p.items.flatMap((i) => i.cases).sort()).toEqual(runtime().map((c) => c.id).sort());
  });

  it('keeps clusters apart with minSize 1, and packs more with a larger one', () => {
    expect(plan(runtime(), { minSize: 1 }).items).toHaveLength(5);
    const big = plan(runtime(), { minSize: 9 }).items;
    expect(big.every((i) => i.cases.length >= 9)).toBe(true);
    expect(big.flatMap((i) => i.cases)).toHaveLength(19);
  });

  it('follows the phase order: a later phase waits while an earlier one fails, even with all of it in flight', () => {
    const cases = [result('lexer', 'a'), result('lexer', 'b', 'crash'), ...runtime()];
    expect(plan(cases).phase).toBe('lexer');
    expect(plan(cases).items.flatMap((i) => short(i.cases)).sort()).toEqual(['a', 'b']);
    const busy = plan(cases, { inFlight: new Set(cases.filter((c) => c.phase === 'lexer').map((c) => c.id)) });
    expect(busy).toEqual({ phase: 'lexer', items: [] });
    // Skip-listed failures are parked, not failing: the phase counts as done.
    expect(plan([result('lexer', 'a', 'skip'), ...runtime()]).phase).toBe('runtime');
    expect(plan([result('lexer', 'a', 'pass')])).toEqual({ phase: null, items: [] });
  });

  it('never gives out a case that is in flight', () => {
    const cases = runtime();
    const first = plan(cases);
    const taken = new Set([...first.items[1]!.cases, cases[0]!.id]);
    const next = plan(cases, { inFlight: taken });
    const handed = next.items.flatMap((i) => i.cases);
    expect(handed.filter((id) => taken.has(id))).toEqual([]);
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed.sort()).toEqual(cases.map((c) => c.id).filter((id) => !taken.has(id)).sort());
  });

  it('names an item by a hash of its phase and cases: stable across restarts and case order, new for other cases', () => {
    const a = plan(runtime());
    const b = plan([...runtime()].reverse());
    expect(b.items.map((i) => i.id)).toEqual(a.items.map((i) => i.id));
    expect(a.items[0]!.id).toMatch(/^w-[0-9a-f]{12}$/);
    expect(a.items[0]!.id).toBe(workItemId('runtime', [...a.items[0]!.cases].reverse()));
    expect(workItemId('parser', a.items[0]!.cases)).not.toBe(a.items[0]!.id);
    expect(new Set(a.items.map((i) => i.id)).size).toBe(a.items.length);
  });

  it('counts attempts, limits the number of items, and makes one item when the target does not start', () => {
    const first = plan(runtime());
    const again = plan(runtime(), { attempts: (id) => (id === first.items[0]!.id ? 2 : 0), base: 'b'.repeat(40), limit: 2 });
    expect(again.items).toHaveLength(2);
    expect(again.items[0]).toMatchObject({ id: first.items[0]!.id, attempt: 3, base: 'b'.repeat(40) });
    expect(again.items[1]!.attempt).toBe(1);
    const down = runtime().map((c) => ({ ...c, status: 'error' as const, rawStatus: 'error' as const, reason: 'spawn node ENOENT' }));
    const p = plan(down, { verdict: { cases: down, targetError: 'spawn node ENOENT' } });
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({ label: 'the target does not start: spawn node ENOENT' });
    expect(p.items[0]!.cases).toHaveLength(19);
  });

  it('puts cases with a known common cause into one item', () => {
    const cases = runtime();
    const fix = new Set([cases[0]!.id, cases[5]!.id, cases[15]!.id]);
    const p = plan(cases, { causeOf: (c) => (fix.has(c.id) ? 'src/scope.js' : undefined) });
    const item = p.items.find((i) => i.cases.includes(cases[0]!.id))!;
    expect(item.cases.sort()).toEqual([...fix].sort());
    expect(item.label).toBe('fixed by one change: src/scope.js');
  });
});
