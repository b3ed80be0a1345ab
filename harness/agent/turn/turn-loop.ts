/**
 * The built-in agent's inner loop, for any model provider: one `runIteration` is one task
 * message worked to the end of the agent's turn: request → response → tool calls →
 * results → next request, until the model stops calling tools. Every step is appended to
 * the session log before the next starts, so `restore` can rebuild the conversation and
 * a resumed run re-runs no completed tool call. The budget is asked before every request,
 * and older turns are summarised when the conversation nears the context window.
 */
import { scrubSecrets } from '../secrets.js';
import type { AgentBackend, IterationContext, IterationResult, SessionEntry, ToolResult } from '../types.js';
import { ZERO_USAGE, addUsage, type Usage } from '../../reports/usage.js';
import { chooseCut, estimateConversationTokens, estimateTextTokens, needsCompaction } from './compaction.js';
import { Conversation, restoreConversation } from './conversation.js';
import { textOf, type ToolCall } from './messages.js';
import { systemClock, withPatience, type Clock, type Outcome } from './patience.js';
import type { ModelProvider, ModelResponse } from './provider.js';
import { DEFAULT_SYSTEM_PROMPT } from './system-prompt.js';
import { summarise } from './summarise.js';

export interface TurnLoopOptions {
  /** Registry name of the backend, as reports and history record it. */
  kind: string;
  /** max_tokens of each request (and the output half of the budget's worst case). Default 16,000. */
  maxTokens?: number;
  /** The model's context window in tokens. Default 200,000. */
  contextWindow?: number;
  /** Share of the context window at which older turns are summarised. Default 0.8. */
  compactAt?: number;
  /** Recent turns kept verbatim at compaction, in tokens. Default 20,000 (at most half the threshold). */
  keepRecentTokens?: number;
  /** Total time one request may keep failing (429, 5xx, overloaded, dropped connections). Default 1 hour. */
  patienceMs?: number;
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Requests after which an iteration is cut short (a runaway guard). Default 400. */
  maxRequestsPerIteration?: number;
  systemPrompt?: string;
  clock?: Clock;
}

const DEFAULTS = {
  maxTokens: 16_000,
  contextWindow: 200_000,
  compactAt: 0.8,
  keepRecentTokens: 20_000,
  patienceMs: 60 * 60_000,
  initialRetryDelayMs: 1_000,
  maxRetryDelayMs: 60_000,
  maxRequestsPerIteration: 400,
};

type Settings = typeof DEFAULTS & { systemPrompt: string; clock: Clock };

export function createModelBackend(provider: ModelProvider, opts: TurnLoopOptions): AgentBackend {
  const settings: Settings = {
    maxTokens: opts.maxTokens ?? DEFAULTS.maxTokens,
    contextWindow: opts.contextWindow ?? DEFAULTS.contextWindow,
    compactAt: opts.compactAt ?? DEFAULTS.compactAt,
    keepRecentTokens: opts.keepRecentTokens ?? DEFAULTS.keepRecentTokens,
    patienceMs: opts.patienceMs ?? DEFAULTS.patienceMs,
    initialRetryDelayMs: opts.initialRetryDelayMs ?? DEFAULTS.initialRetryDelayMs,
    maxRetryDelayMs: opts.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
    maxRequestsPerIteration: opts.maxRequestsPerIteration ?? DEFAULTS.maxRequestsPerIteration,
    systemPrompt: opts.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
    clock: opts.clock ?? systemClock,
  };
  return new TurnLoop(opts.kind, provider, settings);
}

/** What one iteration has spent so far. */
interface Tally {
  usage: Usage;
  costUsd: number;
  messages: number;
  toolCalls: number;
  finalText: string;
}

/** Estimated tokens of everything before the messages: system prompt, seed, tool definitions. */
export function prefixTokens(systemPrompt: string, seed: string, tools: IterationContext['tools']['definitions']): number {
  return estimateTextTokens(systemPrompt) + estimateTextTokens(seed) + estimateTextTokens(JSON.stringify(tools));
}

