// The turn loop on its own, with a provider written here: nothing of the Anthropic SDK is
// involved, which is what lets another provider be one folder plus a registry line.
import { afterEach, describe, expect, it } from 'vitest';
import { createModelBackend } from '../../harness/agent/turn/turn-loop.js';
import type { Block } from '../../harness/agent/turn/messages.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../harness/agent/turn/provider.js';
import type { Failure } from '../../harness/agent/turn/patience.js';
import { FixedPriceBudget, iterationContext, MemorySession, recordingClock, TempDirTools } from '../support/fake-anthropic-kit.js';

const usage = { input: 100, output: 20, cacheRead: 0, cacheWrite: 0 };

class Flaky extends Error {}

/** Answers each request with the next scripted turn; a `Flaky` entry fails the request once. */
class ScriptedProvider implements ModelProvider {
  readonly requests: ModelRequest[] = [];
  readonly secrets = ['opaque-provider-token-123'];
  readonly secretPatterns = [/pk-[a-z0-9]{6,}/g];

  constructor(private readonly script: Array<Block[] | Flaky | { truncated: Block[] }>) {}

  async complete(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const next = this.script.shift();
    if (next === undefined) throw new Error('script exhausted');
    if (next instanceof Flaky) throw next;
    const truncated = !Array.isArray(next);
    const content = Array.isArray(next) ? next : next.truncated;
    return { content, stopReason: truncated ? 'length' : 'stop', truncated, usage, badInputs: new Map() };
  }

  classify(err: unknown): Failure {
    if (err instanceof Flaky) return { kind: 'retry', status: 503, retryAfterMs: null, message: `overloaded, token pk-abcdef123 opaque-provider-token-123` };
    return { kind: 'fatal', status: null, message: String(err) };
  }
}

let tools: TempDirTools | undefined;
afterEach(() => {
  tools?.cleanup();
  tools = undefined;
});

function setup(script: ConstructorParameters<typeof ScriptedProvider>[0]) {
  tools = new TempDirTools();
  const provider = new ScriptedProvider(script);
  const session = new MemorySession();
  const budget = new FixedPriceBudget();
  const backend = createModelBackend(provider, { kind: 'scripted', maxTokens: 500, clock: recordingClock() });
  return { provider, session, budget, backend, ctx: iterationContext({ tools, session, budget }) };
}

describe('turn loop with a provider of its own', () => {
  it('runs tool calls, sends neutral results back, logs neutral blocks, and counts usage', async () => {
    const { provider, session, budget, backend, ctx } = setup([
      [{ type: 'text', text: 'writing' }, { type: 'tool-call', id: 'c1', name: 'write', input: { path: 'a.txt', content: 'hi' } }],
      [{ type: 'text', text: 'all done' }],
    ]);
    const r = await backend.runIteration(ctx);
    expect(backend.kind).toBe('scripted');
    expect(r).toMatchObject({ stop: 'done', finalText: 'all done', toolCalls: 1, usage: { input: 200, output: 40 } });
    expect(tools!.executions).toEqual([{ name: 'write', input: { path: 'a.txt', content: 'hi' } }]);
    // The second request carries the tool result in neutral form, after the call.
    expect(provider.requests[1]!.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool-result', toolCallId: 'c1', content: 'wrote a.txt (2 chars)', isError: false }] });
    expect(provider.requests[0]!).toMatchObject({ system: expect.stringContaining('porting a library'), seed: 'Phase lexer: port the lexer.', maxTokens: 500 });
    expect(session.ofType('response')[0]!.content).toEqual([{ type: 'text', text: 'writing' }, { type: 'tool-call', id: 'c1', name: 'write', input: { path: 'a.txt', content: 'hi' } }]);
    expect(session.ofType('tool-call').map((e) => e.toolUseId)).toEqual(['c1']);
    expect(budget.checks).toHaveLength(2);
  });

  it('asks again after a truncated turn, and waits through a retryable error with the secrets scrubbed from the log', async () => {
    const { provider, session, backend, ctx } = setup([new Flaky(), { truncated: [{ type: 'text', text: 'half' }] }, [{ type: 'text', text: 'rest' }]]);
    const r = await backend.runIteration(ctx);
    expect(r.stop).toBe('done');
    expect(provider.requests).toHaveLength(3);
    expect(provider.requests[2]!.messages.at(-1)!.content).toEqual([{ type: 'text', text: expect.stringMatching(/cut off at the output token limit/) }]);
    const retry = session.ofType('api-retry');
    expect(retry).toHaveLength(1);
    expect(retry[0]!.message).toBe('overloaded, token [redacted] [redacted]');
  });

  it('stops with the budget before a request that could cross it', async () => {
    const { provider, backend, ctx } = setup([[{ type: 'text', text: 'never sent' }]]);
    const r = await backend.runIteration({ ...ctx, budget: new FixedPriceBudget(0) });
    expect(r.stop).toBe('budget');
    expect(provider.requests).toHaveLength(0);
  });

  it('gives back what a request reserved when it fails without a response', async () => {
    const { budget, backend, ctx } = setup([[{ type: 'text', text: 'answered' }]]);
    expect((await backend.runIteration(ctx)).stop).toBe('done');
    expect(budget.released).toEqual([]);
    // The script has run out: the next request fails for good.
    const r = await backend.runIteration({ ...ctx, iteration: 2, fresh: true });
    expect(r.stop).toBe('error');
    expect(budget.checks).toHaveLength(2);
    expect(budget.recorded).toHaveLength(1);
    expect(budget.released).toEqual([ctx.model]);
  });

  it('resumes an iteration cut after a response without repeating its logged tool call', async () => {
    const first = setup([[{ type: 'tool-call', id: 'c1', name: 'write', input: { path: 'a.txt', content: 'x' } }, { type: 'tool-call', id: 'c2', name: 'run_tests', input: {} }]]);
    first.session.append({ type: 'iteration-start', iteration: 1, phase: 'lexer', message: first.ctx.message, fresh: true });
    // The script runs out after the first response: the iteration fails like a crash would cut it.
    const cut = await first.backend.runIteration(first.ctx);
    expect(cut.stop).toBe('error');
    const logged = first.session.entries;

    tools!.executions.length = 0;
    const provider = new ScriptedProvider([[{ type: 'text', text: 'finished' }]]);
    const backend = createModelBackend(provider, { kind: 'scripted', clock: recordingClock() });
    backend.restore!(logged);
    const session = new MemorySession(logged);
    const r = await backend.runIteration({ ...first.ctx, session });
    expect(r.stop).toBe('done');
    expect(tools!.executions).toEqual([]);
    expect(provider.requests[0]!.messages.at(-1)!.content.map((b) => (b.type === 'tool-result' ? b.toolCallId : b.type))).toEqual(['c1', 'c2']);
  });
});
