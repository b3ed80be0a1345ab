import { describe, expect, it } from 'vitest';
import {
  applyCompaction,
  buildSummaryRequest,
  chooseCut,
  clip,
  estimateConversationTokens,
  estimateMessagesTokens,
  needsCompaction,
  SUMMARY_PREFIX,
} from '../../harness/agent/turn/compaction.js';
import type { Message as MessageParam } from '../../harness/agent/turn/messages.js';

const user = (text: string): MessageParam => ({ role: 'user', content: [{ type: 'text', text }] });
const toolUse = (id: string, content: string): MessageParam => ({
  role: 'assistant',
  content: [{ type: 'tool-call', id, name: 'write', input: { path: 'a.go', content } }],
});
const toolResult = (id: string, content: string): MessageParam => ({
  role: 'user',
  content: [{ type: 'tool-result', toolCallId: id, content, isError: false }],
});

/** task, then n rounds of (tool call, tool result), each about 1,000 tokens. */
function conversation(n: number): MessageParam[] {
  const out: MessageParam[] = [user('Make the lexer cases pass.')];
  for (let i = 0; i < n; i++) out.push(toolUse(`t${i}`, 'x'.repeat(2000)), toolResult(`t${i}`, 'y'.repeat(2000)));
  return out;
}

describe('token estimates', () => {
  it('counts characters / 4 for text, tool inputs and tool results', () => {
    const small = estimateMessagesTokens([user('abcd')]);
    const big = estimateMessagesTokens([toolResult('t', 'z'.repeat(4000))]);
    expect(big - small).toBeGreaterThanOrEqual(999);
  });

  it('prefers the API count up to the anchor and estimates the rest', () => {
    const msgs = conversation(2);
    const anchored = estimateConversationTokens(msgs, 500, { messageCount: 4, tokens: 10_000 });
    expect(anchored).toBe(10_000 + estimateMessagesTokens(msgs.slice(4)));
    expect(estimateConversationTokens(msgs, 500)).toBe(500 + estimateMessagesTokens(msgs));
    // An anchor from before a compaction (longer than the conversation now) is ignored.
    expect(estimateConversationTokens(msgs.slice(0, 2), 500, { messageCount: 4, tokens: 10_000 })).toBe(
      500 + estimateMessagesTokens(msgs.slice(0, 2)),
    );
  });

  it('compacts at the configured share of the window', () => {
    expect(needsCompaction(79_999, 100_000, 0.8)).toBe(false);
    expect(needsCompaction(80_000, 100_000, 0.8)).toBe(true);
  });
});

describe('chooseCut', () => {
  it('keeps at least keepTokens of recent turns and cuts before an assistant message', () => {
    const msgs = conversation(10);
    const cut = chooseCut(msgs, 3_000)!;
    expect(msgs[cut]!.role).toBe('assistant');
    expect(estimateMessagesTokens(msgs.slice(cut))).toBeGreaterThanOrEqual(3_000);
    // the latest such cut: one more round forward would keep too little
    expect(estimateMessagesTokens(msgs.slice(cut + 2))).toBeLessThan(3_000);
  });

  it('never separates a tool call from its result', () => {
    const msgs = conversation(6);
    for (const keep of [0, 500, 1_500, 4_000, 100_000]) {
      const cut = chooseCut(msgs, keep)!;
      const kept = msgs.slice(cut);
      const usedIds = kept.flatMap((m) => m.content.flatMap((b) => (b.type === 'tool-call' ? [b.id] : [])));
      const resultIds = kept.flatMap((m) => m.content.flatMap((b) => (b.type === 'tool-result' ? [b.toolCallId] : [])));
      expect(resultIds.every((id) => usedIds.includes(id))).toBe(true);
      expect(usedIds.every((id) => resultIds.includes(id))).toBe(true);
    }
  });

  it('returns null when there is no assistant turn to cut before', () => {
    expect(chooseCut([user('only a task')], 0)).toBeNull();
  });

  it('keeps everything but the first turn when the conversation is smaller than keepTokens', () => {
    expect(chooseCut(conversation(2), 1_000_000)).toBe(1);
  });
});

describe('summary request and result', () => {
  it('puts the older turns in a transcript with tool calls and results', () => {
    const text = buildSummaryRequest([user('Make lexer pass'), toolUse('t1', 'package lexer'), toolResult('t1', 'wrote a.go')]);
    expect(text).toContain('Make lexer pass');
    expect(text).toContain('[tool call write]');
    expect(text).toContain('package lexer');
    expect(text).toContain('wrote a.go');
    expect(text).toMatch(/what remains/);
  });

  it('bounds a long transcript', () => {
    const text = buildSummaryRequest(conversation(50), 20_000);
    expect(text.length).toBeLessThan(22_000);
    expect(text).toContain('left out');
  });

  it('replaces the older turns with one user message holding the summary', () => {
    const msgs = conversation(3);
    const after = applyCompaction(msgs, 'lexer done in lexer.go', 3);
    expect(after).toHaveLength(1 + msgs.length - 3);
    expect(after[0]).toEqual({ role: 'user', content: [{ type: 'text', text: SUMMARY_PREFIX + 'lexer done in lexer.go' }] });
    expect(after[1]).toBe(msgs[3]);
  });

  it('clips with head and tail', () => {
    const out = clip('a'.repeat(50) + 'b'.repeat(50), 20);
    expect(out.startsWith('a'.repeat(12))).toBe(true);
    expect(out.endsWith('b'.repeat(8))).toBe(true);
    expect(out).toContain('80 characters left out');
  });
});
