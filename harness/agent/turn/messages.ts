/**
 * The conversation as the turn loop sees it, whatever the provider: user and assistant
 * messages made of text, tool calls, tool results, and opaque blocks that only the
 * provider that produced them understands (reasoning traces a provider wants back
 * verbatim). Session logs store assistant turns in this form.
 */

export type Block =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; id: string; name: string; input: unknown }
  | { type: 'tool-result'; toolCallId: string; content: string; isError: boolean }
  /** A provider's own block, sent back to that provider as it came; never shown to others. */
  | { type: 'opaque'; data: unknown };

export interface Message {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export function toolCallsOf(message: Message | undefined): ToolCall[] {
  if (message?.role !== 'assistant') return [];
  return message.content.filter((b): b is Extract<Block, { type: 'tool-call' }> => b.type === 'tool-call').map(({ id, name, input }) => ({ id, name, input }));
}

/** The text blocks of an assistant turn, joined. */
export function textOf(content: readonly Block[]): string {
  return content.filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text').map((b) => b.text).join('\n').trim();
}

/**
 * An assistant turn as a session log holds it. Logs written before the neutral form hold
 * the Messages API's blocks (`tool_use`, `thinking`, ...): those are read into the
 * neutral form here, so old sessions still resume.
 */
export function blocksFromLog(content: readonly unknown[]): Block[] {
  const out: Block[] = [];
  for (const raw of content) {
    const b = (raw ?? {}) as Record<string, unknown>;
    switch (b.type) {
      case 'text':
        if (typeof b.text === 'string' && b.text !== '') out.push({ type: 'text', text: b.text });
        break;
      case 'tool-call':
        out.push({ type: 'tool-call', id: String(b.id), name: String(b.name), input: b.input ?? {} });
        break;
      case 'tool_use':
        out.push({ type: 'tool-call', id: String(b.id), name: String(b.name), input: b.input ?? {} });
        break;
      case 'opaque':
        out.push({ type: 'opaque', data: b.data });
        break;
      default:
        out.push({ type: 'opaque', data: raw });
    }
  }
  return out;
}
