import type { InputFile } from '../suite/types.js';
import { wordTokens } from '../util/word-tokens.js';

/** Enough for any test input's distinct words (MiniJinja's average eight); a bound keeps history records small. */
export const MAX_FEATURES = 32;

/**
 * What a failing case's input uses, as words: the template's tags, filters and names, then its
 * header's keys and values. Clustering groups cases by the rare words they share, so it is kept
 * on the result, where reports read it without the input file.
 */
export function inputFeatures(input: InputFile | null): string[] {
  if (!input) return [];
  const header = input.header === null || input.header === undefined ? '' : JSON.stringify(input.header);
  return wordTokens(`${input.body}\n${header}`, MAX_FEATURES);
}
