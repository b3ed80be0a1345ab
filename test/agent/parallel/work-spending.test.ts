/**
 * A parallel run's spending lives in the coordinator's log as `work` entries (the workers'
 * responses are in their own logs) and its commits as accepted merges: the stats, the budget
 * carried over on --resume, and spending reported by workers elsewhere must all count them.
 */
import { describe, expect, it } from 'vitest';
import { LIST_PRICES } from '../../../harness/agent/anthropic/prices.js';
import { createBudget, totalsFromEntries } from '../../../harness/agent/budget.js';
import { priceTable } from '../../../harness/agent/pricing.js';
import { computeStats } from '../../../harness/agent/stats.js';
import type { MergeStatus, SessionEntry, SessionEvent } from '../../../harness/agent/types.js';

const u = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({ input, output, cacheRead, cacheWrite });
const built = priceTable(LIST_PRICES);
if (!built.ok) throw new Error(built.message);
const prices = built.table;
const startedAt = new Date('2026-11-20T00:00:00Z');
const SONNET = 'claude-sonnet-5-5';
const OPUS = 'claude-opus-5-5';

function log(...events: SessionEvent[]): SessionEntry[] {
  return events.map((e, i) => ({ v: 1, seq: i + 1, ts: new Date(Date.UTC(2026, 10, 20, 0, 0, i)).toISOString(), ...e }) as SessionEntry);
}

function work(workerId: string, phase: string, f: { iterations: number; messages: number; toolCalls: number; requests: number; usage: ReturnType<typeof u>; costUsd: number; models: string[] }): SessionEvent {
  return { type: 'work', workerId, itemId: `w-${workerId}`, attempt: 1, phase, outcome: 'result', detail: '', local: true, busyMs: 1000, ...f };
}
const merge = (status: MergeStatus, phase = 'lexer'): SessionEvent => ({ type: 'merge', itemId: 'w-x', attempt: 1, workerId: 'w1', phase, status, detail: status, ...(status === 'accepted' ? { rev: 'f'.repeat(40), gained: 2 } : {}) });

const coordinatorLog = log(
  { type: 'run-start', run: 'r', config: 'c', argv: ['agent', '--agents', '2'], rev: 'a'.repeat(40) },
  { type: 'test-run', iteration: 0, phase: 'lexer', pass: 0, total: 4, passingIds: [], summary: {}, baseline: true },
  work('w1', 'lexer', { iterations: 3, messages: 10, toolCalls: 7, requests: 5, usage: u(1000, 200), costUsd: 0.5, models: [SONNET] }),
  work('w2', 'lexer', { iterations: 2, messages: 4, toolCalls: 1, requests: 2, usage: u(10, 20, 300), costUsd: 0.25, models: [OPUS] }),
  merge('accepted'), merge('rejected'), merge('conflict'),
  { type: 'test-run', iteration: 0, phase: 'lexer', pass: 4, total: 4, passingIds: ['a', 'b', 'c', 'd'], summary: {} },
  { type: 'iteration-start', iteration: 1, phase: 'lexer', message: 'summarise', fresh: true, kind: 'summary' },
  // A worker on the next phase reports while the summary of the last one is being written.
  work('w2', 'parser', { iterations: 1, messages: 3, toolCalls: 2, requests: 1, usage: u(5, 5), costUsd: 0.125, models: [SONNET] }),
  { type: 'response', iteration: 1, model: SONNET, content: [{ type: 'text', text: 'summary' }], stopReason: 'end_turn', usage: u(100, 100), costUsd: 0.0625 },
  { type: 'phase-summary', phase: 'lexer', summary: 'built the lexer' },
  merge('accepted', 'parser'), merge('superseded', 'parser'), merge('dropped', 'parser'),
  { type: 'stop', reason: 'budget', detail: 'budget reached' },
);

