// The fake Messages API must be faithful enough that the real SDK streams from it.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function client(url: string): Anthropic {
  return new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 });
}

const params = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('fake Anthropic server', () => {
  it('streams text and tool_use turns that the SDK MessageStream assembles', async () => {
    fake = await startFakeAnthropic({
      script: [
        {
          content: [
            { type: 'text', text: 'I will write the file now, it is a fairly long sentence to span chunks.' },
            { type: 'tool_use', name: 'write', input: { path: 'a.txt', content: 'x'.repeat(150) } },
          ],
          usage: { input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 7, cache_creation_input_tokens: 9 },
        },
      ],
    });
    const message = await client(fake.url).messages.stream(params).finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'I will write the file now, it is a fairly long sentence to span chunks.' });
    expect(message.content[1]).toMatchObject({ type: 'tool_use', name: 'write', input: { path: 'a.txt', content: 'x'.repeat(150) } });
    expect(message.usage).toMatchObject({ input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 7, cache_creation_input_tokens: 9 });
    expect(fake.requests[0]?.body).toMatchObject({ model: 'claude-test', stream: true });
    const { headers } = fake.requests[0]!;
    expect(String(headers['x-api-key'] ?? headers.authorization)).toContain('sk-ant-test');
  });

  it('answers faults with the API error shape and retry-after', async () => {
    fake = await startFakeAnthropic({ script: [{ kind: 'status', status: 529, retryAfter: 3 }] });
    const err = await client(fake.url).messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const apiErr = err as InstanceType<typeof Anthropic.APIError>;
    expect(apiErr.status).toBe(529);
    expect(apiErr.type).toBe('overloaded_error');
    expect(apiErr.headers?.get('retry-after')).toBe('3');
  });

  it('drops the connection mid-stream', async () => {
    fake = await startFakeAnthropic({ script: [{ kind: 'drop', afterEvents: 3 }] });
    await expect(client(fake.url).messages.stream(params).finalMessage()).rejects.toThrow();
    expect(fake.requests[0]?.answer).toBe('drop');
  });

  it('sends an SSE error event mid-stream', async () => {
    fake = await startFakeAnthropic({ script: [{ kind: 'sse-error', errorType: 'overloaded_error' }] });
    const err = await client(fake.url).messages.stream(params).finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });

  it('answers 400 when the script is exhausted, and asks the responder otherwise', async () => {
    fake = await startFakeAnthropic();
    await expect(client(fake.url).messages.create(params)).rejects.toMatchObject({ status: 400 });
    fake.setResponder((body: any) => ({ content: [{ type: 'text', text: `you said ${body.messages[0].content}` }] }));
    const message = await client(fake.url).messages.stream(params).finalMessage();
    expect(message.content[0]).toMatchObject({ text: 'you said hi' });
  });

  // Why the backend accumulates raw stream events itself instead of using MessageStream:
  // an unparseable tool input makes the SDK's MessageStream reject the whole message.
  it('SDK MessageStream rejects a turn whose tool input is not valid JSON', async () => {
    fake = await startFakeAnthropic({ script: [{ content: [{ type: 'tool_use', name: 'write', rawInput: '{"path": oops}' }] }] });
    await expect(client(fake.url).messages.stream(params).finalMessage()).rejects.toThrow();
  });
});
