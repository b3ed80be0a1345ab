/**
 * Claude through `@anthropic-ai/sdk` as a model provider for the turn loop: builds the
 * Messages API request (with prompt caching), streams the response into the neutral form,
 * and reads the SDK's errors for the turn loop's patience.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { Block } from '../turn/messages.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../turn/provider.js';
import { warnDeprecatedModelOnce } from './deprecation.js';
import { classifyError } from './errors.js';
import { buildRequest } from './request.js';
import { ANTHROPIC_SECRETS, anthropicSecretValues } from './secrets.js';
import { streamMessage, type AssistantBlock } from './stream.js';

export interface AnthropicProviderOptions {
  /** Default: what the SDK finds (ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN). */
  apiKey?: string;
  /** Default: ANTHROPIC_BASE_URL, else the public API. */
  baseURL?: string;
  /** The SDK's own quick retries per attempt. Default 2. */
  maxRetries?: number;
  /** The SDK's per-request timeout. Default 10 minutes. */
  timeoutMs?: number;
  /** Where a deprecated model is reported, once per model (default: stderr). */
  warn?: (line: string) => void;
}

export function createAnthropicProvider(opts: AnthropicProviderOptions = {}): ModelProvider {
  const clientOpts: ConstructorParameters<typeof Anthropic>[0] = { maxRetries: opts.maxRetries ?? 2, timeout: opts.timeoutMs ?? 10 * 60_000 };
  if (opts.apiKey !== undefined) clientOpts.apiKey = opts.apiKey;
  if (opts.baseURL !== undefined) clientOpts.baseURL = opts.baseURL;
  const client = new Anthropic(clientOpts);
  warnDeprecatedModelOnce(client, opts.warn);
  return {
    secrets: anthropicSecretValues(opts.apiKey),
    secretPatterns: ANTHROPIC_SECRETS.patterns,
    classify: classifyError,
    async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
      const msg = await streamMessage(client, buildRequest(request), signal);
      return {
        content: msg.content.map(toBlock),
        stopReason: msg.stopReason,
        truncated: msg.stopReason === 'max_tokens',
        usage: msg.usage,
        badInputs: msg.badInputs,
      };
    },
  };
}

function toBlock(b: AssistantBlock): Block {
  if (b.type === 'text') return { type: 'text', text: typeof b.text === 'string' ? b.text : '' };
  if (b.type === 'tool_use') return { type: 'tool-call', id: String(b.id), name: String(b.name), input: b.input ?? {} };
  return { type: 'opaque', data: b };
}
