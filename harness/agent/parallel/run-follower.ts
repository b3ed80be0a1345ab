import type { AgentLimits } from '../agent-config.js';
import { createBudget, spendingModel, type Budget } from '../budget.js';
import type { PriceTable } from '../pricing.js';
import { RUN_STARTED, RUN_STOPPED } from './coordinator.js';
import type { QueueEvent } from './queue/work-queue.js';
import { readSpent } from './worker.js';

/**
 * What workers on another machine know of the coordinator's run, from the queue's events:
 * whether a run is on, and its budget. The budget gate the workers ask before each request
 * counts, besides their own requests, what every other worker of the same run reported
 * spending when it finished an item, so the run's limits hold across machines; requests
 * still in flight on other machines are counted when their items end.
 */

export interface RunFollower {
  /** The gate for this machine's workers; it follows the run the coordinator is on. */
  readonly budget: Budget;
  /** Whether the coordinator's run is on (started and not stopped). */
  running(): boolean;
  /** Takes in events, oldest first. */
  apply(events: readonly QueueEvent[]): void;
}

/** A run-started event's detail: the run id and the coordinator's limits (its flags included). */
function announced(detail: string | undefined): { run: string | null; limits: AgentLimits } {
  try {
    const v = JSON.parse(detail ?? '') as { run?: unknown; limits?: Record<string, unknown> };
    const limits: AgentLimits = {};
    for (const key of ['budgetUsd', 'maxTokens', 'maxHours'] as const) {
      const n = v.limits?.[key];
      if (typeof n === 'number' && Number.isFinite(n) && n > 0) limits[key] = n;
    }
    return { run: typeof v.run === 'string' ? v.run : null, limits };
  } catch {
    return { run: detail ?? null, limits: {} };
  }
}

export function followRun(opts: { prices: PriceTable; limits: AgentLimits; ownWorkers: ReadonlySet<string>; clock?: () => Date }): RunFollower {
  const clock = opts.clock ?? (() => new Date());
  const make = (startedAt: Date, limits: AgentLimits = {}) => createBudget({ prices: opts.prices, ...opts.limits, ...limits, startedAt, clock });
  let run: string | null = null;
  let on = false;
  let current = make(clock());
  // Every method asks the budget of the run now on, so a new run gets a fresh one.
  const budget: Budget = {
    check: (model, worst) => current.check(model, worst),
    record: (model, usage) => current.record(model, usage),
    release: (model) => current.release(model),
    totals: () => current.totals(),
    countedTokens: () => current.countedTokens(),
    exhausted: () => current.exhausted(),
    lastRefusal: () => current.lastRefusal(),
    addSpent: (model, usage, cost) => current.addSpent(model, usage, cost),
  };
  return {
    budget,
    running: () => on,
    apply(events) {
      for (const e of events) {
        if (e.kind === RUN_STARTED) {
          on = true;
          const started = announced(e.detail);
          // A resumed run goes on counting; another run starts from nothing.
          if (started.run !== run) {
            run = started.run;
            current = make(new Date(e.at), started.limits);
          }
        } else if (e.kind === RUN_STOPPED) {
          on = false;
        } else if (run !== null && !opts.ownWorkers.has(e.workerId ?? '')) {
          const w = readSpent(e);
          if (w) current.addSpent(spendingModel(w.models), w.usage, w.costUsd);
        }
      }
    },
  };
}
