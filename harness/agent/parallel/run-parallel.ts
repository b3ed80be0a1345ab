import os from 'node:os';
import type { PorterConfig } from '../../config/types.js';
import type { StopReason } from '../../reports/usage.js';
import type { AgentConfig } from '../agent-config.js';
import type { Budget } from '../budget.js';
import { createIterationRunner } from '../loop-iteration.js';
import { ratchetStop, type LoopResult } from '../loop.js';
import { harnessGuard, type KnownInput } from '../protected-paths.js';
import type { SessionFile } from '../session-log.js';
import { summaryRequest } from '../task-message.js';
import type { AgentBackend, SessionEvent } from '../types.js';
import { phaseCounts, type KnownCase, type SuiteRunner, type SuiteVerdict } from '../verdict.js';
import type { WorkspaceOps } from '../workspace-ops.js';
import { applyCoordinatorEntry, type CoordinatorState } from './coordinator-state.js';
import { runCoordinator } from './coordinator.js';
import { EMBEDDED, openWorkQueue } from './queue/open-queue.js';
import { redactUrls } from '../../util/redact-urls.js';
import type { WorkQueue } from './queue/work-queue.js';
import { runIdentity } from './run-identity.js';
import { runWorker } from './worker.js';
import { GREEN_BRANCH, pushBranch } from './worktree-git.js';

/**
 * `porter agent --agents N` and `--queue URL` as a function: opens the work queue, starts
 * this machine's workers, and runs the coordinator until the port is green or a limit
 * stops it. The limits are shared: the budget gate is one object for every local worker,
 * and each worker iteration is counted against `--max-iterations` before it starts.
 */

