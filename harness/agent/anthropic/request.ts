/**
 * The Messages API request for the next turn, with prompt caching: breakpoints on the last
 * tool definition, on the system prompt + phase seed (the stable prefix of a phase), and on
 * the latest turn so each request reads the previous one's prefix from the cache. Three of
 * the four breakpoints the API allows.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { estimateTextTokens } from '../compaction.js';
import type { ToolDefinition } from '../types.js';

type MessageParam = Anthropic.MessageParam;

const EPHEMERAL = { type: 'ephemeral' } as const;

export const DEFAULT_SYSTEM_PROMPT = [
  'You are a careful software engineer porting a library to another language inside a workspace.',
  "The source project's own snapshot test suite is the oracle: a case passes when your port's output matches its snapshot exactly.",
  'Use the tools; every path is relative to the workspace. Read before you edit; keep changes small and run `run_tests` often.',
  'Snapshots, test inputs, the skip-list and overrides are read-only: fix the port, never the tests.',
  'Match error messages and formatting exactly as the snapshots show; do not give up on cases that expect an error.',
  'When you stop, end your turn with a short summary: what you changed, where, what passes now, and what is left.',
].join('\n');

export interface RequestInput {
  model: string;
  maxTokens: number;
  systemPrompt: string;
  seed: string;
  tools: ToolDefinition[];
  messages: MessageParam[];
}

export function buildRequest(input: RequestInput): Anthropic.MessageCreateParamsNonStreaming {
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: input.systemPrompt }];
  if (input.seed.trim() !== '') system.push({ type: 'text', text: input.seed });
  system[system.length - 1] = { ...system[system.length - 1]!, cache_control: EPHEMERAL };

  const tools: Anthropic.Tool[] = input.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.input_schema }));
  if (tools.length > 0) tools[tools.length - 1] = { ...tools[tools.length - 1]!, cache_control: EPHEMERAL };

  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: input.model,
    max_tokens: input.maxTokens,
    system,
    messages: withLatestTurnCached(input.messages),
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

/** Estimated tokens of everything before the messages: system prompt, seed, tool definitions. */
export function prefixTokens(systemPrompt: string, seed: string, tools: ToolDefinition[]): number {
  return estimateTextTokens(systemPrompt) + estimateTextTokens(seed) + estimateTextTokens(JSON.stringify(tools));
}
