/**
 * The built-in agent: Claude through `@anthropic-ai/sdk`, streaming, with the workspace
 * tools. One `runIteration` is one task message worked to the end of the agent's turn:
 * request → response → tool calls → results → next request, until the model stops calling
 * tools. Every step is appended to the session log before the next starts, so `restore`
 * can rebuild the conversation and a resumed run re-runs no completed tool call.
 */
import Anthropic from '@anthropic-ai/sdk';
import { chooseCut, estimateConversationTokens, needsCompaction } from '../compaction.js';
import { type AgentBackend, type IterationContext, type IterationResult, type SessionEntry, type ToolResult } from '../types.js';
import { ZERO_USAGE, type Usage } from '../../reports/usage.js';
import { summarise } from './compact-step.js';
import { warnDeprecatedModelOnce } from './deprecation.js';
import { Conversation, restoreConversation, type ToolUse } from './conversation.js';
import { buildRequest, DEFAULT_SYSTEM_PROMPT, prefixTokens } from './request.js';
import { systemClock, withPatience, type Clock, type Outcome } from './retry.js';
import { knownSecrets, scrubSecrets } from './secrets.js';
import { streamMessage, type StreamedMessage } from './stream.js';

export interface AnthropicBackendOptions {
  /** Default: what the SDK finds (ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN). */
  apiKey?: string;
  /** Default: ANTHROPIC_BASE_URL, else the public API. */
  baseURL?: string;
  /** max_tokens of each request (and the output half of the budget's worst case). Default 16,000. */
  maxTokens?: number;
  /** The model's context window in tokens. Default 200,000. */
  contextWindow?: number;
  /** Share of the context window at which older turns are summarised. Default 0.8. */
  compactAt?: number;
  /** Recent turns kept verbatim at compaction, in tokens. Default 20,000 (at most half the threshold). */
  keepRecentTokens?: number;
  /** Total time one request may keep failing (429, 5xx, 529, dropped connections). Default 1 hour. */
  patienceMs?: number;
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** The SDK's own quick retries per attempt. Default 2. */
  maxRetries?: number;
  /** The SDK's per-request timeout. Default 10 minutes. */
  timeoutMs?: number;
  /** Requests after which an iteration is cut short (a runaway guard). Default 400. */
  maxRequestsPerIteration?: number;
  systemPrompt?: string;
  clock?: Clock;
  /** Where a deprecated model is reported, once per model (default: stderr). */
  warn?: (line: string) => void;
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

export function createAnthropicBackend(opts: AnthropicBackendOptions = {}): AgentBackend {
  return new AnthropicBackend(opts);
}

/** What one iteration has spent so far. */
interface Tally {
  usage: Usage;
  costUsd: number;
  messages: number;
  toolCalls: number;
  finalText: string;
}

class AnthropicBackend implements AgentBackend {
  readonly kind = 'anthropic' as const;
  private conv = new Conversation();
  private readonly client: Anthropic;
  private readonly o: typeof DEFAULTS & { systemPrompt: string; clock: Clock };
  private readonly secrets: string[];

  constructor(opts: AnthropicBackendOptions) {
    const clientOpts: ConstructorParameters<typeof Anthropic>[0] = { maxRetries: opts.maxRetries ?? 2, timeout: opts.timeoutMs ?? 10 * 60_000 };
    if (opts.apiKey !== undefined) clientOpts.apiKey = opts.apiKey;
    if (opts.baseURL !== undefined) clientOpts.baseURL = opts.baseURL;
    this.client = new Anthropic(clientOpts);
    warnDeprecatedModelOnce(this.client, opts.warn);
    this.secrets = knownSecrets(opts.apiKey);
    this.o = {
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
  }

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
      for (const use of conv.owedToolUses()) {
        if (ctx.signal?.aborted) return end('aborted');
        await this.runTool(ctx, use, t);
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
      const params = buildRequest({
        model: ctx.model, maxTokens: this.o.maxTokens, systemPrompt: this.o.systemPrompt, seed, tools: ctx.tools.definitions, messages: conv.messages,
      });
      const outcome = await this.call(ctx, () => streamMessage(this.client, params, ctx.signal));
      if (!outcome.ok) return end(outcome.failure.kind === 'aborted' ? 'aborted' : 'error', outcome.failure.message);
      this.takeResponse(ctx, outcome.value, t);

      for (const [id, reason] of outcome.value.badInputs) {
        const use = conv.toolUses().find((u) => u.id === id);
        if (use) this.logTool(ctx, use, { content: `The ${use.name} call was not run: its input is not valid JSON (${reason}). Call it again with a JSON object.`, isError: true }, t);
      }
      if (conv.toolUses().length === 0) {
        if (outcome.value.stopReason !== 'max_tokens') return end('done');
        conv.pendingTexts.push('Your last response was cut off at the output token limit. Continue, in smaller steps.');
      }
    }
  }

