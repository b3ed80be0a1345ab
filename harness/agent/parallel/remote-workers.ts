import os from 'node:os';
import { loadConfig } from '../../config/load.js';
import { runSuite as realRunSuite } from '../../run/run-suite.js';
import { loadSuite } from '../../suite/load-suite.js';
import { readAgentConfig, type AgentConfig } from '../agent-config.js';
import { backendSpec } from '../backends.js';
import { excludePorterDir, isRepo } from '../git.js';
import { newRunId } from '../session-log.js';
import type { AgentBackend } from '../types.js';
import { knownCases, type SuiteRunner } from '../verdict.js';
import { openWorkQueue } from './queue/open-queue.js';
import { redactUrls } from '../../util/redact-urls.js';
import { runIdentity } from './run-identity.js';
import { followRun } from './run-follower.js';
import { runWorker, type WorkEnd } from './worker.js';

/**
 * `porter worker` as a function: this machine's workers for a coordinator elsewhere. They
 * work in worktrees of this machine's clone of the workspace, push their results to
 * `agent.remote`, and leave when the coordinator's run has stopped and nothing waits, or
 * when stopped. The config must be the coordinator's, byte for byte, and Porter the same
 * version: the queue refuses a worker that differs, and says which.
 */

export interface WorkersOptions {
  configPath: string;
  queue: string;
  agents: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  progress?: (line: string) => void;
  clock?: () => Date;
  pollMs?: number;
  /** Tests inject a scripted backend and a suite runner. */
  createBackend?: (agent: AgentConfig) => AgentBackend;
  runSuite?: SuiteRunner;
}

export type WorkersResult = { ok: true; ends: WorkEnd[]; workers: string[] } | { ok: false; message: string };

export async function runWorkers(o: WorkersOptions): Promise<WorkersResult> {
  const env = o.env ?? process.env;
  const clock = o.clock ?? (() => new Date());
  const loaded = await loadConfig(o.configPath);
  if (!loaded.ok) return loaded;
  const config = loaded.config;
  const read = readAgentConfig(config);
  if (!read.ok) return read;
  const agent = read.agent;
  const credentials = o.createBackend ? null : backendSpec(agent.backend).credentialProblem(env);
  if (credentials) return { ok: false, message: credentials };
  const ws = agent.workspace;
  if (!(await isRepo(ws))) return { ok: false, message: `the workspace ${ws} is not a git repository: a worker runs in a clone of the coordinator's workspace repository` };
  if (!agent.remote) return { ok: false, message: `agent.remote is not set in ${config.configPath}: workers push their results there; set it to the coordinator's git remote` };
  const suite = await loadSuite(config);
  if (!suite.ok) return suite;
  const { known, inputs } = knownCases(suite.suite.cases);
  await excludePorterDir(ws);

  const identity = runIdentity(config);
  const opened = await openWorkQueue(o.queue, { role: 'worker', porterVersion: identity.porterVersion });
  if (!opened.ok) return { ok: false, message: opened.error };
  const queue = opened.queue;
  try {
    const host = os.hostname();
    const ids = Array.from({ length: o.agents }, (_, i) => `${host}-${process.pid}-w${i + 1}`);
    for (const id of ids) {
      const r = await queue.register({ id, host, pid: process.pid, ...identity });
      if (!r.ok) return { ok: false, message: r.error };
    }
    o.progress?.(`${ids.length} worker(s) joined the work queue at ${queue.location}; results go to ${redactUrls(agent.remote)}`);

    // Whether the coordinator's run is on, and what the run has spent, from the queue's events.
    const run = followRun({ prices: agent.prices, limits: agent.limits, ownWorkers: new Set(ids), clock });
    let seq = 0;
    const follow = async () => {
      const events = await queue.events(seq);
      seq = events.at(-1)?.seq ?? seq;
      run.apply(events);
    };
    await follow();
    const timer = setInterval(() => void follow().catch(() => undefined), Math.max(200, (o.pollMs ?? 500) * 2));
    const budget = run.budget;
    const stop = new AbortController();
    const stopAll = () => stop.abort();
    o.signal?.addEventListener('abort', stopAll, { once: true });
    const ends: WorkEnd[] = [];
    const createBackend = o.createBackend ? async (a: AgentConfig) => o.createBackend!(a) : (a: AgentConfig) => backendSpec(a.backend).create(a, env);
    try {
      await Promise.all(ids.map((id) => runWorker({
        id, workspace: ws, runId: `worker-${newRunId(clock())}`, config, agent, known, inputs, queue, budget, createBackend,
        runSuite: o.runSuite ?? realRunSuite,
        claimIteration: () => (stop.signal.aborted ? { reason: 'interrupted', detail: 'the worker was stopped' } : budget.exhausted()),
        remote: agent.remote!, signal: stop.signal, finished: () => !run.running(),
        onEnd: (e) => ends.push(e), env, clock,
        ...(o.progress ? { progress: o.progress } : {}),
        // A worker with nothing to do asks the database twice a second.
        pollMs: o.pollMs ?? 500,
      })));
    } finally {
      clearInterval(timer);
      o.signal?.removeEventListener('abort', stopAll);
    }
    return { ok: true, ends, workers: ids };
  } finally {
    await queue.close();
  }
}
