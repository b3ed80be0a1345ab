// API trouble: waited out with patience (429, 529, 500, dropped streams), or reported at once (401).
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicBackend, type AnthropicBackendOptions } from '../../harness/agent/anthropic/backend.js';
import { classifyError, retryAfterMs } from '../../harness/agent/anthropic/errors.js';
import { ANTHROPIC_SECRETS, anthropicCredentialProblem } from '../../harness/agent/anthropic/secrets.js';
import { scrubSecrets } from '../../harness/agent/secrets.js';
import { backoffMs } from '../../harness/agent/turn/patience.js';
import { StreamCutError } from '../../harness/agent/anthropic/stream.js';
import { FixedPriceBudget, iterationContext, MemorySession, recordingClock, TempDirTools } from '../support/fake-anthropic-kit.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptItem } from '../support/fake-anthropic.js';

const KEY = 'sk-ant-api03-secret-key-do-not-log';
let fake: FakeAnthropic | undefined;
let tools: TempDirTools | undefined;
afterEach(async () => {
  await fake?.close();
  tools?.cleanup();
  fake = tools = undefined;
});

const done: ScriptItem = { content: [{ type: 'text', text: 'done' }] };

async function run(script: ScriptItem[], opts: AnthropicBackendOptions = {}) {
  fake = await startFakeAnthropic({ script });
  tools = new TempDirTools();
  const session = new MemorySession();
  const clock = recordingClock();
  const backend = createAnthropicBackend({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, initialRetryDelayMs: 1000, clock, ...opts });
  const result = await backend.runIteration(iterationContext({ tools, session, budget: new FixedPriceBudget() }));
  return { result, session, clock, fake };
}

