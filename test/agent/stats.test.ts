import { describe, expect, it } from 'vitest';
import { computeStats } from '../../harness/agent/stats.js';
import type { SessionEntry, SessionEvent } from '../../harness/agent/types.js';

const u = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({ input, output, cacheRead, cacheWrite });

/** Builds a log with explicit times (seconds from the start). */
function log(...items: Array<[number, SessionEvent]>): SessionEntry[] {
  return items.map(([s, e], i) => ({ v: 1, seq: i + 1, ts: new Date(Date.UTC(2026, 10, 20) + s * 1000).toISOString(), ...e }) as SessionEntry);
}

const toolUse = { type: 'tool_use', id: 't', name: 'bash', input: {} };

describe('stats from the session log', () => {
  const entries = log(
    [0, { type: 'run-start', run: 'r1', config: 'c', argv: [] }],
    [1, { type: 'test-run', iteration: 0, phase: 'lexer', pass: 0, total: 4, passingIds: [], summary: {} }],
    [2, { type: 'iteration-start', iteration: 1, phase: 'lexer', message: 'task', fresh: true }],
    [3, { type: 'request', iteration: 1, model: 'claude-sonnet-5-5', messages: 1 }],
    [10, { type: 'response', iteration: 1, model: 'claude-sonnet-5-5', content: [toolUse, toolUse], stopReason: 'tool_use', usage: u(100, 50, 0, 1000), costUsd: 0.5 }],
    [11, { type: 'tool-call', iteration: 1, toolUseId: 'a', name: 'write', input: {} }],
    [12, { type: 'tool-result', iteration: 1, toolUseId: 'a', result: { content: 'ok', isError: false } }],
    [13, { type: 'tool-call', iteration: 1, toolUseId: 'b', name: 'bash', input: {} }],
    [14, { type: 'tool-result', iteration: 1, toolUseId: 'b', result: { content: 'ok', isError: false } }],
    [20, { type: 'response', iteration: 1, model: 'claude-sonnet-5-5', content: [{ type: 'text', text: 'done' }], stopReason: 'end_turn', usage: u(10, 5, 1000, 0), costUsd: 0.25 }],
    [25, { type: 'test-run', iteration: 1, phase: 'lexer', pass: 4, total: 4, passingIds: [], summary: {} }],
    [26, { type: 'commit', iteration: 1, rev: 'abc', message: 'm' }],
    [27, { type: 'iteration-start', iteration: 2, phase: 'lexer', message: 'summarise', fresh: false, kind: 'summary' }],
    [30, { type: 'phase-summary', phase: 'lexer', summary: 'built lexer.go' }],
    // The process was killed here; an hour later `--resume`.
    [3630, { type: 'run-start', run: 'r1', config: 'c', argv: ['--resume'], resumedFrom: 13 }],
    [3631, { type: 'iteration-start', iteration: 3, phase: 'parser', message: 'task', fresh: true }],
    [3632, { type: 'note', iteration: 2, text: 'keep escaping', from: 'notes.md' }],
    [3640, { type: 'response', iteration: 2, model: 'claude-opus-5-5', content: [], stopReason: 'end_turn', usage: u(1, 1), costUsd: 1 }],
    [3640, { type: 'compaction', iteration: 2, summary: 's', keptFrom: 3, model: 'claude-opus-5-5', usage: u(1000, 100), costUsd: 0.01 }],
    [3641, { type: 'api-retry', iteration: 2, attempt: 1, status: 529, waitMs: 1000, message: 'overloaded' }],
    [3650, { type: 'test-run', iteration: 2, phase: 'parser', pass: 1, total: 3, passingIds: [], summary: {} }],
    [3651, { type: 'reset', iteration: 2, rev: 'abc', reason: 'regressions' }],
    [3660, { type: 'stop', reason: 'stall', detail: 'no progress in 5 iterations' }],
  );

  it('totals every figure and leaves the downtime between segments out of the wall time', () => {
    const s = computeStats(entries);
    expect(s).toMatchObject({
      run: 'r1',
      segments: 2,
      wallMs: 60_000,
      // Two tasks and a summary request, one response with tool calls (+ its tool-result turn), two plain responses.
      messages: 3 + 2 + 1 + 1,
      humanPrompts: 3,
      toolCalls: 2,
      requests: 4,
      usage: u(1111, 156, 1000, 1000),
      costUsd: 1.76,
      models: ['claude-sonnet-5-5', 'claude-opus-5-5'],
      iterations: 2,
      summaries: 1,
      commits: 1,
      resets: 1,
      apiRetries: 1,
      testRuns: 3,
      stop: { reason: 'stall', detail: 'no progress in 5 iterations' },
      lastTest: { phase: 'parser', pass: 1, total: 3 },
    });
  });

  it('splits figures per phase', () => {
    const [lexer, parser] = computeStats(entries).phases;
    expect(lexer).toMatchObject({ phase: 'lexer', iterations: 1, toolCalls: 2, costUsd: 0.75, pass: 4, total: 4, summary: true, models: ['claude-sonnet-5-5'], wallMs: 28_000 });
    expect(parser).toMatchObject({ phase: 'parser', iterations: 1, humanPrompts: 1, pass: 1, total: 3, summary: false, models: ['claude-opus-5-5'], wallMs: 29_000 });
    expect(parser!.costUsd).toBeCloseTo(1.01, 10);
  });

  it('a running segment has no stop and counts time up to now when asked', () => {
    const running = entries.slice(0, 15);
    const s = computeStats(running, { now: new Date(Date.UTC(2026, 10, 20) + 3640_000) });
    expect(s.stop).toBeNull();
    expect(s.wallMs).toBe(30_000 + 10_000);
    expect(computeStats([]).run).toBeNull();
  });
});