export interface ParallelOptions {
  config: PorterConfig;
  agent: AgentConfig;
  session: SessionFile;
  state: CoordinatorState;
  budget: Budget;
  known: readonly KnownCase[];
  inputs: readonly KnownInput[];
  runSuite: SuiteRunner;
  workspaceOps: WorkspaceOps;
  createBackend: (agent: AgentConfig) => Promise<AgentBackend>;
  /** Workers on this machine. */
  agents: number;
  /** `embedded` or a PostgreSQL URL. */
  queue: string;
  maxIterations?: number;
  /** `--note`: told to every worker. */
  note?: string;
  leaseMs?: number;
  pollMs?: number;
  env?: NodeJS.ProcessEnv;
  clock?: () => Date;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

export type ParallelResult = { ok: true; result: LoopResult } | { ok: false; message: string };

export async function runParallel(o: ParallelOptions): Promise<ParallelResult> {
  const { config, agent, session, state, budget } = o;
  const ws = agent.workspace;
  const say = (line: string) => o.progress?.(line);
  const remote = o.queue === EMBEDDED ? undefined : agent.remote;
  if (o.queue !== EMBEDDED && !remote) {
    return { ok: false, message: `agent.remote is not set in ${config.configPath}: workers on other machines push their results there; set it to a bare repository (path, ssh or https URL) every machine can reach` };
  }
  const identity = runIdentity(config);
  const opened = await openWorkQueue(o.queue, { role: 'coordinator', identity, ...(o.leaseMs !== undefined ? { leaseMs: o.leaseMs } : {}) });
  if (!opened.ok) return { ok: false, message: opened.error };
  const queue = opened.queue;
  try {
    const host = os.hostname();
    const ids = Array.from({ length: o.agents }, (_, i) => (o.queue === EMBEDDED ? `w${i + 1}` : `${host}-w${i + 1}`));
    for (const id of ids) {
      const r = await queue.register({ id, host, pid: process.pid, ...identity });
      if (!r.ok) return { ok: false, message: r.error };
    }
    say(`${ids.length > 0 ? `${ids.length} worker(s) on this machine` : 'no workers on this machine'}, work queue ${queue.location}`);

    // In memory, asking is free; a database is asked twice a second, not twenty times.
    const pollMs = o.pollMs ?? (o.queue === EMBEDDED ? 50 : 500);
    // Iterations started in this segment, on top of those finished before it.
    let started = 0;
    const limit = (): { reason: StopReason; detail: string } | null => {
      if (o.signal?.aborted) return { reason: 'interrupted', detail: 'the run was interrupted' };
      const spent = budget.exhausted();
      if (spent) return spent;
      const used = state.workIterations + started;
      if (o.maxIterations !== undefined && used >= o.maxIterations) return { reason: 'max-iterations', detail: `${used} worker iterations done (limit ${o.maxIterations})` };
      return null;
    };
    const claimIteration = () => {
      const hit = limit();
      if (!hit) started += 1;
      return hit;
    };

    // The backend's code loads while the coordinator judges its baseline, not when the first items arrive.
    void o.createBackend(agent).catch(() => undefined);
    const stopWorkers = new AbortController();
    const stopAll = () => stopWorkers.abort();
    o.signal?.addEventListener('abort', stopAll, { once: true });
    let finished = false;
    // The last few green commits and their verdicts: a worker starting from one needs no baseline run of its own.
    const greens = new Map<string, SuiteVerdict>();
    const onGreen = (rev: string, verdict: SuiteVerdict) => {
      greens.set(rev, verdict);
      for (const old of [...greens.keys()].slice(0, Math.max(0, greens.size - 8))) greens.delete(old);
    };
    const workers = ids.map((id) =>
      runWorker({
        id, workspace: ws, runId: session.runId, config, agent, known: o.known, inputs: o.inputs, queue, budget,
        createBackend: o.createBackend, runSuite: o.runSuite, claimIteration,
        signal: stopWorkers.signal, finished: () => finished, greenVerdict: (rev) => greens.get(rev) ?? null,
        pollMs,
        ...(o.progress ? { progress: o.progress } : {}),
        ...(o.env ? { env: o.env } : {}),
        ...(o.clock ? { clock: o.clock } : {}),
      }),
    );
    const stopLocal = async () => {
      finished = true;
      stopAll();
      await Promise.allSettled(workers);
    };
    let result: LoopResult;
    try {
      result = await runCoordinator({
        config, workspace: ws, session, state, budget, runSuite: o.runSuite, workspaceOps: o.workspaceOps, known: o.known, queue,
        capacity: () => capacity(queue, ids, o.queue === EMBEDDED),
        localWorkers: new Set(ids),
        stopLocalWorkers: stopLocal,
        summarise: summariser(o),
        onGreen,
        limit,
        stall: agent.stall,
        limits: agent.limits,
        ...(o.note ? { flagNote: o.note } : {}),
        ...(remote ? { remote, publish: async (rev: string) => {
          const why = await pushBranch(ws, remote, rev, GREEN_BRANCH);
          if (why) say(`warning: could not publish the green line to ${redactUrls(remote)}: ${redactUrls(why)}`);
        } } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.progress ? { progress: o.progress } : {}),
        pollMs,
      });
    } finally {
      // Also when the coordinator failed: no worker outlives it.
      await stopLocal();
      o.signal?.removeEventListener('abort', stopAll);
    }
    return { ok: true, result };
  } finally {
    await queue.close();
  }
}

/** Items to keep in flight: one per worker, those of other machines counted while they keep in touch. */
async function capacity(queue: WorkQueue, local: readonly string[], embedded: boolean): Promise<number> {
  if (embedded) return Math.max(1, local.length);
  const snap = await queue.snapshot();
  const recent = Date.now() - 5 * 60_000;
  const others = snap.workers.filter((w) => !local.includes(w.id) && Date.parse(w.lastSeen) >= recent).length;
  return Math.max(1, local.length + others);
}

/** The coordinator's phase summaries: one agent, in the workspace, logged in the coordinator's session. */
function summariser(o: ParallelOptions): (phase: string, verdict: SuiteVerdict) => Promise<{ reason: StopReason; detail: string } | null> {
  let backend: AgentBackend | null = null;
  const log = (event: SessionEvent) => applyCoordinatorEntry(o.state, o.session.append(event));
  return async (phase, verdict) => {
    backend ??= await o.createBackend(o.agent);
    const { guard, entries } = harnessGuard(o.config, o.agent, o.inputs);
    const runner = createIterationRunner({
      config: o.config, agent: o.agent, backend, guard, session: o.session, budget: o.budget, runSuite: o.runSuite,
      workspaceOps: o.workspaceOps, known: o.known, protectedEntries: entries, log, say: (l) => o.progress?.(l),
      greenRev: () => o.state.greenRev,
      summaries: () => o.state.summaries,
      failingIds: () => new Set(),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const open = { iteration: o.state.iteration + 1, phase, message: summaryRequest(phase, phaseCounts(verdict, phase).total), fresh: true, kind: 'summary' as const };
    log({ type: 'iteration-start', iteration: open.iteration, phase, message: open.message, fresh: true, kind: 'summary' });
    const result = await runner.run(open);
    const text = result.finalText.trim() || `(no summary: the agent stopped with "${result.stop}"${result.error ? `: ${result.error}` : ''})`;
    log({ type: 'phase-summary', phase, summary: text });
    // A summary changes nothing: whatever the agent touched goes, so the green line stays as judged.
    const green = o.state.greenRev;
    if (green && (await o.workspaceOps.dirtyPaths(o.agent.workspace)).length > 0) await o.workspaceOps.resetHard(o.agent.workspace, green);
    return ratchetStop(result, o.budget);
  };
}
