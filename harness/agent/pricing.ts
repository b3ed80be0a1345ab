import type { Usage } from '../reports/usage.js';

/**
 * What a response costs: the usage the API reports times a per-model price table, in USD
 * per million tokens. Each backend brings its provider's list prices; `agent.prices` in
 * the config overrides or extends them, and a model with no price is a config error (a
 * budget cannot be kept on an unknown price).
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

/** Per-model overrides as the config gives them; unset cache prices follow the input price. */
export interface PriceOverride {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export type TableResult = { ok: true; table: PriceTable } | { ok: false; message: string };

export function priceTable(listPrices: Readonly<PriceTable>, overrides: Record<string, PriceOverride> = {}): TableResult {
  const table: PriceTable = { ...listPrices };
  for (const [model, o] of Object.entries(overrides)) {
    const base = lookup(table, model);
    if (!base && (o.input === undefined || o.output === undefined)) {
      return { ok: false, message: `agent.prices.${model}: ${model} has no list price; give at least input and output (USD per million tokens)` };
    }
    const input = o.input ?? base!.input;
    table[model] = {
      input,
      output: o.output ?? base!.output,
      // The usual ratios: a cache read is a tenth of input, a 5-minute cache write a quarter more.
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
