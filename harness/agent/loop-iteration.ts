import type { PorterConfig } from '../config/types.js';
import { modelFor, type AgentConfig } from './agent-config.js';
import type { Budget } from './budget.js';
import { createLoopTools } from './loop-tools.js';
import type { OpenIteration } from './loop-state.js';
import type { SessionFile } from './session-log.js';
import { acceptWrites, restoreChanges, snapshotProtectedFiles, type ProtectedSnapshot } from './tamper.js';
import { buildSeed, shownPath } from './task-message.js';
import type { AgentBackend, IterationResult, SessionEvent } from './types.js';
import type { KnownCase, SuiteRunner } from './verdict.js';
import type { WorkspaceGuard } from './workspace-guard.js';
import type { WorkspaceOps } from './workspace-ops.js';

/**
 * One agent iteration with the harness around it: the tools wired to the run, the tests
 * photographed before and restored after, and any commit the agent made itself taken back
 * to be judged. The loop runs its work and summary iterations through it; a parallel run's
 * coordinator runs its phase summaries through it.
 */

/** What an agent's iterations run against: the run's config, agent, backend, guard, log, budget, suite and history. */
export interface IterationHarness {
  config: PorterConfig;
  agent: AgentConfig;
  backend: AgentBackend;
  guard: WorkspaceGuard;
  session: SessionFile;
  budget: Budget;
  runSuite: SuiteRunner;
  /** Commits, resets and the rest of the workspace's history (git in production). */
  workspaceOps: WorkspaceOps;
  known: readonly KnownCase[];
  /** Paths and globs photographed before each iteration and restored after it. */
  protectedEntries: string[];
  signal?: AbortSignal;
}

export interface IterationRunnerDeps extends IterationHarness {
  log: (event: SessionEvent) => void;
  say: (line: string) => void;
  /** The commit the agent's work is judged against. */
  greenRev: () => string | null;
  summaries: () => ReadonlyArray<{ phase: string; summary: string }>;
  /** Ids failing at the latest verdict: only those may be skipped. */
  failingIds: () => ReadonlySet<string>;
}

export interface IterationRunner {
  run(open: OpenIteration): Promise<IterationResult>;
}

export function createIterationRunner(d: IterationRunnerDeps): IterationRunner {
  const ws = d.agent.workspace;
  let photo: ProtectedSnapshot | null = null;
  let current = 0;
  const tools = createLoopTools({
    config: d.config, agent: d.agent, known: d.known, runSuite: d.runSuite, guard: d.guard, log: d.log,
    iteration: () => current,
    failingIds: d.failingIds,
    harnessWrote: (files) => photo && acceptWrites(photo, files),
  });

  /** Commits are the judge's: any the agent made itself become uncommitted changes, to be judged like the rest. */
  async function takeBackAgentCommits(iteration: number): Promise<void> {
    const { headRev, isAncestor, uncommitSince } = d.workspaceOps;
    const green = d.greenRev();
    const head = await headRev(ws);
    if (!green || !head || head === green) return;
    if (await isAncestor(ws, green, head)) {
      await uncommitSince(ws, green);
      d.say(`iteration ${iteration} · the agent's own commits were taken back into the working tree, to be judged`);
    } else {
      d.say(`iteration ${iteration} · warning: HEAD (${head.slice(0, 8)}) no longer descends from the green commit ${green.slice(0, 8)}`);
    }
  }

  async function run(open: OpenIteration): Promise<IterationResult> {
    current = open.iteration;
    const before = snapshotProtectedFiles(d.protectedEntries);
    photo = before;
    const result = await d.backend.runIteration({
      iteration: open.iteration,
      phase: open.phase,
      message: open.message,
      seed: buildSeed({ config: d.config, workspace: ws, phase: open.phase, guidance: d.agent.phases[open.phase]?.guidance, summaries: d.summaries(), allowSkip: d.agent.allowSkip }),
      fresh: open.fresh,
      model: modelFor(d.agent, open.phase),
      tools,
      session: d.session,
      budget: d.budget,
      ...(d.signal ? { signal: d.signal } : {}),
    });
    photo = null;
    await takeBackAgentCommits(open.iteration);
    for (const ch of restoreChanges(before)) {
      d.log({ type: 'tamper', iteration: open.iteration, path: ch.path, action: 'restored', detail: `${ch.detail}${ch.action === 'failed' ? ' (restore failed)' : ''}` });
      d.say(`iteration ${open.iteration} · tampering undone: ${shownPath(ws, ch.path)} ${ch.detail}`);
    }
    return result;
  }

  return { run };
}
