// `--resume`: the conversation rebuilt from the session log, with no completed tool call run twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicBackend } from '../../harness/agent/anthropic/backend.js';
import { NOT_RUN, restoreConversation } from '../../harness/agent/turn/conversation.js';
import { SUMMARY_PREFIX } from '../../harness/agent/turn/compaction.js';
import { openSession, readSession, type SessionFile } from '../../harness/agent/session-log.js';
import type { IterationContext, SessionEntry, SessionSink } from '../../harness/agent/types.js';
import { FixedPriceBudget, iterationContext, TempDirTools } from '../support/fake-anthropic-kit.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptItem } from '../support/fake-anthropic.js';

let fakes: FakeAnthropic[] = [];
let toolsets: TempDirTools[] = [];
let workspaces: string[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  for (const t of toolsets) t.cleanup();
  for (const w of workspaces) fs.rmSync(w, { recursive: true, force: true });
  fakes = [];
  toolsets = [];
  workspaces = [];
});

const threeWrites: ScriptItem = {
  content: [
    { type: 'text', text: 'Three files.' },
    { type: 'tool_use', name: 'write', input: { path: 'a.go', content: 'a' }, id: 'toolu_a' },
    { type: 'tool_use', name: 'write', input: { path: 'b.go', content: 'b' }, id: 'toolu_b' },
    { type: 'tool_use', name: 'write', input: { path: 'c.go', content: 'c' }, id: 'toolu_c' },
  ],
};
const finish: ScriptItem = { content: [{ type: 'text', text: 'All three written.' }] };
const RUN = 'run-1';

async function backendWith(script: ScriptItem[]) {
  const fake = await startFakeAnthropic({ script });
  const tools = new TempDirTools();
  fakes.push(fake);
  toolsets.push(tools);
  return { fake, tools, backend: createAnthropicBackend({ apiKey: 'sk-ant-test-key-000', baseURL: fake.url, maxRetries: 0 }) };
}

/** What the loop does: log the iteration start, then run it. */
function start(session: SessionSink, ctx: IterationContext) {
  session.append({ type: 'iteration-start', iteration: ctx.iteration, phase: ctx.phase, message: ctx.message, fresh: ctx.fresh });
  return ctx;
}

/** A complete first run, logged to a real session file, which the tests then "crash" at various points. */
async function completeRun(): Promise<{ workspace: string; file: string; lastBody: any }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-resume-'));
  workspaces.push(workspace);
  const { fake, tools, backend } = await backendWith([threeWrites, finish]);
  const session = openSession(workspace, RUN);
  const ctx = start(session, iterationContext({ tools, session, budget: new FixedPriceBudget() }));
  expect((await backend.runIteration(ctx)).stop).toBe('done');
  session.close();
  return { workspace, file: session.file, lastBody: fake.requests.at(-1)!.body };
}

/** Leaves the log as a crash right after the nth matching entry would: that entry, then a torn line. */
function crashAfter(file: string, pred: (e: SessionEntry) => boolean, nth = 1): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  let seen = 0;
  const i = lines.findIndex((line) => pred(JSON.parse(line) as SessionEntry) && ++seen === nth);
  expect(i).toBeGreaterThanOrEqual(0);
  fs.writeFileSync(file, lines.slice(0, i + 1).join('\n') + '\n{"v":1,"seq":' + (i + 2) + ',"ts":"2026-');
}

/** What `--resume` does: read the log (skipping the torn line) and reopen it for appending. */
function reopen(workspace: string, file: string): { entries: SessionEntry[]; session: SessionFile } {
  const { entries } = readSession(file);
  return { entries, session: openSession(workspace, RUN) };
}

const types = (file: string) => readSession(file).entries.map((e) => e.type);

