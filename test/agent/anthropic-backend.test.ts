// The built-in agent against the fake Messages API, through the real SDK's streaming.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicBackend, type AnthropicBackendOptions } from '../../harness/agent/anthropic/backend.js';
import { createBudget } from '../../harness/agent/budget.js';
import { SUMMARY_PREFIX } from '../../harness/agent/turn/compaction.js';
import { LIST_PRICES } from '../../harness/agent/anthropic/prices.js';
import type { BudgetGate } from '../../harness/agent/types.js';
import { FixedPriceBudget, iterationContext, MemorySession, TempDirTools } from '../support/fake-anthropic-kit.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptItem } from '../support/fake-anthropic.js';

let fake: FakeAnthropic | undefined;
let tools: TempDirTools | undefined;
afterEach(async () => {
  await fake?.close();
  tools?.cleanup();
  fake = undefined;
  tools = undefined;
});

async function setup<B extends BudgetGate = FixedPriceBudget>(script: ScriptItem[], opts: AnthropicBackendOptions = {}, budget?: B, model = 'claude-test') {
  fake = await startFakeAnthropic({ script });
  tools = new TempDirTools();
  const session = new MemorySession();
  const gate = budget ?? (new FixedPriceBudget() as unknown as B);
  const backend = createAnthropicBackend({ apiKey: 'sk-ant-test-key-000', baseURL: fake.url, maxRetries: 0, maxTokens: 1000, ...opts });
  return { fake, tools, session, budget: gate, backend, ctx: iterationContext({ tools, session, budget: gate, model }) };
}

/** The real budget at list prices (claude-sonnet-5-5: $2 in, $10 out, $0.20 cache read, $2.50 cache write). */
const realBudget = (budgetUsd?: number) => createBudget({ prices: { ...LIST_PRICES }, startedAt: new Date(), ...(budgetUsd !== undefined ? { budgetUsd } : {}) });

const blocks = (message: any): any[] => (typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content);