class TurnLoop implements AgentBackend {
  private conv = new Conversation();

  constructor(
    readonly kind: string,
    private readonly provider: ModelProvider,
    private readonly o: Settings,
  ) {}

  /**
   * Rebuilds the conversation from the log. If the last iteration was cut mid-turn, the next
   * `runIteration` with that same iteration number continues it (its message is not added
   * again; logged tool results are reused; only tool calls with no logged result are run).
   */
  restore(entries: SessionEntry[]): void {
    this.conv = restoreConversation(entries);
  }

  async runIteration(ctx: IterationContext): Promise<IterationResult> {
    const conv = this.conv;
    const t: Tally = { usage: { ...ZERO_USAGE }, costUsd: 0, messages: 0, toolCalls: 0, finalText: '' };
    const end = (stop: IterationResult['stop'], error?: string): IterationResult => ({
      stop, finalText: t.finalText, usage: t.usage, costUsd: t.costUsd, messages: t.messages, toolCalls: t.toolCalls,
      ...(error !== undefined ? { error: this.scrub(error) } : {}),
    });

    const continuing = conv.openIteration === ctx.iteration;
    conv.openIteration = null;
    if (!continuing) {
      if (ctx.fresh) conv.reset(ctx.seed);
      conv.pendingTexts.push(ctx.message);
    }
    conv.seed ??= ctx.seed;

    for (let requests = 0; ; requests++) {
      for (const call of conv.owedToolCalls()) {
        if (ctx.signal?.aborted) return end('aborted');
        await this.runTool(ctx, call, t);
      }
      if (ctx.signal?.aborted) return end('aborted');
      if (!conv.hasOpenTurn()) return end('done');
      const before = conv.messages.length;
      conv.closeUserTurn();
      if (conv.messages.length > before) t.messages++;
      if (requests >= this.o.maxRequestsPerIteration) {
        return end('timeout', `iteration ${ctx.iteration} stopped after ${requests} requests (maxRequestsPerIteration)`);
      }

      const compacted = await this.maybeCompact(ctx, t);
      if (compacted) return end(compacted.stop, compacted.error);

      const seed = conv.seed ?? '';
      const inputTokens = estimateConversationTokens(conv.messages, prefixTokens(this.o.systemPrompt, seed, ctx.tools.definitions), conv.anchor);
      const refused = ctx.budget.check(ctx.model, { inputTokens, maxOutputTokens: this.o.maxTokens });
      if (refused) return end('budget', refused);

      ctx.session.append({ type: 'request', iteration: ctx.iteration, model: ctx.model, messages: conv.messages.length });
      const request = { model: ctx.model, maxTokens: this.o.maxTokens, system: this.o.systemPrompt, seed, tools: ctx.tools.definitions, messages: conv.messages };
      const outcome = await this.call(ctx, () => this.provider.complete(request, ctx.signal));
      if (!outcome.ok) {
        ctx.budget.release?.(ctx.model);
        return end(outcome.failure.kind === 'aborted' ? 'aborted' : 'error', outcome.failure.message);
      }
      this.takeResponse(ctx, outcome.value, t);

      for (const [id, reason] of outcome.value.badInputs) {
        const call = conv.toolCalls().find((u) => u.id === id);
        if (call) this.answerTool(ctx, call, { content: `The ${call.name} call was not run: its input is not valid JSON (${reason}). Call it again with a JSON object.`, isError: true }, t);
      }
      if (conv.toolCalls().length === 0) {
        if (!outcome.value.truncated) return end('done');
        conv.pendingTexts.push('Your last response was cut off at the output token limit. Continue, in smaller steps.');
      }
    }
  }

  private takeResponse(ctx: IterationContext, msg: ModelResponse, t: Tally): void {
    const costUsd = ctx.budget.record(ctx.model, msg.usage);
    tally(t, msg.usage, costUsd);
    ctx.session.append({
      type: 'response', iteration: ctx.iteration, model: ctx.model, content: msg.content, stopReason: msg.stopReason, usage: msg.usage, costUsd,
    });
    this.conv.addResponse(msg.content, msg.usage);
    t.messages++;
    const text = textOf(msg.content);
    if (text) t.finalText = text;
  }

