import { costOf, lookup, ratesFor, type PriceTable } from './pricing.js';
import type { BudgetGate, SessionEntry } from './types.js';
import { addUsage, ZERO_USAGE, type StopReason, type Usage } from '../reports/usage.js';

/**
 * The run's spending: totals from every response, and the gate each request passes.
 * A request is refused when its worst case — all of its input at the dearer of the input
 * and cache-write rates, plus the full output allowance — would cross a limit, so a
 * budget is never overrun by one last expensive call.
 *
 * Several agents share one budget, with requests in flight at once. A request that passes
 * the gate reserves its worst case until its response is recorded (or `release` says it
 * failed), and the next check counts what is reserved as spent, so N concurrent requests
 * never overspend either. The gate is not told which request a response belongs to, so
 * a response or failure frees the smallest reservation of its model: what stays reserved
 * is never less than what the requests still in flight could cost.
 *
 * Tokens for `--max-tokens` are input + cache writes + output: cache reads re-read the
 * same context on every request and would swamp the count.
 */

export interface BudgetLimits {
  budgetUsd?: number;
  maxTokens?: number;
  maxHours?: number;
}

export interface ModelTotals {
  usage: Usage;
  costUsd: number;
  requests: number;
}

export interface BudgetTotals extends ModelTotals {
  byModel: Record<string, ModelTotals>;
}

export interface Budget extends Required<BudgetGate> {
  totals(): BudgetTotals;
  /** Tokens counted against `--max-tokens`. */
  countedTokens(): number;
  /** Why the run must stop now, or null while every limit holds. */
  exhausted(): LimitHit | null;
  /** The limit behind the last refused request, if any. */
  lastRefusal(): LimitHit | null;
  /** Spending that went through another budget (a worker on another machine), counted against the limits from now on. */
  addSpent(model: string, usage: Usage, costUsd: number): void;
}

export interface LimitHit {
  reason: Extract<StopReason, 'budget' | 'max-tokens' | 'max-hours'>;
  detail: string;
}

export interface BudgetOptions extends BudgetLimits {
  prices: PriceTable;
  /** When this run segment started. */
  startedAt: Date;
  clock?: () => Date;
  /** Totals carried over from the session log on `--resume`. */
  initial?: BudgetTotals;
  /** Working time of earlier segments of this run (before a crash), counted against `maxHours`. */
  priorMs?: number;
}

export function emptyTotals(): BudgetTotals {
  return { usage: { ...ZERO_USAGE }, costUsd: 0, requests: 0, byModel: {} };
}

function add(t: BudgetTotals, model: string, usage: Usage, cost: number, requests = 1): void {
  t.usage = addUsage(t.usage, usage);
  t.costUsd += cost;
  t.requests += requests;
  const m = (t.byModel[model] ??= { usage: { ...ZERO_USAGE }, costUsd: 0, requests: 0 });
  m.usage = addUsage(m.usage, usage);
  m.costUsd += cost;
  m.requests += requests;
}

/** The model a worker's spending on an item is booked under: its one model, or all of them together. */
export function spendingModel(models: readonly string[]): string {
  return models.length === 1 ? models[0]! : 'several models';
}

/** Totals as the session log records them: every response and compaction summary, with its logged cost. */
export function totalsFromEntries(entries: SessionEntry[]): BudgetTotals {
  const t = emptyTotals();
  for (const e of entries) {
    if (e.type === 'response') add(t, e.model, e.usage, e.costUsd);
    else if (e.type === 'compaction' && e.usage) add(t, e.model ?? 'unknown', e.usage, e.costUsd ?? 0);
    // A parallel run's workers log their responses in their own files; the coordinator's log has their totals.
    else if (e.type === 'work') add(t, spendingModel(e.models), e.usage, e.costUsd, e.requests);
  }
  return t;
}

/** What a request that passed the gate could still cost. */
interface Reservation {
  usd: number;
  tokens: number;
}