describe('anthropic backend: restore from a crashed session log', () => {
  it('reuses logged tool results and runs only the missing call', async () => {
    const { workspace, file, lastBody } = await completeRun();
    crashAfter(file, (e) => e.type === 'tool-result', 2); // crashed after b.go, before c.go

    const { fake, tools, backend } = await backendWith([finish]);
    const { entries, session } = reopen(workspace, file);
    backend.restore!(entries);
    const result = await backend.runIteration(iterationContext({ tools, session, budget: new FixedPriceBudget() }));
    session.close();

    expect(result.stop).toBe('done');
    expect(tools.executions.map((e) => (e.input as { path: string }).path)).toEqual(['c.go']);
    // The request is exactly the one the uninterrupted run sent.
    expect(fake.requests[0]!.body.messages).toEqual(lastBody.messages);
    expect(types(file).slice(entries.length)).toEqual(['tool-call', 'tool-result', 'request', 'response']);
    expect(readSession(file).entries.map((e) => e.seq)).toEqual(readSession(file).entries.map((_, i) => i + 1));
  });

  it('runs every call of a response logged just before the crash', async () => {
    const { workspace, file, lastBody } = await completeRun();
    crashAfter(file, (e) => e.type === 'response');
    const { fake, tools, backend } = await backendWith([finish]);
    const { entries, session } = reopen(workspace, file);
    backend.restore!(entries);
    await backend.runIteration(iterationContext({ tools, session, budget: new FixedPriceBudget() }));
    expect(tools.executions).toHaveLength(3);
    expect(fake.requests[0]!.body.messages).toEqual(lastBody.messages);
  });

  it('re-sends a request that was logged but never answered', async () => {
    const { workspace, file, lastBody } = await completeRun();
    crashAfter(file, (e) => e.type === 'request', 2);
    const { fake, tools, backend } = await backendWith([finish]);
    const { entries, session } = reopen(workspace, file);
    backend.restore!(entries);
    await backend.runIteration(iterationContext({ tools, session, budget: new FixedPriceBudget() }));
    expect(tools.executions).toHaveLength(0);
    expect(fake.requests[0]!.body.messages).toEqual(lastBody.messages);
  });

  it('does not add the message twice when the resumed run logs the iteration start again', async () => {
    const { workspace, file } = await completeRun();
    crashAfter(file, (e) => e.type === 'tool-result', 1);
    const { fake, tools, backend } = await backendWith([finish]);
    const { session } = reopen(workspace, file);
    const ctx = iterationContext({ tools, session, budget: new FixedPriceBudget() });
    start(session, ctx);
    backend.restore!(readSession(file).entries);
    await backend.runIteration(ctx);
    const texts = JSON.stringify(fake.requests[0]!.body.messages).split(ctx.message).length - 1;
    expect(texts).toBe(1);
    expect(tools.executions).toHaveLength(2);
  });

  it('settles owed calls before a new iteration message, in the same user turn', async () => {
    const { workspace, file } = await completeRun();
    crashAfter(file, (e) => e.type === 'tool-result', 1);
    const { fake, tools, backend } = await backendWith([finish]);
    const { entries, session } = reopen(workspace, file);
    backend.restore!(entries);
    await backend.runIteration(start(session, iterationContext({ tools, session, budget: new FixedPriceBudget(), iteration: 2, fresh: false, message: 'Next: regressions.' })));
    const last = fake.requests[0]!.body.messages.at(-1);
    expect(last.content.map((b: any) => b.type)).toEqual(['tool_result', 'tool_result', 'tool_result', 'text']);
    expect(last.content[3].text).toBe('Next: regressions.');
    expect(tools.executions).toHaveLength(2);
  });

  it('starts over on a fresh iteration after restore', async () => {
    const { workspace, file } = await completeRun();
    const { fake, tools, backend } = await backendWith([finish]);
    const { entries, session } = reopen(workspace, file);
    backend.restore!(entries);
    await backend.runIteration(start(session, iterationContext({ tools, session, budget: new FixedPriceBudget(), iteration: 2, fresh: true, message: 'Parser now.', seed: 'Phase parser.' })));
    expect(fake.requests[0]!.body.messages).toHaveLength(1);
    expect(fake.requests[0]!.body.system.at(-1).text).toBe('Phase parser.');
  });
});

describe('restoreConversation', () => {
  const entry = (seq: number, e: object) => ({ v: 1, seq, ts: '', ...e }) as SessionEntry;
  it('applies compaction summaries and keeps later turns (from a log in the Messages API block format of earlier versions)', () => {
    const usage = { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 };
    const conv = restoreConversation([
      entry(1, { type: 'iteration-start', iteration: 1, phase: 'lexer', message: 'task', fresh: true }),
      entry(2, { type: 'request', iteration: 1, model: 'm', messages: 1 }),
      entry(3, { type: 'response', iteration: 1, model: 'm', content: [{ type: 'tool_use', id: 't1', name: 'read', input: {} }], stopReason: 'tool_use', usage, costUsd: 0 }),
      entry(4, { type: 'tool-result', iteration: 1, toolUseId: 't1', result: { content: 'r1', isError: false } }),
      entry(5, { type: 'request', iteration: 1, model: 'm', messages: 3 }),
      entry(6, { type: 'response', iteration: 1, model: 'm', content: [{ type: 'tool_use', id: 't2', name: 'read', input: {} }], stopReason: 'tool_use', usage, costUsd: 0 }),
      entry(7, { type: 'tool-result', iteration: 1, toolUseId: 't2', result: { content: 'r2', isError: true } }),
      entry(8, { type: 'compaction', iteration: 1, summary: 'read a file', keptFrom: 3 }),
    ]);
    expect(conv.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: SUMMARY_PREFIX + 'read a file' }] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 't2', name: 'read', input: {} }] },
      { role: 'user', content: [{ type: 'tool-result', toolCallId: 't2', content: 'r2', isError: true }] },
    ]);
    expect(conv.openIteration).toBe(1);
  });

  it('marks a finished iteration as closed and answers calls that never ran', () => {
    const usage = { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 };
    const done = restoreConversation([
      entry(1, { type: 'iteration-start', iteration: 1, phase: 'p', message: 'task', fresh: true }),
      entry(2, { type: 'request', iteration: 1, model: 'm', messages: 1 }),
      entry(3, { type: 'response', iteration: 1, model: 'm', content: [{ type: 'text', text: 'ok' }], stopReason: 'end_turn', usage, costUsd: 0 }),
    ]);
    expect(done.openIteration).toBeNull();

    const owed = restoreConversation([
      entry(1, { type: 'iteration-start', iteration: 4, phase: 'p', message: 'task', fresh: true }),
      entry(2, { type: 'request', iteration: 4, model: 'm', messages: 1 }),
      entry(3, { type: 'response', iteration: 4, model: 'm', content: [{ type: 'tool_use', id: 't', name: 'bash', input: {} }], stopReason: 'tool_use', usage, costUsd: 0 }),
    ]);
    expect(owed.openIteration).toBe(4);
    expect(owed.owedToolCalls().map((t) => t.id)).toEqual(['t']);
    owed.closeUserTurn();
    expect(owed.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool-result', toolCallId: 't', content: NOT_RUN, isError: true }] });
  });
});
