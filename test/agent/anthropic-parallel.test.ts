// Several workers talk to the fake Messages API at once, each in its own conversation and its
// own workspace: the scripted model solves the parallel example one cluster per conversation,
// through the real SDK, the real tools and the real suite runner.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicBackend } from '../../harness/agent/anthropic/backend.js';
import { planWorkItems, type WorkItem } from '../../harness/agent/parallel/work-items.js';
import { createToolSet } from '../../harness/agent/tools/tool-set.js';
import { createGuard } from '../../harness/agent/workspace-guard.js';
import { FixedPriceBudget, MemorySession } from '../support/fake-anthropic-kit.js';
import { clusterStageOf, createSolver } from '../support/fake-anthropic-solver.js';
import { CONVERSATION_HEADER, conversationKey, startFakeAnthropic, type FakeAnthropic, type Responder } from '../support/fake-anthropic.js';
import { CLUSTERS, clusterIds, parallelExample, parallelWorkspace, runWorkspace } from '../support/parallel-example.js';

let dir: string;
let fake: FakeAnthropic | undefined;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-parallel-api-'));
});
afterAll(async () => {
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Holds the first request of each conversation until `n` conversations have sent one, so the
 * test passes only if the server serves them at the same time; a barrier never reached answers
 * 400 after 20 s rather than hanging.
 */
function barrier(n: number, next: Responder): Responder {
  const arrived = new Set<string>();
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async (body, index, conversation = '') => {
    if (!arrived.has(conversation)) {
      arrived.add(conversation);
      if (arrived.size >= n) open();
      const timedOut = await Promise.race([opened.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 20_000).unref())]);
      if (timedOut) return { kind: 'status', status: 400, message: `barrier: only ${arrived.size} of ${n} conversations arrived` };
    }
    return next(body, index, conversation);
  };
}

const taskFor = (item: WorkItem) => `Work item ${item.id}, phase "${item.phase}": ${item.label}.\nMake these cases pass: ${item.cases.join(', ')}.`;

describe('fake Messages API with parallel workers', () => {
  it('serves three conversations at once, each solving the cluster its task names', async () => {
    const start = await runWorkspace(parallelWorkspace(dir));
    const items = planWorkItems({ phases: ['basics', 'ops'], verdict: start, base: 'HEAD', limit: 3 }).items;
    expect(items).toHaveLength(3);

    const solver = createSolver({ solutionDir: path.join(parallelExample, 'solution'), stagesFile: 'clusters.json', stageOf: clusterStageOf, targetPrefix: 'target/' });
    fake = await startFakeAnthropic({ responder: barrier(3, solver.responder) });

    const workers = items.map((item) => {
      const ws = parallelWorkspace(dir);
      const guard = createGuard({ workspace: ws });
      const tools = createToolSet({
        guard,
        runTests: async (phase) => {
          const r = await runWorkspace(ws, phase);
          return r.phases.map((p) => `${p.phase}: ${p.pass}/${p.total} pass`).join('\n');
        },
      });
      const session = new MemorySession();
      const backend = createAnthropicBackend({ apiKey: 'sk-ant-test-parallel', baseURL: fake!.url, maxRetries: 0 });
      const message = taskFor(item);
      const work = backend.runIteration({ iteration: 1, phase: 'ops', message, seed: 'Port textkit, phase ops.', fresh: true, model: 'claude-test', tools, session, budget: new FixedPriceBudget() });
      return { item, ws, message, work };
    });
    const outcomes = await Promise.all(workers.map((w) => w.work));

    expect(fake.conversations().sort()).toEqual(workers.map((w) => conversationKey(w.message)).sort());
    for (const [i, w] of workers.entries()) {
      const cluster = CLUSTERS.find((c) => w.item.cases[0]!.startsWith(c.cases.split('*')[0]!))!;
      expect(outcomes[i]!.stop).toBe('done');
      // Its workspace got its own file and no other: exactly its cluster passes, as run_tests said.
      const after = await runWorkspace(w.ws, 'ops');
      const passing = after.cases.filter((c) => c.status === 'pass').map((c) => c.id);
      expect(passing).toEqual(clusterIds(cluster.name, after));
      expect(outcomes[i]!.finalText).toBe(`Wrote target/${cluster.files[0]} for the ${cluster.name} cluster of the ops phase. run_tests: ops: ${passing.length}/14 pass`);
      // Every request of the conversation continued that conversation: same first message, growing history.
      const mine = fake.requests.filter((r) => r.conversation === conversationKey(w.message));
      expect(mine.map((r) => r.answer)).toEqual(['turn', 'turn', 'turn']);
      expect(mine.map((r) => r.body.messages.length)).toEqual([1, 3, 5]);
      expect(mine.every((r) => r.body.messages[0].content[0].text === w.message)).toBe(true);
    }
  });

  it('names a conversation by a header when the client sends one, and scripts it apart', async () => {
    await fake?.close();
    fake = await startFakeAnthropic({ responder: () => ({ content: [{ type: 'text', text: 'shared' }] }) });
    fake.enqueueFor('worker-2', { content: [{ type: 'text', text: 'only for worker 2' }] });
    const ask = (worker: string) =>
      new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake!.url, maxRetries: 0, defaultHeaders: { [CONVERSATION_HEADER]: worker } }).messages.stream({ model: 'claude-test', max_tokens: 50, messages: [{ role: 'user', content: 'the same first message' }] }).finalMessage();
    const [one, two] = await Promise.all([ask('worker-1'), ask('worker-2')]);
    expect(one.content[0]).toMatchObject({ text: 'shared' });
    expect(two.content[0]).toMatchObject({ text: 'only for worker 2' });
    expect(fake.conversations().sort()).toEqual(['worker-1', 'worker-2']);
    expect(fake.pending()).toBe(0);
  });
});
