// A deprecated model: one warning per run from Porter, none per request from the SDK.
import type Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAnthropicBackend } from '../../harness/agent/anthropic/backend.js';
import { warnDeprecatedModelOnce } from '../../harness/agent/anthropic/deprecation.js';
import { FixedPriceBudget, iterationContext, MemorySession, TempDirTools } from '../support/fake-anthropic-kit.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';

// In the SDK's own list of deprecated models (internal/data/deprecated-models).
const DEPRECATED = 'claude-sonnet-4-5';

let fake: FakeAnthropic | undefined;
let tools: TempDirTools | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await fake?.close();
  tools?.cleanup();
  fake = tools = undefined;
});

describe('a deprecated model', () => {
  it('is reported once per run through Porter, however many requests; the SDK prints nothing', async () => {
    const sdkWarnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const turn = (text: string) => ({ content: [{ type: 'text' as const, text }] });
    const toolTurn = { content: [{ type: 'tool_use' as const, name: 'run_tests', input: {} }] };
    fake = await startFakeAnthropic({ script: [toolTurn, toolTurn, turn('first done'), turn('second done')] });
    tools = new TempDirTools();
    const warnings: string[] = [];
    const backend = createAnthropicBackend({ apiKey: 'sk-ant-test-key-000', baseURL: fake.url, maxRetries: 0, maxTokens: 1000, warn: (l) => warnings.push(l) });
    const session = new MemorySession();
    const budget = new FixedPriceBudget();
    const first = await backend.runIteration(iterationContext({ tools, session, budget, model: DEPRECATED }));
    const second = await backend.runIteration(iterationContext({ tools, session, budget, model: DEPRECATED, iteration: 2, fresh: false, message: 'again' }));

    expect([first.stop, second.stop]).toEqual(['done', 'done']);
    expect(fake.requests).toHaveLength(4);
    expect(warnings).toEqual([expect.stringMatching(/^model claude-sonnet-4-5 is deprecated and reaches end-of-life on .+; choose a newer one \(agent\.model, or --model\)$/)]);
    expect(sdkWarnings).not.toHaveBeenCalled();
    // Outside the SDK's call, console.warn is the caller's own again.
    console.warn('after');
    expect(sdkWarnings).toHaveBeenCalledWith('after');
  });
});

describe('warnDeprecatedModelOnce', () => {
  it('lets every other warning through, and reports each deprecated model once', () => {
    const passed: unknown[][] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void passed.push(args));
    const client = {
      messages: {
        create(body: { model: string }) {
          console.warn(`The model '${body.model}' is deprecated and will reach end-of-life on June 30th, 2026\nPlease migrate to a newer model.`);
          console.warn('something else', 42);
          return body.model;
        },
      },
    };
    const warnings: string[] = [];
    warnDeprecatedModelOnce(client as unknown as Anthropic, (l) => warnings.push(l));
    const create = client.messages.create as (b: { model: string }) => string;
    expect([create({ model: 'a' }), create({ model: 'a' }), create({ model: 'b' })]).toEqual(['a', 'a', 'b']);
    expect(warnings).toEqual([
      'model a is deprecated and reaches end-of-life on June 30th, 2026; choose a newer one (agent.model, or --model)',
      'model b is deprecated and reaches end-of-life on June 30th, 2026; choose a newer one (agent.model, or --model)',
    ]);
    expect(passed).toEqual([['something else', 42], ['something else', 42], ['something else', 42]]);
  });

  it('restores console.warn even when the call throws', () => {
    const before = console.warn;
    const client = { messages: { create: () => { throw new Error('boom'); } } };
    warnDeprecatedModelOnce(client as unknown as Anthropic, () => {});
    expect(() => (client.messages.create as () => void)()).toThrow('boom');
    expect(console.warn).toBe(before);
  });
});
