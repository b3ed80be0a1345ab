/**
 * The Messages API request for the next turn, from the neutral conversation, with prompt
 * caching: breakpoints on the last tool definition, on the system prompt + phase seed (the
 * stable prefix of a phase), and on the latest turn so each request reads the previous
 * one's prefix from the cache. Three of the four breakpoints the API allows.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Block, Message } from '../turn/messages.js';
import type { ModelRequest } from '../turn/provider.js';

type MessageParam = Anthropic.MessageParam;

const EPHEMERAL = { type: 'ephemeral' } as const;

export function buildRequest(input: ModelRequest): Anthropic.MessageCreateParamsNonStreaming {
  const cache = input.cache !== false;
  const messages = input.messages.map(toParam);
  if (!cache) {
    const params: Anthropic.MessageCreateParamsNonStreaming = { model: input.model, max_tokens: input.maxTokens, system: input.system, messages };
    if (input.tools.length > 0) params.tools = input.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.input_schema }));
    return params;
  }
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: input.system }];
  if (input.seed.trim() !== '') system.push({ type: 'text', text: input.seed });
  system[system.length - 1] = { ...system[system.length - 1]!, cache_control: EPHEMERAL };

  const tools: Anthropic.Tool[] = input.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.input_schema }));
  if (tools.length > 0) tools[tools.length - 1] = { ...tools[tools.length - 1]!, cache_control: EPHEMERAL };

  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: input.model,
    max_tokens: input.maxTokens,
    system,
    messages: withLatestTurnCached(messages),
  };
  if (tools.length > 0) params.tools = tools;
  return params;
}

/** A copy whose last block of the last message carries a cache breakpoint; the stored conversation is untouched. */
function withLatestTurnCached(messages: MessageParam[]): MessageParam[] {
  const last = messages.at(-1);
  if (!last) return messages;
  const blocks: Anthropic.ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const tail = blocks[blocks.length - 1];
  if (!tail || tail.type === 'thinking' || tail.type === 'redacted_thinking') return messages;
  blocks[blocks.length - 1] = { ...tail, cache_control: EPHEMERAL } as Anthropic.ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content: blocks } as MessageParam];
}

function toParam(message: Message): MessageParam {
  return { role: message.role, content: message.content.map(blockParam) } as MessageParam;
}

function blockParam(block: Block): Anthropic.ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool-call':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
    case 'tool-result':
      return { type: 'tool_result', tool_use_id: block.toolCallId, content: block.content, ...(block.isError ? { is_error: true } : {}) };
    case 'opaque':
      return sendBack(block.data as Record<string, unknown>);
  }
}

/** A block of the API's own (a reasoning trace) as it must be sent back: response-only fields dropped. */
function sendBack(block: Record<string, unknown>): Anthropic.ContentBlockParam {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: String(block.thinking ?? ''), signature: String(block.signature ?? '') };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: String(block.data ?? '') };
    default:
      return block as unknown as Anthropic.ContentBlockParam;
  }
}
