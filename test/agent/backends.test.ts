// The backend registry, the neutral message form and its Anthropic encoding.
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../harness/agent/anthropic/request.js';
import { BACKEND_NAMES, backendSpec, BACKENDS } from '../../harness/agent/backends.js';
import { makeScrubber } from '../../harness/agent/session-log.js';
import { blocksFromLog } from '../../harness/agent/turn/messages.js';

describe('backend registry', () => {
  it('names the built-in backends, each with what the rest of Porter asks of it', () => {
    expect(BACKEND_NAMES).toEqual(['anthropic', 'command']);
    expect(backendSpec('anthropic').credentialProblem({})).toMatch(/ANTHROPIC_API_KEY/);
    expect(backendSpec('anthropic').credentialProblem({ ANTHROPIC_API_KEY: 'k' })).toBeNull();
    expect(backendSpec('command').credentialProblem({})).toBeNull();
    expect(backendSpec('anthropic').prices?.[backendSpec('anthropic').defaultModel!]).toBeDefined();
    expect(BACKENDS.command!.needsCommand).toBe(true);
  });

  it('creates a backend whose kind is its registry name', async () => {
    const b = await backendSpec('anthropic').create({ maxOutputTokens: 100 } as never, { ANTHROPIC_API_KEY: 'sk-ant-unused-000', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
    expect(b.kind).toBe('anthropic');
  });

  it('the session log scrubs every backend\'s credential variables and key shapes', () => {
    const scrub = makeScrubber({ ANTHROPIC_AUTH_TOKEN: 'auth-token-value-42' });
    expect(scrub('{"m":"auth-token-value-42 and sk-ant-api03-zzzz"}')).toBe('{"m":"[redacted] and [redacted]"}');
  });
});

describe('neutral messages', () => {
  it('reads assistant turns logged in the Messages API form of earlier versions and in the neutral form alike', () => {
    const legacy = blocksFromLog([
      { type: 'text', text: 'hi', citations: null },
      { type: 'text', text: '' },
      { type: 'tool_use', id: 't1', name: 'read', input: { path: 'a' } },
      { type: 'thinking', thinking: 'hmm', signature: 'sig' },
    ]);
    expect(legacy).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'tool-call', id: 't1', name: 'read', input: { path: 'a' } },
      { type: 'opaque', data: { type: 'thinking', thinking: 'hmm', signature: 'sig' } },
    ]);
    expect(blocksFromLog(legacy)).toEqual(legacy);
  });

  it('encodes a neutral conversation as a Messages API request with cache breakpoints', () => {
    const params = buildRequest({
      model: 'm', maxTokens: 10, system: 'sys', seed: 'seed', tools: [{ name: 'read', description: 'd', input_schema: { type: 'object', properties: {} } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'task' }] },
        { role: 'assistant', content: [{ type: 'opaque', data: { type: 'thinking', thinking: 't', signature: 's', extra: 1 } }, { type: 'tool-call', id: 'c', name: 'read', input: {} }] },
        { role: 'user', content: [{ type: 'tool-result', toolCallId: 'c', content: 'nope', isError: true }] },
      ],
    });
    expect(params.system).toEqual([{ type: 'text', text: 'sys' }, { type: 'text', text: 'seed', cache_control: { type: 'ephemeral' } }]);
    expect(params.tools?.[0]).toMatchObject({ name: 'read', cache_control: { type: 'ephemeral' } });
    expect(params.messages[1]!.content).toEqual([{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'tool_use', id: 'c', name: 'read', input: {} }]);
    expect(params.messages[2]!.content).toEqual([{ type: 'tool_result', tool_use_id: 'c', content: 'nope', is_error: true, cache_control: { type: 'ephemeral' } }]);
    const plain = buildRequest({ model: 'm', maxTokens: 10, system: 'sys', seed: '', tools: [], cache: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] });
    expect(plain.system).toBe('sys');
    expect(plain.messages[0]!.content).toEqual([{ type: 'text', text: 'x' }]);
  });
});