  private async runTool(ctx: IterationContext, call: ToolCall, t: Tally): Promise<void> {
    let result: ToolResult;
    ctx.session.append({ type: 'tool-call', iteration: ctx.iteration, toolUseId: call.id, name: call.name, input: call.input });
    try {
      result = await ctx.tools.execute(call.name, call.input, ctx.signal);
    } catch (err) {
      // The ToolSet reports failures as results; a throw is a bug there, but the night run goes on.
      result = { content: `The ${call.name} tool failed unexpectedly: ${(err as Error).message ?? String(err)}`, isError: true };
    }
    this.logResult(ctx, call, result, t);
  }

  /** A tool call answered without running it (its input was unusable). */
  private answerTool(ctx: IterationContext, call: ToolCall, result: ToolResult, t: Tally): void {
    ctx.session.append({ type: 'tool-call', iteration: ctx.iteration, toolUseId: call.id, name: call.name, input: call.input });
    this.logResult(ctx, call, result, t);
  }

  private logResult(ctx: IterationContext, call: ToolCall, result: ToolResult, t: Tally): void {
    ctx.session.append({ type: 'tool-result', iteration: ctx.iteration, toolUseId: call.id, result });
    this.conv.results.set(call.id, result);
    t.toolCalls++;
  }

  /** Summarises older turns when the conversation nears the threshold; returns a stop, or null to go on. */
  private async maybeCompact(ctx: IterationContext, t: Tally): Promise<{ stop: IterationResult['stop']; error: string } | null> {
    const conv = this.conv;
    const prefix = prefixTokens(this.o.systemPrompt, conv.seed ?? '', ctx.tools.definitions);
    const tokens = estimateConversationTokens(conv.messages, prefix, conv.anchor);
    const threshold = this.o.contextWindow * this.o.compactAt;
    if (!needsCompaction(tokens, this.o.contextWindow, this.o.compactAt)) return null;
    const cut = chooseCut(conv.messages, Math.min(this.o.keepRecentTokens, threshold / 2));
    if (cut === null) return null;

    const summary = await summarise(conv.messages.slice(0, cut), {
      model: ctx.model, maxTokens: Math.min(this.o.maxTokens, 8_000), contextWindow: this.o.contextWindow, budget: ctx.budget,
      call: (request) => this.call(ctx, () => this.provider.complete(request, ctx.signal)),
    });
    if (!summary.ok) return { stop: summary.stop, error: summary.error };
    tally(t, summary.usage, summary.costUsd);
    ctx.session.append({
      type: 'compaction', iteration: ctx.iteration, summary: summary.text, keptFrom: cut, model: ctx.model, usage: summary.usage, costUsd: summary.costUsd,
    });
    conv.compact(summary.text, cut);
    return null;
  }

  /** One provider call with patience; each wait is logged as `api-retry`. */
  private call<T>(ctx: IterationContext, attempt: () => Promise<T>): Promise<Outcome<T>> {
    return withPatience(attempt, {
      patienceMs: this.o.patienceMs,
      initialDelayMs: this.o.initialRetryDelayMs,
      maxDelayMs: this.o.maxRetryDelayMs,
      clock: this.o.clock,
      classify: (err) => this.provider.classify(err),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onWait: (w) => ctx.session.append({ type: 'api-retry', iteration: ctx.iteration, attempt: w.attempt, status: w.status, waitMs: w.waitMs, message: this.scrub(w.message) }),
    }).then((o) => (o.ok ? o : { ok: false as const, failure: { ...o.failure, message: this.scrub(o.failure.message) } }));
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.provider.secrets, this.provider.secretPatterns);
  }
}

function tally(t: Tally, u: Usage, costUsd: number): void {
  t.usage = addUsage(t.usage, u);
  t.costUsd += costUsd;
}
