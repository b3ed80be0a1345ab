import { describe, expect, it } from 'vitest';
import { createBudget, totalsFromEntries } from '../../harness/agent/budget.js';
import { DEFAULT_MODEL, LIST_PRICES } from '../../harness/agent/anthropic/prices.js';
import { costOf, lookup, priceTable, unpriced } from '../../harness/agent/pricing.js';
import type { SessionEntry } from '../../harness/agent/types.js';

const built = priceTable(LIST_PRICES);
if (!built.ok) throw new Error(built.message);
const table = built.table;
const start = new Date('2026-11-20T00:00:00Z');
const u = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({ input, output, cacheRead, cacheWrite });

describe('pricing', () => {
  it('defaults to a current model that has a price', () => {
    expect(DEFAULT_MODEL).toBe('claude-sonnet-5-5');
    expect(lookup(table, DEFAULT_MODEL)).toEqual({ input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 });
    expect(lookup(table, 'claude-haiku-4-5-20251001')).toEqual(LIST_PRICES['claude-haiku-4-5']);
  });

  it('prices usage per million tokens, all four kinds', () => {
    // 1M input at $2 + 100k output at $10 + 2M cache reads at $0.20 + 200k cache writes at $2.50
    expect(costOf(LIST_PRICES['claude-sonnet-5-5']!, u(1_000_000, 100_000, 2_000_000, 200_000))).toBeCloseTo(2 + 1 + 0.4 + 0.5, 10);
  });

  it('uses the long-context band when the prompt is past it', () => {
    const haiku = LIST_PRICES['claude-haiku-5-5']!;
    expect(costOf(haiku, u(100_000, 1_000_000))).toBeCloseTo(0.01 + 0.5, 10);
    expect(costOf(haiku, u(100_001, 0))).toBeCloseTo(100_001 * 0.5 / 1e6, 10);
  });

  it('accepts overrides and new models, and names a model with no price', () => {
    const r = priceTable(LIST_PRICES, { 'claude-sonnet-5-5': { output: 12 }, 'my-proxy-model': { input: 1, output: 4 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.table['claude-sonnet-5-5']).toEqual({ input: 2, output: 12, cacheRead: 0.2, cacheWrite: 2.5 });
    expect(r.table['my-proxy-model']).toEqual({ input: 1, output: 4, cacheRead: 0.1, cacheWrite: 1.25 });
    expect(priceTable(LIST_PRICES, { 'mystery': { input: 1 } })).toEqual({ ok: false, message: expect.stringMatching(/^agent\.prices\.mystery: mystery has no list price; give at least input and output/) });
    expect(unpriced(r.table, ['claude-sonnet-5-5', 'claude-mythos-preview'])).toMatch(/^model claude-mythos-preview has no price: add agent\.prices\.claude-mythos-preview/);
    expect(unpriced(r.table, ['my-proxy-model'])).toBeNull();
  });
});

describe('budget gate', () => {
  it('refuses a request whose worst case would cross the budget', () => {
    const b = createBudget({ prices: table, budgetUsd: 1, startedAt: start, clock: () => start });
    expect(b.record('claude-sonnet-5-5', u(100_000, 50_000))).toBeCloseTo(0.7, 10);
    // Worst case: 100k input at the cache-write rate $2.50 = $0.25, plus 4k output at $10 = $0.04 → $0.99 ≤ $1.
    expect(b.check('claude-sonnet-5-5', { inputTokens: 100_000, maxOutputTokens: 4_000 })).toBeNull();
    // That request failed: nothing it reserved stays in the way of the next one.
    b.release('claude-sonnet-5-5');
    expect(b.check('claude-sonnet-5-5', { inputTokens: 100_000, maxOutputTokens: 32_000 })).toBe(
      'budget: the next request could cost up to $0.57, and $0.70 of $1.00 is spent',
    );
    expect(b.exhausted()).toBeNull();
    b.record('claude-sonnet-5-5', u(0, 30_000));
    expect(b.exhausted()).toEqual({ reason: 'budget', detail: 'budget reached: $1.00 spent of $1.00' });
    expect(b.check('claude-sonnet-5-5', { inputTokens: 1, maxOutputTokens: 1 })).toMatch(/budget reached/);
  });

  it('keeps totals per model', () => {
    const b = createBudget({ prices: table, startedAt: start });
    b.record('claude-sonnet-5-5', u(10, 20, 30, 40));
    b.record('claude-opus-5-5', u(1, 2, 3, 4));
    b.record('claude-sonnet-5-5', u(10, 20, 30, 40));
    const t = b.totals();
    expect(t.usage).toEqual(u(21, 42, 63, 84));
    expect(t.requests).toBe(3);
    expect(t.byModel['claude-sonnet-5-5']).toMatchObject({ usage: u(20, 40, 60, 80), requests: 2 });
    expect(t.byModel['claude-opus-5-5']?.requests).toBe(1);
  });

  it('limits tokens (input, cache writes, output) and hours', () => {
    let now = start;
    const b = createBudget({ prices: table, maxTokens: 1000, maxHours: 2, startedAt: start, clock: () => now, priorMs: 3_600_000 });
    b.record('claude-sonnet-5-5', u(300, 100, 10_000, 100));
    expect(b.countedTokens()).toBe(500);
    expect(b.check('claude-sonnet-5-5', { inputTokens: 400, maxOutputTokens: 100 })).toBeNull();
    b.release('claude-sonnet-5-5');
    expect(b.check('claude-sonnet-5-5', { inputTokens: 400, maxOutputTokens: 101 })).toMatch(/^max-tokens: the next request could use up to 501 tokens, and 500 of 1000 are used/);
    now = new Date(start.getTime() + 3_600_000);
    // One hour here plus one hour before the crash.
    expect(b.exhausted()).toEqual({ reason: 'max-hours', detail: 'time limit reached: 2.00 h of 2 h' });
  });

  it('reserves the worst case of each request in flight, so concurrent requests cannot overspend', () => {
    const b = createBudget({ prices: table, budgetUsd: 1, startedAt: start, clock: () => start });
    // Each: 40k input at $2.50 = $0.10, plus 20k output at $10 = $0.20 → $0.30 at worst.
    const worst = { inputTokens: 40_000, maxOutputTokens: 20_000 };
    expect([1, 2, 3].map(() => b.check('claude-sonnet-5-5', worst))).toEqual([null, null, null]);
    expect(b.check('claude-sonnet-5-5', worst)).toBe('budget: the next request could cost up to $0.30, and $0.00 of $1.00 is spent, and $0.90 more is reserved by requests in flight');
    expect(b.lastRefusal()?.reason).toBe('budget');
    // One answers, for less than its worst case: $0.10 spent, its reservation replaced by the actual cost.
    expect(b.record('claude-sonnet-5-5', u(40_000, 2_000))).toBeCloseTo(0.1, 10);
    expect(b.check('claude-sonnet-5-5', worst)).toBeNull();
    expect(b.check('claude-sonnet-5-5', worst)).toMatch(/\$0\.10 of \$1\.00 is spent, and \$0\.90 more is reserved/);
    // One fails without an answer: its reservation is free again.
    b.release('claude-sonnet-5-5');
    expect(b.check('claude-sonnet-5-5', worst)).toBeNull();
    expect(b.totals().requests).toBe(1);
  });

  it('keeps the largest reservations when it cannot tell which request answered', () => {
    const b = createBudget({ prices: table, budgetUsd: 1, startedAt: start, clock: () => start });
    expect(b.check('claude-sonnet-5-5', { inputTokens: 0, maxOutputTokens: 50_000 })).toBeNull(); // $0.50
    expect(b.check('claude-sonnet-5-5', { inputTokens: 0, maxOutputTokens: 10_000 })).toBeNull(); // $0.10
    // A response of $0.05 frees the $0.10 reservation, not the $0.50 one that may still be running.
    b.record('claude-sonnet-5-5', u(0, 5_000));
    expect(b.check('claude-sonnet-5-5', { inputTokens: 0, maxOutputTokens: 45_000 })).toBeNull(); // 0.05 + 0.50 + 0.45 = 1.00
    b.release('claude-sonnet-5-5');
    expect(b.check('claude-sonnet-5-5', { inputTokens: 0, maxOutputTokens: 45_100 })).toMatch(/^budget: the next request could cost up to \$0\.45, and \$0\.05 of \$1\.00 is spent, and \$0\.50 more is reserved/);
  });

  it('reserves tokens too, per model', () => {
    const b = createBudget({ prices: table, maxTokens: 1_000, startedAt: start, clock: () => start });
    expect(b.check('claude-sonnet-5-5', { inputTokens: 300, maxOutputTokens: 100 })).toBeNull();
    expect(b.check('claude-opus-5-5', { inputTokens: 300, maxOutputTokens: 100 })).toBeNull();
    expect(b.check('claude-sonnet-5-5', { inputTokens: 100, maxOutputTokens: 101 })).toBe(
      'max-tokens: the next request could use up to 201 tokens, and 0 of 1000 are used, and 800 more is reserved by requests in flight',
    );
    // A release for a model with nothing in flight frees nothing.
    b.release('claude-haiku-5-5');
    expect(b.check('claude-sonnet-5-5', { inputTokens: 100, maxOutputTokens: 101 })).toMatch(/^max-tokens/);
    b.release('claude-opus-5-5');
    expect(b.check('claude-sonnet-5-5', { inputTokens: 100, maxOutputTokens: 101 })).toBeNull();
  });

  it('never lets many agents with requests in flight at once spend past the budget', async () => {
    const b = createBudget({ prices: table, budgetUsd: 5, startedAt: start, clock: () => start });
    const worst = { inputTokens: 20_000, maxOutputTokens: 20_000 }; // $0.25 at worst
    let refused = 0;
    let inFlight = 0;
    let worstEver = 0;
    const agent = async (n: number) => {
      for (let i = 0; ; i++) {
        if (b.check('claude-sonnet-5-5', worst)) {
          refused++;
          return;
        }
        inFlight++;
        // What would be spent if every request in flight now cost its worst case.
        worstEver = Math.max(worstEver, b.totals().costUsd + inFlight * 0.25);
        // Requests overlap: each agent's answer arrives after the others have asked.
        await new Promise((r) => setImmediate(r));
        inFlight--;
        if ((n + i) % 5 === 4) b.release('claude-sonnet-5-5');
        else b.record('claude-sonnet-5-5', u(20_000, 10_000 + n * 1_000)); // $0.15 to $0.24, under the worst case
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(agent));
    expect(refused).toBe(8);
    expect(b.totals().requests).toBeGreaterThan(16);
    expect(worstEver).toBeLessThanOrEqual(5 + 1e-9);
    expect(b.totals().costUsd).toBeLessThanOrEqual(5);
  });

  it('carries on from the session log on resume', () => {
    const entries = [
      { v: 1, seq: 1, ts: 't', type: 'response', iteration: 1, model: 'claude-sonnet-5-5', content: [], stopReason: 'end_turn', usage: u(100, 10), costUsd: 0.5 },
      { v: 1, seq: 2, ts: 't', type: 'note', iteration: 1, text: 'x', from: 'flag' },
      { v: 1, seq: 3, ts: 't', type: 'compaction', iteration: 2, summary: 's', keptFrom: 2, model: 'claude-sonnet-5-5', usage: u(1000, 0), costUsd: 0.125 },
      { v: 1, seq: 4, ts: 't', type: 'response', iteration: 2, model: 'claude-sonnet-5-5', content: [], stopReason: 'end_turn', usage: u(1, 1), costUsd: 0.25 },
    ] as SessionEntry[];
    const initial = totalsFromEntries(entries);
    expect(initial).toMatchObject({ costUsd: 0.875, requests: 3, usage: u(1101, 11) });
    const b = createBudget({ prices: table, budgetUsd: 1, startedAt: start, initial });
    b.record('claude-sonnet-5-5', u(0, 12_500));
    expect(b.exhausted()?.reason).toBe('budget');
    expect(initial.costUsd).toBe(0.875);
  });
});