describe('stats of a parallel run', () => {
  it('gives the coordinator\'s time to the phase its items were cut from', () => {
    const stats = computeStats(log(
      { type: 'run-start', run: 'r', config: 'c', argv: [], rev: 'a'.repeat(40) },
      { type: 'item', itemId: 'w-1', attempt: 1, phase: 'lexer', label: 'l', cases: ['a'], base: 'a'.repeat(40) },
      merge('accepted'),
      { type: 'item', itemId: 'w-2', attempt: 1, phase: 'parser', label: 'p', cases: ['b'], base: 'a'.repeat(40) },
      merge('accepted', 'parser'),
      merge('accepted', 'parser'),
      { type: 'stop', reason: 'all-pass', detail: 'done' },
    ));
    // One second per entry: from each item on, the time is its phase's.
    expect(stats.phases.map((p) => [p.phase, p.wallMs])).toEqual([['lexer', 2000], ['parser', 3000]]);
  });

  it('counts the workers\' iterations, messages, tool calls, requests, tokens and cost, and accepted merges as commits', () => {
    const s = computeStats(coordinatorLog);
    expect(s).toMatchObject({
      iterations: 6,
      summaries: 1,
      // The summary request and its response, besides what the workers reported.
      messages: 10 + 4 + 3 + 2,
      toolCalls: 10,
      requests: 9,
      usage: u(1115, 325, 300),
      commits: 2,
      resets: 0,
    });
    expect(s.costUsd).toBeCloseTo(0.9375, 10);
    expect(s.models.sort()).toEqual([OPUS, SONNET]);
  });

  it('counts each worker\'s spending for its item\'s phase, and the summary for the phase it sums up', () => {
    const [lexer, parser] = computeStats(coordinatorLog).phases;
    expect(lexer).toMatchObject({ phase: 'lexer', iterations: 5, toolCalls: 8, requests: 8, pass: 4, total: 4, summary: true });
    expect(lexer!.costUsd).toBeCloseTo(0.8125, 10);
    expect(lexer!.models.sort()).toEqual([OPUS, SONNET]);
    expect(parser).toMatchObject({ phase: 'parser', iterations: 1, toolCalls: 2, requests: 1, costUsd: 0.125, models: [SONNET], summary: false });
  });
});

describe('the budget of a parallel run', () => {
  it('carries the workers\' spending over from the coordinator\'s log on --resume', () => {
    const t = totalsFromEntries(coordinatorLog);
    expect(t.costUsd).toBeCloseTo(0.9375, 10);
    expect(t.usage).toEqual(u(1115, 325, 300));
    expect(t.byModel[OPUS]!.costUsd).toBe(0.25);
    // Each worker's requests count, not one per item.
    expect(t.requests).toBeGreaterThanOrEqual(5 + 2 + 1);
    expect(t.byModel[OPUS]!.requests).toBe(2);
    const b = createBudget({ prices, budgetUsd: 0.9, startedAt, initial: t });
    expect(b.exhausted()).toEqual({ reason: 'budget', detail: 'budget reached: $0.94 spent of $0.90' });
  });

  it('counts spending reported by workers elsewhere against budget_usd and max_tokens, whatever the model\'s name', () => {
    const b = createBudget({ prices, budgetUsd: 1, maxTokens: 10_000, startedAt });
    b.addSpent('unknown', u(1000, 1000, 50_000), 0.6);
    expect(b.exhausted()).toBeNull();
    expect(b.countedTokens()).toBe(2000);
    // A request whose worst case ($0.0125) fits in what is left passes; one of $0.42 does not.
    expect(b.check(SONNET, { inputTokens: 1000, maxOutputTokens: 1000 })).toBeNull();
    b.release(SONNET);
    expect(b.check(SONNET, { inputTokens: 10_000, maxOutputTokens: 40_000 })).toMatch(/^budget: the next request could cost up to \$0\.42, and \$0\.60 of \$1\.00 is spent$/);
    b.addSpent(SONNET, u(7000, 1000), 0.1);
    expect(b.exhausted()).toEqual({ reason: 'max-tokens', detail: 'token limit reached: 10000 of 10000' });
    b.addSpent(SONNET, u(0, 0), 0.3);
    expect(b.exhausted()?.reason).toBe('budget');
    expect(b.totals().byModel.unknown!.costUsd).toBe(0.6);
  });
});
