/**
 * The conversation the turn loop carries from request to request, and its rebuilding from
 * a session log on `--resume`. Both paths go through the same few operations (user text,
 * tool result, response, compaction, close of the user turn), so a restored conversation
 * is the one that was being sent when the run stopped.
 */
import { applyCompaction, type UsageAnchor } from './compaction.js';
import { blocksFromLog, toolCallsOf, type Block, type Message, type ToolCall } from './messages.js';
import type { SessionEntry, ToolResult } from '../types.js';
import type { Usage } from '../../reports/usage.js';

export const NOT_RUN = 'This tool call was not run: the session stopped before it. Check the workspace state and call the tool again if needed.';

export class Conversation {
  messages: Message[] = [];
  /** The phase seed this conversation started with; null when restored (the next iteration supplies it). */
  seed: string | null = null;
  /** Results so far for the tool calls of the last assistant message. */
  readonly results = new Map<string, ToolResult>();
  /** User texts for the next user turn. */
  pendingTexts: string[] = [];
  anchor: UsageAnchor | undefined;
  /** The iteration a restore found unfinished; the next iteration with that number continues it. */
  openIteration: number | null = null;

  reset(seed: string | null): void {
    this.messages = [];
    this.seed = seed;
    this.results.clear();
    this.pendingTexts = [];
    this.anchor = undefined;
  }

  /** Tool calls of the last message, when it is an assistant message. */
  toolCalls(): ToolCall[] {
    return toolCallsOf(this.messages.at(-1));
  }

  /** Tool calls of the last response with no result yet. */
  owedToolCalls(): ToolCall[] {
    return this.toolCalls().filter((t) => !this.results.has(t.id));
  }

  /** Whether the next request has something new to answer (tool results or user text). */
  hasOpenTurn(): boolean {
    return this.toolCalls().length > 0 || this.pendingTexts.length > 0 || this.messages.at(-1)?.role === 'user';
  }

  /**
   * Writes the pending tool results (in call order) and user texts as the next user turn,
   * merged into the last message when that is already a user turn.
   */
  closeUserTurn(): void {
    const blocks: Block[] = this.toolCalls().map((t) => {
      const r = this.results.get(t.id) ?? { content: NOT_RUN, isError: true };
      return { type: 'tool-result', toolCallId: t.id, content: r.content || '(no output)', isError: r.isError };
    });
    for (const text of this.pendingTexts) blocks.push({ type: 'text', text });
    this.results.clear();
    this.pendingTexts = [];
    if (blocks.length === 0) return;
    const last = this.messages.at(-1);
    if (last?.role === 'user') this.messages[this.messages.length - 1] = { role: 'user', content: [...last.content, ...blocks] };
    else this.messages.push({ role: 'user', content: blocks });
  }

  addResponse(content: Block[], usage: Usage): void {
    const kept = content.filter((b) => b.type !== 'text' || b.text !== '');
    this.messages.push({ role: 'assistant', content: kept.length ? kept : [{ type: 'text', text: '(empty response)' }] });
    this.results.clear();
    this.anchor = { messageCount: this.messages.length, tokens: usage.input + usage.cacheRead + usage.cacheWrite + usage.output };
  }

  compact(summary: string, keptFrom: number): void {
    this.messages = applyCompaction(this.messages, summary, keptFrom);
    this.anchor = undefined;
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
        conv.addResponse(blocksFromLog(entry.content), entry.usage);
        break;
      case 'tool-result':
        if (conv.toolCalls().some((t) => t.id === entry.toolUseId)) conv.results.set(entry.toolUseId, entry.result);
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
