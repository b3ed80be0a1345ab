/**
 * Anthropic's list prices in USD per million tokens, as published in November 2026, and
 * the default model. Cache writes are priced at the 5-minute rate, which is what the
 * built-in agent uses. `agent.prices` overrides them.
 */
import type { ModelPrice, PriceTable } from '../pricing.js';

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
