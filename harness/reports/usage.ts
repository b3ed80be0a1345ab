/**
 * What an agent run spends and why it stopped: the agent produces these, and the history
 * stores them, so they are defined where the history format lives.
 */

/** Token usage as a model API reports it, summed. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export const ZERO_USAGE: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}

export type StopReason = 'all-pass' | 'budget' | 'stall' | 'max-iterations' | 'max-hours' | 'max-tokens' | 'error' | 'interrupted';