describe('patient retries', () => {
  it('waits out a 429 for as long as retry-after says', async () => {
    const { result, session, fake } = await run([{ kind: 'status', status: 429, retryAfter: 7 }, done]);
    expect(result.stop).toBe('done');
    expect(session.ofType('api-retry')).toMatchObject([{ attempt: 1, status: 429, waitMs: 7000 }]);
    expect(session.ofType('api-retry')[0]!.message).toMatch(/rate_limit_error/);
    expect(fake.requests).toHaveLength(2);
  });

  it('waits out a run of 529 overloaded answers', async () => {
    const overloaded: ScriptItem = { kind: 'status', status: 529, retryAfter: 30 };
    const { result, session } = await run([overloaded, overloaded, overloaded, done]);
    expect(result.stop).toBe('done');
    expect(session.ofType('api-retry').map((r) => [r.status, r.waitMs])).toEqual([[529, 30000], [529, 30000], [529, 30000]]);
  });

  it('backs off exponentially on 500s without retry-after', async () => {
    const err: ScriptItem = { kind: 'status', status: 500 };
    const { result, clock } = await run([err, err, err, done]);
    expect(result.stop).toBe('done');
    // random() is 0.5 in the recording clock: 12.5 % jitter off 1 s, 2 s, 4 s.
    expect(clock.sleeps).toEqual([875, 1750, 3500]);
  });

  it('retries a stream dropped mid-way and one cut by an SSE overloaded error', async () => {
    const { result, session, fake } = await run([{ kind: 'drop', afterEvents: 3 }, { kind: 'sse-error', errorType: 'overloaded_error' }, done]);
    expect(result.stop).toBe('done');
    expect(result.finalText).toBe('done');
    expect(session.ofType('api-retry').map((r) => r.status)).toEqual([null, null]);
    expect(session.ofType('api-retry')[1]!.message).toMatch(/overloaded_error/);
    expect(fake.requests.map((r) => r.answer)).toEqual(['drop', 'sse-error', 'turn']);
    // Only the complete response is logged.
    expect(session.ofType('response')).toHaveLength(1);
  });

  it('gives up when the outage outlasts the patience', async () => {
    const overloaded: ScriptItem = { kind: 'status', status: 529, retryAfter: 60 };
    const { result, session } = await run(Array.from({ length: 5 }, () => overloaded), { patienceMs: 150_000 });
    expect(result.stop).toBe('error');
    expect(result.error).toMatch(/gave up after 3 attempts/);
    expect(session.ofType('api-retry')).toHaveLength(2);
  });

  it('lets the SDK do its own quick retries first', async () => {
    // retry-after-ms-free 429 with a tiny retry-after: the SDK retries by itself, Porter logs nothing.
    const { result, session, fake } = await run([{ kind: 'status', status: 429, retryAfter: 0.01 }, done], { maxRetries: 2 });
    expect(result.stop).toBe('done');
    expect(fake.requests).toHaveLength(2);
    expect(session.ofType('api-retry')).toHaveLength(0);
  });

  it('does not retry a 401, names the fix, and never shows the key', async () => {
    const { result, session, fake } = await run([{ kind: 'status', status: 401, message: `invalid x-api-key: ${KEY}` }, done]);
    expect(result.stop).toBe('error');
    expect(result.error).toMatch(/ANTHROPIC_API_KEY/);
    expect(result.error).not.toContain(KEY);
    expect(result.error).toContain('[redacted]');
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(session.entries)).not.toContain(KEY);
  });

  it('does not retry a 400', async () => {
    const { result, fake } = await run([{ kind: 'status', status: 400, message: 'max_tokens too large' }, done]);
    expect(result).toMatchObject({ stop: 'error' });
    expect(result.error).toMatch(/rejected the request.*max_tokens too large/);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a response slower than the request timeout', async () => {
    const { result, session, fake } = await run([{ content: [{ type: 'text', text: 'too late' }], delayMs: 1500 }, done], { timeoutMs: 300 });
    expect(result).toMatchObject({ stop: 'done', finalText: 'done' });
    expect(session.ofType('api-retry')[0]!.message).toMatch(/timed out|timeout/i);
    expect(fake.requests).toHaveLength(2);
  });

  it('stops mid-stream when aborted, logging no partial response', async () => {
    fake = await startFakeAnthropic({ script: [{ content: [{ type: 'text', text: 'x'.repeat(2000) }], chunkDelayMs: 50 }] });
    const controller = new AbortController();
    const backend = createAnthropicBackend({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, clock: recordingClock() });
    tools = new TempDirTools();
    const session = new MemorySession();
    setTimeout(() => controller.abort(), 300);
    const result = await backend.runIteration(iterationContext({ tools, session, budget: new FixedPriceBudget(), signal: controller.signal }));
    expect(result.stop).toBe('aborted');
    expect(session.ofType('response')).toHaveLength(0);
    expect(session.ofType('api-retry')).toHaveLength(0);
  });

  it('stops waiting when aborted', async () => {
    fake = await startFakeAnthropic({ script: [{ kind: 'status', status: 529, retryAfter: 1 }, done] });
    const controller = new AbortController();
    const clock = { ...recordingClock(), sleep: async () => controller.abort() };
    const backend = createAnthropicBackend({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, clock });
    tools = new TempDirTools();
    const result = await backend.runIteration(iterationContext({ tools, session: new MemorySession(), budget: new FixedPriceBudget(), signal: controller.signal }));
    expect(result.stop).toBe('aborted');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('retry classification', () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it('classifies statuses', () => {
    const mk = (status: number, h: Record<string, string> = {}) => Anthropic.APIError.generate(status, { type: 'error', error: { type: 'x', message: 'm' } }, undefined, headers(h));
    expect(classifyError(mk(429, { 'retry-after': '2' }))).toMatchObject({ kind: 'retry', retryAfterMs: 2000 });
    expect(classifyError(mk(529))).toMatchObject({ kind: 'retry', status: 529 });
    expect(classifyError(mk(503))).toMatchObject({ kind: 'retry' });
    expect(classifyError(mk(400))).toMatchObject({ kind: 'fatal' });
    expect(classifyError(mk(403))).toMatchObject({ kind: 'fatal' });
    expect(classifyError(mk(500, { 'x-should-retry': 'false' }))).toMatchObject({ kind: 'fatal' });
    expect(classifyError(new StreamCutError('cut'))).toMatchObject({ kind: 'retry' });
    expect(classifyError(new TypeError('terminated', { cause: { code: 'UND_ERR_SOCKET' } }))).toMatchObject({ kind: 'retry' });
    expect(classifyError(new RangeError('a bug'))).toMatchObject({ kind: 'fatal' });
    expect(classifyError(new Anthropic.APIUserAbortError())).toMatchObject({ kind: 'aborted' });
  });

  it('reads retry-after in seconds, as a date, or retry-after-ms, and caps it', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '1.5' }))).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': '99999' }))).toBe(15 * 60_000);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeNull();
    expect(retryAfterMs(headers({}))).toBeNull();
    const date = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(headers({ 'retry-after': date }))).toBeGreaterThan(50_000);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 1000, 60_000, 0)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, 0)).toBe(8000);
    expect(backoffMs(20, 1000, 60_000, 0)).toBe(60_000);
    expect(backoffMs(20, 1000, 60_000, 1)).toBe(45_000);
  });

  it('scrubs keys and explains a missing one', () => {
    expect(scrubSecrets('key sk-ant-abcdefgh123 and tok-1234567890', ['tok-1234567890'], ANTHROPIC_SECRETS.patterns)).toBe('key [redacted] and [redacted]');
    expect(scrubSecrets('key sk-ant-abcdefgh123', [])).toBe('key sk-ant-abcdefgh123');
    expect(anthropicCredentialProblem({})).toMatch(/ANTHROPIC_API_KEY/);
    expect(anthropicCredentialProblem({ ANTHROPIC_API_KEY: 'k' })).toBeNull();
    expect(anthropicCredentialProblem({ ANTHROPIC_AUTH_TOKEN: 'k' })).toBeNull();
  });
});
