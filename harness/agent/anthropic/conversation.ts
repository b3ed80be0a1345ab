/**
 * The conversation the built-in agent carries from request to request, and its rebuilding
 * from a session log on `--resume`. Both paths go through the same few operations
 * (user text, tool result, response, compaction, close of the user turn), so a restored
 * conversation is the one that was being sent when the run stopped.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { applyCompaction, type UsageAnchor } from '../compaction.js';
import type { SessionEntry, ToolResult } from '../types.js';
import type { Usage } from '../../reports/usage.js';
import type { AssistantBlock } from './stream.js';

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;

export interface ToolUse {
  id: string;
  name: string;
  input: unknown;
}

export const NOT_RUN = 'This tool call was not run: the session stopped before it. Check the workspace state and call the tool again if needed.';

export class Conversation {
  messages: MessageParam[] = [];
  /** The phase seed this conversation started with; null when restored (the next iteration supplies it). */
  seed: string | null = null;
  /** Results so far for the tool_use blocks of the last assistant message. */
  readonly results = new Map<string, ToolResult>();
  /** User texts for the next user turn. */
  pendingTexts: string[] = [];
  anchor: UsageAnchor | undefined;
  /** The iteration a restore found unfinished; runIteration continues it instead of starting over. */
  openIteration: number | null = null;

  reset(seed: string | null): void {
    this.messages = [];
    this.seed = seed;
    this.results.clear();
    this.pendingTexts = [];
    this.anchor = undefined;
  }

  /** tool_use blocks of the last message, when it is an assistant message. */
  toolUses(): ToolUse[] {
    const last = this.messages.at(-1);
    if (last?.role !== 'assistant' || typeof last.content === 'string') return [];
    return last.content.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use').map(({ id, name, input }) => ({ id, name, input }));
  }

  /** Tool calls of the last response with no result yet. */
  owedToolUses(): ToolUse[] {
    return this.toolUses().filter((t) => !this.results.has(t.id));
  }

  /** Whether the next request has something new to answer (tool results or user text). */
  hasOpenTurn(): boolean {
    return this.toolUses().length > 0 || this.pendingTexts.length > 0 || this.messages.at(-1)?.role === 'user';
  }

  /**
   * Writes the pending tool results (in tool_use order) and user texts as the next user turn,
   * merged into the last message when that is already a user turn.
   */
  closeUserTurn(): void {
    const blocks: ContentBlockParam[] = this.toolUses().map((t) => {
      const r = this.results.get(t.id) ?? { content: NOT_RUN, isError: true };
      return { type: 'tool_result', tool_use_id: t.id, content: r.content || '(no output)', ...(r.isError ? { is_error: true } : {}) };
    });
    for (const text of this.pendingTexts) blocks.push({ type: 'text', text });
    this.results.clear();
    this.pendingTexts = [];
    if (blocks.length === 0) return;
    const last = this.messages.at(-1);
    if (last?.role === 'user') {
      const before = typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content;
      this.messages[this.messages.length - 1] = { role: 'user', content: [...before, ...blocks] };
    } else {
      this.messages.push({ role: 'user', content: blocks });
    }
  }

  addResponse(content: AssistantBlock[], usage: Usage): void {
    const params = content.map(toParam).filter((b): b is ContentBlockParam => b !== null);
    this.messages.push({ role: 'assistant', content: params.length ? params : [{ type: 'text', text: '(empty response)' }] });
    this.results.clear();
    this.anchor = { messageCount: this.messages.length, tokens: usage.input + usage.cacheRead + usage.cacheWrite + usage.output };
  }

  compact(summary: string, keptFrom: number): void {
    this.messages = applyCompaction(this.messages, summary, keptFrom);
    this.anchor = undefined;
  }
}

/** Assistant block as returned → block as sent back (drops response-only fields and empty text). */
function toParam(block: AssistantBlock): ContentBlockParam | null {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' && block.text !== '' ? { type: 'text', text: block.text } : null;
    case 'tool_use':
      return { type: 'tool_use', id: String(block.id), name: String(block.name), input: block.input ?? {} };
    case 'thinking':
      return { type: 'thinking', thinking: String(block.thinking ?? ''), signature: String(block.signature ?? '') };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: String(block.data ?? '') };
    default:
      return block as unknown as ContentBlockParam;
  }
}

/**
 * Rebuilds the conversation from session entries. The iteration-start entries give the
 * user texts, responses the assistant turns, tool-result entries the results (reused, not
 * re-run), compaction entries the summaries. A conversation left mid-turn is marked open.
 */
export function restoreConversation(entries: readonly SessionEntry[]): Conversation {
  const conv = new Conversation();
  let current: number | null = null;
  for (const entry of entries) {
    switch (entry.type) {
      case 'iteration-start':
        // A resumed run may log the start of the iteration it continues a second time.
        if (entry.iteration === current) break;
        current = entry.iteration;
        if (entry.fresh) conv.reset(null);
        conv.pendingTexts.push(entry.message);
        break;
      case 'request':
        conv.closeUserTurn();
        break;
      case 'response':
        conv.addResponse(entry.content as AssistantBlock[], entry.usage);
        break;
      case 'tool-result':
        if (conv.toolUses().some((t) => t.id === entry.toolUseId)) conv.results.set(entry.toolUseId, entry.result);
        break;
      case 'compaction':
        conv.closeUserTurn();
        conv.compact(entry.summary, entry.keptFrom);
        break;
      default:
        break;
    }
  }
  conv.openIteration = current !== null && conv.hasOpenTurn() ? current : null;
  return conv;
}