/** Where a reservation of this cost goes in a list kept smallest first. */
function sortedIndex(list: readonly Reservation[], cost: number): number {
  const i = list.findIndex((r) => r.usd > cost);
  return i < 0 ? list.length : i;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;
const counted = (u: Usage): number => u.input + u.cacheWrite + u.output;

export function createBudget(opts: BudgetOptions): Budget {
  const clock = opts.clock ?? (() => new Date());
  const t: BudgetTotals = opts.initial ? structuredClone(opts.initial) : emptyTotals();
  const elapsedHours = () => ((opts.priorMs ?? 0) + clock().getTime() - opts.startedAt.getTime()) / 3_600_000;

  const priceOf = (model: string) => {
    const price = lookup(opts.prices, model);
    // Models are checked when the config loads; an unpriced one here is a bug.
    if (!price) throw new Error(`no price for model ${model}`);
    return price;
  };

  const exhausted: Budget['exhausted'] = () => {
    if (opts.budgetUsd !== undefined && t.costUsd >= opts.budgetUsd) {
      return { reason: 'budget', detail: `budget reached: ${usd(t.costUsd)} spent of ${usd(opts.budgetUsd)}` };
    }
    if (opts.maxTokens !== undefined && counted(t.usage) >= opts.maxTokens) {
      return { reason: 'max-tokens', detail: `token limit reached: ${counted(t.usage)} of ${opts.maxTokens}` };
    }
    if (opts.maxHours !== undefined && elapsedHours() >= opts.maxHours) {
      return { reason: 'max-hours', detail: `time limit reached: ${elapsedHours().toFixed(2)} h of ${opts.maxHours} h` };
    }
    return null;
  };

  let refusal: LimitHit | null = null;
  const refuse = (hit: LimitHit): string => {
    refusal = hit;
    return hit.detail;
  };

  // Worst cases of requests in flight, per model, smallest first.
  const inFlight = new Map<string, Reservation[]>();
  const reserved = { usd: 0, tokens: 0, count: 0 };
  const inFlightNote = (amount: string) => (reserved.count > 0 ? `, and ${amount} more is reserved by requests in flight` : '');
  const freeSmallest = (model: string): void => {
    const r = inFlight.get(model)?.shift();
    if (!r) return;
    reserved.count -= 1;
    // Sums of floats drift; with nothing in flight the reservation is exactly nothing.
    reserved.usd = reserved.count === 0 ? 0 : reserved.usd - r.usd;
    reserved.tokens -= r.tokens;
  };

  return {
    check(model, worst) {
      const done = exhausted();
      if (done) return refuse(done);
      const r = ratesFor(priceOf(model), worst.inputTokens);
      const request: Reservation = {
        usd: (worst.inputTokens * Math.max(r.input, r.cacheWrite) + worst.maxOutputTokens * r.output) / 1_000_000,
        tokens: worst.inputTokens + worst.maxOutputTokens,
      };
      if (opts.budgetUsd !== undefined && t.costUsd + reserved.usd + request.usd > opts.budgetUsd) {
        return refuse({
          reason: 'budget',
          detail: `budget: the next request could cost up to ${usd(request.usd)}, and ${usd(t.costUsd)} of ${usd(opts.budgetUsd)} is spent${inFlightNote(usd(reserved.usd))}`,
        });
      }
      if (opts.maxTokens !== undefined && counted(t.usage) + reserved.tokens + request.tokens > opts.maxTokens) {
        return refuse({
          reason: 'max-tokens',
          detail: `max-tokens: the next request could use up to ${request.tokens} tokens, and ${counted(t.usage)} of ${opts.maxTokens} are used${inFlightNote(String(reserved.tokens))}`,
        });
      }
      const list = inFlight.get(model) ?? [];
      list.splice(sortedIndex(list, request.usd), 0, request);
      inFlight.set(model, list);
      reserved.usd += request.usd;
      reserved.tokens += request.tokens;
      reserved.count += 1;
      return null;
    },
    lastRefusal: () => refusal,
    record(model, usage) {
      freeSmallest(model);
      const cost = costOf(priceOf(model), usage);
      add(t, model, usage, cost);
      return cost;
    },
    release(model) {
      freeSmallest(model);
    },
    addSpent(model, usage, costUsd) {
      add(t, model, usage, costUsd);
    },
    totals: () => structuredClone(t),
    countedTokens: () => counted(t.usage),
    exhausted,
  };
}
