/** The model call that summarises the older turns at compaction (the pure parts are in ./compaction.ts). */
import type { BudgetGate, IterationResult } from '../types.js';
import type { Usage } from '../../reports/usage.js';
import { buildSummaryRequest, CHARS_PER_TOKEN, estimateTextTokens } from './compaction.js';
import type { Message } from './messages.js';
import { textOf } from './messages.js';
import type { Outcome } from './patience.js';
import type { ModelRequest, ModelResponse } from './provider.js';

const SUMMARY_SYSTEM = 'You summarise the history of a coding agent\'s work so that it can continue without it. Be precise and complete; be brief.';

export interface SummariseOptions {
  model: string;
  maxTokens: number;
  contextWindow: number;
  budget: BudgetGate;
  /** Sends the request with the turn loop's patience and logging. */
  call(request: ModelRequest): Promise<Outcome<ModelResponse>>;
}

export type Summary =
  | { ok: true; text: string; usage: Usage; costUsd: number }
  | { ok: false; stop: IterationResult['stop']; error: string };

export async function summarise(older: Message[], opts: SummariseOptions): Promise<Summary> {
  // Half the window for the transcript leaves room for the instruction and the answer.
  const prompt = buildSummaryRequest(older, Math.floor((opts.contextWindow * CHARS_PER_TOKEN) / 2));
  const refused = opts.budget.check(opts.model, { inputTokens: estimateTextTokens(SUMMARY_SYSTEM + prompt), maxOutputTokens: opts.maxTokens });
  if (refused) return { ok: false, stop: 'budget', error: refused };

  const outcome = await opts.call({
    model: opts.model, maxTokens: opts.maxTokens, system: SUMMARY_SYSTEM, seed: '', tools: [], cache: false,
    messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
  });
  if (!outcome.ok) {
    opts.budget.release?.(opts.model);
    return { ok: false, stop: outcome.failure.kind === 'aborted' ? 'aborted' : 'error', error: `compaction: ${outcome.failure.message}` };
  }
  const costUsd = opts.budget.record(opts.model, outcome.value.usage);
  const text = textOf(outcome.value.content);
  if (!text) return { ok: false, stop: 'error', error: 'compaction: the model returned an empty summary' };
  return { ok: true, text, usage: outcome.value.usage, costUsd };
}