  private takeResponse(ctx: IterationContext, msg: StreamedMessage, t: Tally): void {
    const costUsd = ctx.budget.record(ctx.model, msg.usage);
    addUsage(t, msg.usage, costUsd);
    ctx.session.append({
      type: 'response', iteration: ctx.iteration, model: ctx.model, content: msg.content, stopReason: msg.stopReason, usage: msg.usage, costUsd,
    });
    this.conv.addResponse(msg.content, msg.usage);
    t.messages++;
    const text = msg.content.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n').trim();
    if (text) t.finalText = text;
  }

  private async runTool(ctx: IterationContext, use: ToolUse, t: Tally): Promise<void> {
    ctx.session.append({ type: 'tool-call', iteration: ctx.iteration, toolUseId: use.id, name: use.name, input: use.input });
    let result: ToolResult;
    try {
      result = await ctx.tools.execute(use.name, use.input, ctx.signal);
    } catch (err) {
      // The ToolSet reports failures as results; a throw is a bug there, but the night run goes on.
      result = { content: `The ${use.name} tool failed unexpectedly: ${(err as Error).message ?? String(err)}`, isError: true };
    }
    ctx.session.append({ type: 'tool-result', iteration: ctx.iteration, toolUseId: use.id, result });
    this.conv.results.set(use.id, result);
    t.toolCalls++;
  }

  /** A tool call answered without running it (its input was unusable). */
  private logTool(ctx: IterationContext, use: ToolUse, result: ToolResult, t: Tally): void {
    ctx.session.append({ type: 'tool-call', iteration: ctx.iteration, toolUseId: use.id, name: use.name, input: use.input });
    ctx.session.append({ type: 'tool-result', iteration: ctx.iteration, toolUseId: use.id, result });
    this.conv.results.set(use.id, result);
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
      client: this.client, model: ctx.model, maxTokens: Math.min(this.o.maxTokens, 8_000), contextWindow: this.o.contextWindow,
      budget: ctx.budget, call: (attempt) => this.call(ctx, attempt), ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (!summary.ok) return { stop: summary.stop, error: summary.error };
    addUsage(t, summary.usage, summary.costUsd);
    ctx.session.append({
      type: 'compaction', iteration: ctx.iteration, summary: summary.text, keptFrom: cut, model: ctx.model, usage: summary.usage, costUsd: summary.costUsd,
    });
    conv.compact(summary.text, cut);
    return null;
  }

  /** One API call with patience; each wait is logged as `api-retry`. */
  private call<T>(ctx: IterationContext, attempt: () => Promise<T>): Promise<Outcome<T>> {
    return withPatience(attempt, {
      patienceMs: this.o.patienceMs,
      initialDelayMs: this.o.initialRetryDelayMs,
      maxDelayMs: this.o.maxRetryDelayMs,
      clock: this.o.clock,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onWait: (w) => ctx.session.append({ type: 'api-retry', iteration: ctx.iteration, attempt: w.attempt, status: w.status, waitMs: w.waitMs, message: this.scrub(w.message) }),
    }).then((o) => (o.ok ? o : { ok: false as const, failure: { ...o.failure, message: this.scrub(o.failure.message) } }));
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.secrets);
  }
}

function addUsage(t: Tally, u: Usage, costUsd: number): void {
  t.usage = { input: t.usage.input + u.input, output: t.usage.output + u.output, cacheRead: t.usage.cacheRead + u.cacheRead, cacheWrite: t.usage.cacheWrite + u.cacheWrite };
  t.costUsd += costUsd;
}
