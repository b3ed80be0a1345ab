import { describe, expect, it } from 'vitest';
import { LIST_PRICES } from '../../../harness/agent/anthropic/prices.js';
import { RUN_STARTED, RUN_STOPPED } from '../../../harness/agent/parallel/coordinator.js';
import type { QueueEvent } from '../../../harness/agent/parallel/queue/work-queue.js';
import { followRun } from '../../../harness/agent/parallel/run-follower.js';
import { SPENT_EVENT } from '../../../harness/agent/parallel/worker.js';
import { priceTable } from '../../../harness/agent/pricing.js';

const built = priceTable(LIST_PRICES);
if (!built.ok) throw new Error(built.message);
const prices = built.table;
const MODEL = 'claude-sonnet-5-5';
const at = '2026-12-01T00:00:00.000Z';
let seq = 0;
const event = (kind: string, extra: Partial<QueueEvent> = {}): QueueEvent => ({ seq: ++seq, at, kind, ...extra });
const spent = (workerId: string, costUsd: number): QueueEvent =>
  event(SPENT_EVENT, {
    workerId,
    detail: JSON.stringify({ workerId, itemId: 'w-1', attempt: 1, phase: 'ops', outcome: 'result', detail: '', iterations: 1, messages: 2, toolCalls: 1, requests: 1, usage: { input: 1000, output: 100, cacheRead: 0, cacheWrite: 0 }, costUsd, models: [MODEL], busyMs: 10 }),
  });
// A request of 10,000 input and 1,000 output tokens could cost up to $0.035: input at the cache-write rate ($2.50 per MTok) and output at $10.
const worst = { inputTokens: 10_000, maxOutputTokens: 1_000 };

describe('a machine following the coordinator\'s run', () => {
  it('counts what the run\'s other workers spent against the limits, not its own reports twice', () => {
    const run = followRun({ prices, limits: { budgetUsd: 1 }, ownWorkers: new Set(['here-w1']), clock: () => new Date(at) });
    expect(run.running()).toBe(false);
    run.apply([event(RUN_STARTED, { detail: 'run-a' }), spent('there-w1', 0.5), spent('here-w1', 0.4)]);
    expect(run.running()).toBe(true);
    // Its own worker's spending went through this budget already, as its requests were answered.
    expect(run.budget.totals().costUsd).toBeCloseTo(0.5, 10);
    expect(run.budget.check(MODEL, worst)).toBeNull();
    run.budget.release(MODEL);
    run.apply([spent('there-w2', 0.47)]);
    expect(run.budget.check(MODEL, worst)).toMatch(/^budget: the next request could cost up to \$0\.04, and \$0\.97 of \$1\.00 is spent/);
    run.apply([spent('there-w3', 0.1)]);
    expect(run.budget.exhausted()).toEqual({ reason: 'budget', detail: 'budget reached: $1.07 spent of $1.00' });
  });

  it('goes on counting when the same run resumes, and starts afresh for another run', () => {
    const run = followRun({ prices, limits: { budgetUsd: 1 }, ownWorkers: new Set(), clock: () => new Date(at) });
    run.apply([event(RUN_STARTED, { detail: 'run-a' }), spent('x', 0.6), event(RUN_STOPPED, { detail: 'interrupted' })]);
    expect(run.running()).toBe(false);
    run.apply([event(RUN_STARTED, { detail: 'run-a' })]);
    expect(run.running()).toBe(true);
    expect(run.budget.totals().costUsd).toBeCloseTo(0.6, 10);
    run.apply([event(RUN_STOPPED), event(RUN_STARTED, { detail: 'run-b' })]);
    expect(run.budget.totals().costUsd).toBe(0);
  });

  it('skips a spending record it cannot read or that is not well formed, and spending before any run started', () => {
    const run = followRun({ prices, limits: {}, ownWorkers: new Set(), clock: () => new Date(at) });
    run.apply([
      spent('x', 0.3), event(RUN_STARTED, { detail: 'run-a' }), event(SPENT_EVENT, { workerId: 'y', detail: '{not json' }),
      // From a worker that is not Porter's, or broken: a cost without the rest is no record.
      event(SPENT_EVENT, { workerId: 'z', detail: JSON.stringify({ workerId: 'z', costUsd: 5 }) }),
      event(SPENT_EVENT, { workerId: 'z', detail: JSON.stringify({ ...JSON.parse(spent('z', 5).detail!), usage: { input: 'many' } }) }),
    ]);
    expect(run.budget.totals().costUsd).toBe(0);
  });

  it('applies the limits the coordinator announced with its run (its flags), over the machine\'s config', () => {
    const run = followRun({ prices, limits: { budgetUsd: 100 }, ownWorkers: new Set(), clock: () => new Date(at) });
    run.apply([event(RUN_STARTED, { detail: JSON.stringify({ run: 'run-c', limits: { budgetUsd: 0.5, maxTokens: 'lots' } }) }), spent('x', 0.49)]);
    expect(run.budget.check(MODEL, worst)).toMatch(/of \$0\.50 is spent/);
  });
});
