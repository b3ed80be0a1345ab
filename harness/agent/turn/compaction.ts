/**
 * Context compaction, as pure functions: how big a conversation is, when it nears the
 * configured share of the context window, where to cut (recent turns kept, a tool call
 * never separated from its result), the text of the summarisation request, and the
 * conversation after the older turns are replaced by their summary. The turn loop does the
 * model call and the logging.
 */
import type { Block, Message } from './messages.js';

/** The usual rough ratio for English text and code; only used where the API gave no count. */
export const CHARS_PER_TOKEN = 4;

export const SUMMARY_PREFIX = 'Summary of the earlier part of this conversation (older turns were compacted to save context):\n\n';

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateMessageTokens(message: Message): number {
  return estimateTextTokens(messageText(message)) + 4;
}

export function estimateMessagesTokens(messages: readonly Message[]): number {
  return messages.reduce((sum, m) => sum + estimateMessageTokens(m), 0);
}

/**
 * The size the API last reported: every token of the request that produced the message at
 * `messageCount - 1`, plus that response's output. Counts from the API beat the heuristic.
 */
export interface UsageAnchor {
  messageCount: number;
  tokens: number;
}

/**
 * Tokens the next request would carry: the API's own count up to the anchor, plus an
 * estimate for what came after; without a usable anchor, an estimate of everything.
 */
export function estimateConversationTokens(messages: readonly Message[], prefixTokens: number, anchor?: UsageAnchor): number {
  if (anchor && anchor.messageCount > 0 && anchor.messageCount <= messages.length) {
    return anchor.tokens + estimateMessagesTokens(messages.slice(anchor.messageCount));
  }
  return prefixTokens + estimateMessagesTokens(messages);
}

export function needsCompaction(tokens: number, contextWindow: number, compactAt: number): boolean {
  return tokens >= contextWindow * compactAt;
}

/**
 * Index of the first message to keep, or null when there is nothing worth cutting.
 * Cuts only before an assistant message: the removed part then ends with a user turn
 * (whose tool results belong to a removed tool call), and the kept part's tool results
 * all follow their kept tool call. Keeps at least `keepTokens` of recent turns when it can.
 */
export function chooseCut(messages: readonly Message[], keepTokens: number): number | null {
  const candidates: number[] = [];
  for (let i = 1; i < messages.length; i++) if (messages[i]!.role === 'assistant') candidates.push(i);
  if (candidates.length === 0) return null;
  const suffix = new Array<number>(messages.length + 1).fill(0);
  for (let i = messages.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + estimateMessageTokens(messages[i]!);
  for (let c = candidates.length - 1; c >= 0; c--) {
    if (suffix[candidates[c]!]! >= keepTokens) return candidates[c]!;
  }
  return candidates[0]!;
}

/** The whole summarisation prompt for the removed turns; `maxChars` bounds its size. */
export function buildSummaryRequest(older: readonly Message[], maxChars = 200_000): string {
  const transcript = bound(older.map(serializeMessage).join('\n\n'), maxChars);
  return [
    'The conversation below is the older part of a coding agent\'s session porting a library to another language,',
    'with a test suite as the oracle. It is being removed to save context; your summary replaces it.',
    'Write a concise summary that lets the agent carry on without it:',
    '- the current task and phase, and what the latest user message asked for;',
    '- what was built and where (files, functions, key design decisions and why);',
    '- what was tried and failed, and what was learnt about the expected behaviour;',
    '- which tests pass and which still fail, with case ids and the error messages that matter;',
    '- what remains to be done next.',
    'Keep exact file paths, case ids, commands and error texts. Do not invent anything.',
    'If the transcript starts with an earlier summary, fold it in.',
    '',
    '<transcript>',
    transcript,
    '</transcript>',
  ].join('\n');
}

export function summaryMessage(summary: string): Message {
  return { role: 'user', content: [{ type: 'text', text: SUMMARY_PREFIX + summary }] };
}

/** The conversation after compaction: one user message with the summary, then the kept turns. */
export function applyCompaction(messages: readonly Message[], summary: string, keptFrom: number): Message[] {
  return [summaryMessage(summary), ...messages.slice(keptFrom)];
}

function messageText(message: Message): string {
  return message.content.map(blockText).join('\n');
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'tool-call':
      return `${block.name} ${JSON.stringify(block.input ?? {})}`;
    case 'tool-result':
      return block.content;
    case 'opaque':
      return opaqueText(block.data);
  }
}

// A reasoning trace counts towards the context like text; other provider blocks by their JSON.
function opaqueText(data: unknown): string {
  const d = data as { thinking?: unknown } | null;
  return typeof d?.thinking === 'string' ? d.thinking : JSON.stringify(data ?? null);
}

function serializeMessage(message: Message): string {
  return message.content
    .map((block) => {
      if (block.type === 'tool-call') return `[tool call ${block.name}] ${clip(JSON.stringify(block.input ?? {}), 2_000)}`;
      if (block.type === 'tool-result') return `[tool result${block.isError ? ', error' : ''}]\n${clip(block.content, 2_000)}`;
      return `[${message.role}]\n${clip(blockText(block), 6_000)}`;
    })
    .join('\n');
}

/** Head and tail of a long text, with the number of characters left out. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.6);
  const tail = max - head;
  return `${text.slice(0, head)}\n[... ${text.length - head - tail} characters left out ...]\n${text.slice(text.length - tail)}`;
}

// The oldest turns matter least once summarised before; keep a quarter from the start, the rest from the end.
function bound(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max / 4);
  const tail = max - head;
  return `${text.slice(0, head)}\n[... ${text.length - max} characters of older transcript left out ...]\n${text.slice(text.length - tail)}`;
}
