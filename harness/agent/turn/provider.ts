/**
 * What the turn loop needs of a model provider, and nothing more: send one request and
 * return the assistant turn in the neutral form, and say how an error should be treated.
 * Logging, budgets, tool calls, compaction and resuming are the turn loop's, so a new
 * provider is a request builder, a stream reader and an error classifier.
 */
import type { Usage } from '../../reports/usage.js';
import type { ToolDefinition } from '../types.js';
import type { Block, Message } from './messages.js';
import type { Failure } from './patience.js';

export interface ModelRequest {
  model: string;
  maxTokens: number;
  system: string;
  /** The stable prefix of a phase after the system prompt (goal, guidance, summaries); may be empty. */
  seed: string;
  tools: ToolDefinition[];
  messages: Message[];
  /** Mark the stable prefix and the latest turn for prompt caching where the provider has it. Default true. */
  cache?: boolean;
}

export interface ModelResponse {
  content: Block[];
  /** The provider's own word for why the turn ended, kept for the session log. */
  stopReason: string | null;
  /** The turn was cut off at the output token limit. */
  truncated: boolean;
  usage: Usage;
  /** Tool call id → why its input could not be used (the call's input is then `{}`). */
  badInputs: Map<string, string>;
}

export interface ModelProvider {
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse>;
  classify(err: unknown): Failure;
  /** Credential values this provider holds, scrubbed from every logged message. */
  readonly secrets: readonly string[];
  /** Secret shapes (API key formats) scrubbed wherever they appear. */
  readonly secretPatterns: readonly RegExp[];
}
