/**
 * What the end-to-end tests of parallel runs share: the parallel example's own solution as a
 * scripted model, a fake Messages API per test (closed after it), and `porter agent --agents N`
 * as a function against it, its progress collected.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach } from 'vitest';
import { runAgent, type AgentRunOptions, type AgentRunSuccess } from '../../../harness/agent/run-agent.js';
import { readSession } from '../../../harness/agent/session-log.js';
import type { SessionEntry } from '../../../harness/agent/types.js';
import { clusterStageOf, createSolver, type Solver } from '../../support/fake-anthropic-solver.js';
import { startFakeAnthropic, type FakeAnthropic, type Responder } from '../../support/fake-anthropic.js';
import { parallelExample } from '../../support/parallel-example.js';

export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
export const solution = path.join(parallelExample, 'solution');
export const solverFor = (dir: string): Solver => createSolver({ solutionDir: dir, stagesFile: 'clusters.json', stageOf: clusterStageOf, targetPrefix: 'target/' });
export const API_ENV = { ANTHROPIC_API_KEY: 'sk-ant-test-0123456789' };

export const systemText = (body: { system?: unknown }): string =>
  typeof body.system === 'string' ? body.system : Array.isArray(body.system) ? body.system.map((b: { text?: string }) => b.text ?? '').join('\n') : '';
export const firstUserText = (body: { messages?: Array<{ role: string; content: unknown }> }): string => {
  const c = body.messages?.find((m) => m.role === 'user')?.content;
  return typeof c === 'string' ? c : Array.isArray(c) ? c.filter((b) => b?.type === 'text').map((b) => b.text).join('\n') : '';
};

export const merges = (file: string) => readSession(file).entries.filter((e): e is Extract<SessionEntry, { type: 'merge' }> => e.type === 'merge');
export const mergeSubjects = (ws: string): string[] => git(ws, 'log', '--first-parent', '--format=%s').split('\n').filter((s) => s.startsWith('porter: merge '));

export interface FakeApiHandle {
  /** Starts this test's fake API (closed after the test). */
  start(responder: Responder): Promise<FakeAnthropic>;
  /** The running one; a test that never started one has none. */
  readonly api: FakeAnthropic;
  /** `porter agent` (three agents and no reports unless `extra` says otherwise) against a new fake API answering with `responder`. */
  run(ws: string, responder: Responder, extra?: Partial<AgentRunOptions>): Promise<{ r: AgentRunSuccess; lines: string }>;
}

export function useFakeApi(): FakeApiHandle {
  let api: FakeAnthropic | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const handle: FakeApiHandle = {
    async start(responder) {
      api = await startFakeAnthropic({ responder });
      return api;
    },
    get api() {
      if (!api) throw new Error('no fake API started in this test');
      return api;
    },
    async run(ws, responder, extra = {}) {
      const server = await handle.start(responder);
      const lines: string[] = [];
      const r = await runAgent({
        configPath: path.join(ws, 'porter.config.yaml'), agents: 3, report: false, ...extra,
        env: { ...process.env, ...API_ENV, ANTHROPIC_BASE_URL: server.url },
        progress: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`),
      });
      if (!r.ok) throw new Error(r.message);
      return { r, lines: lines.join('\n') };
    },
  };
  return handle;
}
