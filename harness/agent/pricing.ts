import type { Usage } from '../reports/usage.js';

/**
 * What a response costs: the usage the API reports times a per-model price table, in USD
 * per million tokens. The table holds Anthropic's list prices as published in November
 * 2026; `agent.prices` in the config overrides or extends it, and a model with no price
 * is a config error (a budget cannot be kept on an unknown price).
 *
 * Cache writes are priced at the 5-minute rate, which is what the built-in agent uses.
 */

export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Some models charge more once a prompt exceeds a size (Haiku 5.5 above 100k tokens). */
  longContext?: { above: number; price: Omit<ModelPrice, 'longContext'> };
}

export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_MODEL = 'claude-sonnet-5-5';

const p = (input: number, output: number, cacheRead: number, cacheWrite: number): ModelPrice => ({ input, output, cacheRead, cacheWrite });

export const LIST_PRICES: Readonly<PriceTable> = {
  'claude-fable-5-2': p(8, 40, 0.2, 10),
  'claude-mythos-5-2': p(8, 40, 0.2, 10),
  'claude-fable-5-1': p(10, 50, 0.25, 12.5),
  'claude-mythos-5-1': p(10, 50, 0.25, 12.5),
  'claude-fable-5': p(10, 50, 1, 12.5),
  'claude-mythos-5': p(10, 50, 1, 12.5),
  'claude-opus-5-5': p(4, 20, 0.2, 5),
  'claude-opus-5': p(5, 25, 0.5, 6.25),
  'claude-opus-4-8': p(5, 25, 0.5, 6.25),
  'claude-opus-4-7': p(5, 25, 0.5, 6.25),
  'claude-opus-4-6': p(5, 25, 0.5, 6.25),
  'claude-opus-4-5': p(5, 25, 0.5, 6.25),
  'claude-sonnet-5-5': p(2, 10, 0.2, 2.5),
  'claude-sonnet-5': p(2, 10, 0.2, 2.5),
  'claude-sonnet-4-6': p(3, 15, 0.3, 3.75),
  'claude-sonnet-4-5': p(3, 15, 0.3, 3.75),
  'claude-haiku-5-5': { ...p(0.1, 0.5, 0.01, 0.125), longContext: { above: 100_000, price: p(0.5, 2.5, 0.05, 0.625) } },
  'claude-haiku-4-5': p(1, 5, 0.1, 1.25),
};

/** Per-model overrides as the config gives them; unset cache prices follow the input price. */
export interface PriceOverride {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export type TableResult = { ok: true; table: PriceTable } | { ok: false; message: string };

export function priceTable(overrides: Record<string, PriceOverride> = {}): TableResult {
  const table: PriceTable = { ...LIST_PRICES };
  for (const [model, o] of Object.entries(overrides)) {
    const base = lookup(table, model);
    if (!base && (o.input === undefined || o.output === undefined)) {
      return { ok: false, message: `agent.prices.${model}: ${model} has no list price; give at least input and output (USD per million tokens)` };
    }
    const input = o.input ?? base!.input;
    table[model] = {
      input,
      output: o.output ?? base!.output,
      // Anthropic's usual ratios: a cache read is a tenth of input, a 5-minute write a quarter more.
      cacheRead: o.cacheRead ?? (base && o.input === undefined ? base.cacheRead : input * 0.1),
      cacheWrite: o.cacheWrite ?? (base && o.input === undefined ? base.cacheWrite : input * 1.25),
    };
  }
  return { ok: true, table };
}

/** Exact id first, then the id without a date suffix (`claude-haiku-4-5-20251001`). */
export function lookup(table: PriceTable, model: string): ModelPrice | null {
  return table[model] ?? table[model.replace(/-\d{8}$/, '')] ?? null;
}

/** A config error for the first model that has no price, or null when all are priced. */
export function unpriced(table: PriceTable, models: string[]): string | null {
  const missing = models.find((m) => lookup(table, m) === null);
  if (missing === undefined) return null;
  return `model ${missing} has no price: add agent.prices.${missing} with input and output in USD per million tokens (known: ${Object.keys(table).join(', ')})`;
}

/** The rates that apply to a request of `promptTokens` (all input, cached or not). */
export function ratesFor(price: ModelPrice, promptTokens: number): Omit<ModelPrice, 'longContext'> {
  return price.longContext && promptTokens > price.longContext.above ? price.longContext.price : price;
}

export function costOf(price: ModelPrice, usage: Usage): number {
  const r = ratesFor(price, usage.input + usage.cacheRead + usage.cacheWrite);
  return (usage.input * r.input + usage.output * r.output + usage.cacheRead * r.cacheRead + usage.cacheWrite * r.cacheWrite) / 1_000_000;
}
