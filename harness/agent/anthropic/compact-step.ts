/** The model call that summarises the older turns at compaction (the pure parts are in ../compaction.ts). */
import type Anthropic from '@anthropic-ai/sdk';
import { buildSummaryRequest, CHARS_PER_TOKEN, estimateTextTokens } from '../compaction.js';
import type { BudgetGate, IterationResult } from '../types.js';
import type { Usage } from '../../reports/usage.js';
import type { Outcome } from './retry.js';
import { streamMessage, type StreamedMessage } from './stream.js';

const SUMMARY_SYSTEM = 'You summarise the history of a coding agent\'s work so that it can continue without it. Be precise and complete; be brief.';

export interface SummariseOptions {
  client: Anthropic;
  model: string;
  maxTokens: number;
  contextWindow: number;
  budget: BudgetGate;
  /** Runs the call with the backend's patience and logging. */
  call(attempt: () => Promise<StreamedMessage>): Promise<Outcome<StreamedMessage>>;
  signal?: AbortSignal;
}

export type Summary =
  | { ok: true; text: string; usage: Usage; costUsd: number }
  | { ok: false; stop: IterationResult['stop']; error: string };

export async function summarise(older: Anthropic.MessageParam[], opts: SummariseOptions): Promise<Summary> {
  // Half the window for the transcript leaves room for the instruction and the answer.
  const prompt = buildSummaryRequest(older, Math.floor((opts.contextWindow * CHARS_PER_TOKEN) / 2));
  const refused = opts.budget.check(opts.model, { inputTokens: estimateTextTokens(SUMMARY_SYSTEM + prompt), maxOutputTokens: opts.maxTokens });
  if (refused) return { ok: false, stop: 'budget', error: refused };

  const outcome = await opts.call(() =>
    streamMessage(
      opts.client,
      { model: opts.model, max_tokens: opts.maxTokens, system: SUMMARY_SYSTEM, messages: [{ role: 'user', content: prompt }] },
      opts.signal,
    ),
  );
  if (!outcome.ok) {
    return { ok: false, stop: outcome.failure.kind === 'aborted' ? 'aborted' : 'error', error: `compaction: ${outcome.failure.message}` };
  }
  const costUsd = opts.budget.record(opts.model, outcome.value.usage);
  const text = outcome.value.content.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n').trim();
  if (!text) return { ok: false, stop: 'error', error: 'compaction: the model returned an empty summary' };
  return { ok: true, text, usage: outcome.value.usage, costUsd };
}
