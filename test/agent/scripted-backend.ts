/**
 * A real AgentBackend for the loop tests, scripted in TypeScript instead of driven by a
 * model: each work iteration runs the next step, which calls the workspace tools through
 * the same ToolSet a model would, with every call logged like the built-in backend does.
 * Phase-summary requests are answered with a fixed text unless a step takes them.
 */
import type { AgentBackend, IterationContext, IterationResult, SessionEntry, ToolResult } from '../../harness/agent/types.js';
import type { Usage } from '../../harness/reports/usage.js';

export interface StepApi {
  ctx: IterationContext;
  /** Calls a tool as the model would: logged call, executed, logged result. */
  tool(name: string, input: unknown): Promise<ToolResult>;
  /** A model response with this usage: checked against the budget first, then recorded and logged. */
  respond(usage: Usage, maxOutputTokens?: number): boolean;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a step may end without saying anything (an async function with no return)
export type Step = (api: StepApi) => Promise<Partial<IterationResult> | void>;

export interface Seen {
  iteration: number;
  phase: string;
  fresh: boolean;
  message: string;
  seed: string;
  model: string;
  summary: boolean;
}

export interface ScriptedBackend extends AgentBackend {
  seen: Seen[];
  restored: SessionEntry[] | null;
}

export const isSummaryRequest = (message: string): boolean => /Write the phase summary/.test(message);

export function scriptedBackend(steps: Step[], opts: { kind?: 'anthropic' | 'command'; summary?: (phase: string) => string } = {}): ScriptedBackend {
  let next = 0;
  const backend: ScriptedBackend = {
    kind: opts.kind ?? 'anthropic',
    seen: [],
    restored: null,
    restore(entries) {
      backend.restored = entries;
    },
    async runIteration(ctx): Promise<IterationResult> {
      const summary = isSummaryRequest(ctx.message);
      backend.seen.push({ iteration: ctx.iteration, phase: ctx.phase, fresh: ctx.fresh, message: ctx.message, seed: ctx.seed, model: ctx.model, summary });
      const tally = { toolCalls: 0, costUsd: 0, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
      let n = 0;
      const api: StepApi = {
        ctx,
        async tool(name, input) {
          const id = `tu-${ctx.iteration}-${++n}`;
          ctx.session.append({ type: 'tool-call', iteration: ctx.iteration, toolUseId: id, name, input });
          const result = await ctx.tools.execute(name, input, ctx.signal);
          ctx.session.append({ type: 'tool-result', iteration: ctx.iteration, toolUseId: id, result });
          tally.toolCalls++;
          return result;
        },
        respond(usage, maxOutputTokens = 1000) {
          if (ctx.budget.check(ctx.model, { inputTokens: usage.input + usage.cacheRead + usage.cacheWrite, maxOutputTokens }) !== null) return false;
          const costUsd = ctx.budget.record(ctx.model, usage);
          tally.costUsd += costUsd;
          ctx.session.append({ type: 'response', iteration: ctx.iteration, model: ctx.model, content: [{ type: 'text', text: 'ok' }], stopReason: 'end_turn', usage, costUsd });
          return true;
        },
      };
      const base: IterationResult = { stop: 'done', finalText: '', usage: tally.usage, costUsd: 0, messages: 1, toolCalls: 0 };
      if (summary) return { ...base, finalText: (opts.summary ?? ((p) => `Summary of ${p}: built ${p}.mjs in target/.`))(ctx.phase) };
      const step = steps[next++];
      const extra = step ? await step(api) : undefined;
      return { ...base, ...extra, toolCalls: tally.toolCalls, costUsd: tally.costUsd };
    },
  };
  return backend;
}

/** A step that writes files through the `write` tool. */
export function writes(files: Record<string, string>): Step {
  return async ({ tool }) => {
    for (const [p, content] of Object.entries(files)) {
      const r = await tool('write', { path: p, content });
      if (r.isError) throw new Error(`scripted write of ${p} failed: ${r.content}`);
    }
  };
}

export const idle: Step = async () => undefined;