describe('anthropic backend: one iteration', () => {
  it('runs tool calls until end_turn, logging each step and recording usage and cost', async () => {
    const { fake, tools, session, budget, backend, ctx } = await setup([
      {
        content: [{ type: 'text', text: 'Writing the lexer.' }, { type: 'tool_use', name: 'write', input: { path: 'lexer.go', content: 'package lexer\n' } }],
        usage: { input_tokens: 1000, output_tokens: 50, cache_creation_input_tokens: 900 },
      },
      { content: [{ type: 'tool_use', name: 'run_tests', input: {} }], usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 1000 } },
      { content: [{ type: 'text', text: 'Lexer written; 1 file present.' }], usage: { input_tokens: 50, output_tokens: 30, cache_read_input_tokens: 1100 } },
    ], {}, realBudget(), 'claude-sonnet-5-5');
    const result = await backend.runIteration(ctx);

    expect(result).toMatchObject({ stop: 'done', finalText: 'Lexer written; 1 file present.', toolCalls: 2, messages: 6 });
    expect(fs.readFileSync(path.join(tools.dir, 'lexer.go'), 'utf8')).toBe('package lexer\n');
    expect(tools.executions.map((e) => e.name)).toEqual(['write', 'run_tests']);
    expect(session.entries.map((e) => e.type)).toEqual([
      'request', 'response', 'tool-call', 'tool-result', 'request', 'response', 'tool-call', 'tool-result', 'request', 'response',
    ]);
    expect(result.usage).toEqual({ input: 1150, output: 100, cacheRead: 2100, cacheWrite: 900 });
    const expected = (1000 * 2 + 50 * 10 + 900 * 2.5 + (100 * 2 + 20 * 10 + 1000 * 0.2) + (50 * 2 + 30 * 10 + 1100 * 0.2)) / 1e6;
    expect(result.costUsd).toBeCloseTo(expected, 12);
    expect(budget.totals().costUsd).toBeCloseTo(expected, 12);
    expect(budget.totals().requests).toBe(3);
    const responses = session.ofType('response');
    expect(responses[0]!.usage).toEqual({ input: 1000, output: 50, cacheRead: 0, cacheWrite: 900 });
    expect(responses.reduce((s, r) => s + r.costUsd, 0)).toBeCloseTo(result.costUsd, 12);
    expect(session.ofType('tool-result')[0]!.result).toEqual({ content: 'wrote lexer.go (14 chars)', isError: false });

    // The second request carries the tool result, answering the tool_use id of the first response.
    const firstUseId = (responses[0]!.content[1] as { id: string }).id;
    const second = fake.requests[1]!.body;
    expect(blocks(second.messages.at(-1))[0]).toMatchObject({ type: 'tool_result', tool_use_id: firstUseId, content: 'wrote lexer.go (14 chars)' });
    expect(second.model).toBe('claude-sonnet-5-5');
  });

  it('puts cache breakpoints on the tools, the system prompt + seed, and the latest turn only', async () => {
    const { fake, backend, ctx } = await setup([
      { content: [{ type: 'tool_use', name: 'run_tests', input: {} }] },
      { content: [{ type: 'text', text: 'ok' }] },
    ]);
    await backend.runIteration(ctx);
    for (const { body } of fake.requests) {
      expect(body.tools.at(-1).cache_control).toEqual({ type: 'ephemeral' });
      expect(body.tools.slice(0, -1).every((t: any) => !t.cache_control)).toBe(true);
      expect(body.system.at(-1)).toMatchObject({ text: ctx.seed, cache_control: { type: 'ephemeral' } });
      const marked = body.messages.flatMap((m: any, i: number) => blocks(m).filter((b) => b.cache_control).map(() => i));
      expect(marked).toEqual([body.messages.length - 1]);
    }
    expect(fake.requests[0]!.body.messages[0].content[0].text).toBe(ctx.message);
  });

  it('continues the conversation on the next iteration and starts afresh when told', async () => {
    const { fake, backend, ctx } = await setup([
      { content: [{ type: 'text', text: 'first' }] },
      { content: [{ type: 'text', text: 'second' }] },
      { content: [{ type: 'text', text: 'third' }] },
    ]);
    await backend.runIteration(ctx);
    await backend.runIteration({ ...ctx, iteration: 2, fresh: false, message: 'Two cases regressed: lexer/a.' });
    await backend.runIteration({ ...ctx, iteration: 3, fresh: true, message: 'Now the parser.', seed: 'Phase parser.' , model: 'claude-other' });
    const [, second, third] = fake.requests.map((r) => r.body);
    expect(second.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(blocks(second.messages[2])[0].text).toBe('Two cases regressed: lexer/a.');
    expect(third.messages).toHaveLength(1);
    expect(third.system.at(-1).text).toBe('Phase parser.');
    expect(third.model).toBe('claude-other');
  });

  it('answers a tool call whose input is not valid JSON with an error result, without running it', async () => {
    const { fake, tools, session, backend, ctx } = await setup([
      { content: [{ type: 'tool_use', name: 'write', rawInput: '{"path": "a.go", content: oops}' }] },
      { content: [{ type: 'text', text: 'I will retry properly.' }] },
    ]);
    const result = await backend.runIteration(ctx);
    expect(result.stop).toBe('done');
    expect(tools.executions).toHaveLength(0);
    const answer = blocks(fake.requests[1]!.body.messages.at(-1))[0];
    expect(answer).toMatchObject({ type: 'tool_result', is_error: true });
    expect(answer.content).toMatch(/not valid JSON/);
    expect(session.ofType('tool-result')[0]!.result.isError).toBe(true);
  });

  it('does not send a request the budget refuses, and says why', async () => {
    const { fake, backend, budget, ctx } = await setup([{ content: [{ type: 'text', text: 'never' }] }], {}, new FixedPriceBudget(0.0001));
    const result = await backend.runIteration(ctx);
    expect(result.stop).toBe('budget');
    expect(result.error).toMatch(/budget/);
    expect(fake.requests).toHaveLength(0);
    expect(budget.checks[0]!.maxOutputTokens).toBe(1000);
    expect(budget.checks[0]!.inputTokens).toBeGreaterThan(0);
  });

  it('stops mid-iteration when the next request would cross the budget', async () => {
    // At list prices the first request's worst case (a few hundred tokens in at $2.50, 1k out at $10)
    // fits in $0.04; after it reports 9,000 input tokens ($0.018 spent), the next one's does not.
    const { fake, tools, backend, ctx } = await setup(
      [{ content: [{ type: 'tool_use', name: 'write', input: { path: 'a', content: 'x' } }], usage: { input_tokens: 9000, output_tokens: 10 } }],
      {},
      realBudget(0.04),
      'claude-sonnet-5-5',
    );
    const result = await backend.runIteration(ctx);
    expect(result).toMatchObject({ stop: 'budget', toolCalls: 1 });
    expect(result.error).toMatch(/^budget: the next request could cost/);
    expect(tools.executions).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it('compacts older turns when the conversation nears the context window', async () => {
    fake = await startFakeAnthropic();
    let round = 0;
    fake.setResponder((body) => {
      if (typeof body.system === 'string' && body.system.includes('summarise')) {
        return { content: [{ type: 'text', text: 'Wrote parts 1-3 of lexer.go; tests not yet run.' }], usage: { input_tokens: 500, output_tokens: 40 } };
      }
      round++;
      if (round <= 6) return { content: [{ type: 'tool_use', name: 'write', input: { path: `part${round}.go`, content: 'x'.repeat(2000) } }] };
      return { content: [{ type: 'text', text: 'All parts written.' }] };
    });
    tools = new TempDirTools();
    const session = new MemorySession();
    const backend = createAnthropicBackend({
      apiKey: 'sk-ant-test-key-000', baseURL: fake.url, maxRetries: 0, maxTokens: 500, contextWindow: 4000, compactAt: 0.6, keepRecentTokens: 700,
    });
    const result = await backend.runIteration(iterationContext({ tools, session, budget: new FixedPriceBudget() }));

    expect(result.stop).toBe('done');
    expect(tools.executions).toHaveLength(6);
    const compactions = session.ofType('compaction');
    expect(compactions.length).toBeGreaterThan(0);
    expect(compactions[0]).toMatchObject({ summary: 'Wrote parts 1-3 of lexer.go; tests not yet run.', usage: { input: 500, output: 40 } });
    expect(compactions[0]!.costUsd).toBeGreaterThan(0);
    // The request after the first compaction starts with the summary, then an assistant turn.
    const summaryCall = fake.requests.findIndex((r) => typeof r.body.system === 'string');
    const after = fake.requests[summaryCall + 1]!.body;
    expect(blocks(after.messages[0])[0].text).toBe(SUMMARY_PREFIX + 'Wrote parts 1-3 of lexer.go; tests not yet run.');
    expect(after.messages[1].role).toBe('assistant');
    // Every request was well formed (the fake rejects orphaned tool results with 400).
    expect(fake.requests.every((r) => r.answer === 'turn')).toBe(true);
    expect(after.messages.length).toBeLessThan(fake.requests[summaryCall - 1]!.body.messages.length);
  });
});
