import { redactUrls } from '../../util/redact-urls.js';
import fs from 'node:fs';
import path from 'node:path';
import type { PorterConfig } from '../../config/types.js';
import type { StopReason } from '../../reports/usage.js';
import type { AgentConfig } from '../agent-config.js';
import type { Budget } from '../budget.js';
import { headRev } from '../git.js';
import { replay } from '../loop-state.js';
import { runLoop } from '../loop.js';
import { itemWipPath, worktreeDir } from '../porter-dir.js';
import { harnessGuard, NOTES_FILE, type KnownInput } from '../protected-paths.js';
import { openSession, readSession } from '../session-log.js';
import { computeStats } from '../stats.js';
import type { AgentBackend, WorkFigures, WorkOutcome } from '../types.js';
import type { KnownCase, SuiteRunner, SuiteVerdict } from '../verdict.js';
import { gitWorkspaceOps } from '../workspace-ops.js';
import type { Lease, QueueEvent, WipRef, WorkQueue } from './queue/work-queue.js';
import { rerootAgent, rerootConfig } from './reroot.js';
import { detach, fetchBranch, hasCommit, prepareWorktree, pushBranch, saveDiff, startBranch, workBranch } from './worktree-git.js';

/**
 * A worker: claims an item, runs the ordinary agent loop on it in its own worktree checked
 * out at the item's base, toward the item's cases, and hands back a commit on the item's
 * branch, or the item itself when it gained nothing, was stopped, or lost its lease.
 * Heartbeats keep the lease while it works; a heartbeat that finds the lease gone (the
 * item finished elsewhere, or taken over after this worker went quiet) stops the work.
 */

export interface WorkerDeps {
  id: string;
  /** The repository the worktrees hang off: the coordinator's workspace, or this machine's clone of it. */
  workspace: string;
  runId: string;
  config: PorterConfig;
  agent: AgentConfig;
  known: readonly KnownCase[];
  inputs: readonly KnownInput[];
  queue: WorkQueue;
  budget: Budget;
  createBackend: (agent: AgentConfig) => Promise<AgentBackend>;
  runSuite: SuiteRunner;
  /** Shared limits: null lets another iteration start (and counts it). */
  claimIteration: () => { reason: StopReason; detail: string } | null;
  /** The coordinator's git remote: results are pushed there, and bases fetched (workers on other machines). */
  remote?: string;
  /** Stops the work on the current item and keeps it as a patch; the worker then stops. */
  signal: AbortSignal;
  /** True once the run needs no more work: the worker stops when no item waits. */
  finished: () => boolean;
  /** The coordinator's verdict on a green commit it judged, if it is at hand (same machine): the worker's baseline there. */
  greenVerdict?: (rev: string) => SuiteVerdict | null;
  /** Told of each item's end (the queue hears of it too). */
  onEnd?: (e: WorkEnd) => void;
  progress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  clock?: () => Date;
  pollMs?: number;
}

export interface WorkEnd extends WorkFigures {
  workerId: string;
  itemId: string;
  attempt: number;
  phase: string;
  outcome: WorkOutcome;
  detail: string;
}

/** The queue event a worker records when it ends an item: a WorkEnd as JSON. */
export const SPENT_EVENT = 'item-spent';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** A spending record from the queue, or null when it is none or is not well formed (nothing is counted from it then). */
export function readSpent(e: QueueEvent): WorkEnd | null {
  if (e.kind !== SPENT_EVENT || !e.detail) return null;
  let w: Partial<WorkEnd>;
  try {
    w = JSON.parse(e.detail) as Partial<WorkEnd>;
  } catch {
    return null;
  }
  const u = w.usage;
  const wellFormed =
    typeof w.workerId === 'string' && typeof w.itemId === 'string' && typeof w.phase === 'string' && Array.isArray(w.models) && w.models.every((m) => typeof m === 'string') &&
    [w.iterations, w.messages, w.toolCalls, w.requests, w.costUsd, w.busyMs].every(isCount) &&
    u !== undefined && [u.input, u.output, u.cacheRead, u.cacheWrite].every(isCount);
  return wellFormed ? (w as WorkEnd) : null;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Claims and works items until the run is finished or stopped. */
export async function runWorker(d: WorkerDeps): Promise<void> {
  while (!d.signal.aborted) {
    const lease = await d.queue.claim(d.id);
    if (!lease) {
      if (d.finished()) return;
      await sleep(d.pollMs ?? 200, d.signal);
      continue;
    }
    try {
      await workItem(d, lease);
    } catch (e) {
      // A worker's failure is not the run's: its item goes back to the queue for another.
      const why = (e as Error).message ?? String(e);
      d.progress?.(`${d.id} · ${lease.item.id} · the worker failed: ${why}; the item goes back to the queue`);
      await detach(worktreeDir(d.workspace, d.id));
      await d.queue.release(lease, `${d.id} failed: ${why}`).catch(() => undefined);
    }
  }
}

/**
 * The maintainer's notes.md (kept out of git, so not in a worktree) as the worker's loop
 * reads it: copied from the workspace at each item, so a note written during the run
 * reaches the next items.
 */
function followNotes(workspace: string, worktreeWorkspace: string): void {
  const from = path.join(workspace, NOTES_FILE);
  const to = path.join(worktreeWorkspace, NOTES_FILE);
  if (fs.existsSync(from)) fs.copyFileSync(from, to);
  else fs.rmSync(to, { force: true });
}

function figuresOf(file: string, busyMs: number): WorkFigures {
  const s = computeStats(readSession(file).entries);
  return { iterations: s.iterations, messages: s.messages, toolCalls: s.toolCalls, requests: s.requests, usage: s.usage, costUsd: s.costUsd, models: s.models, busyMs };
}

/** Works one leased item to its end and tells the queue how it ended. */
export async function workItem(d: WorkerDeps, lease: Lease): Promise<WorkEnd> {
  const { item } = lease;
  const clock = d.clock ?? (() => new Date());
  const began = clock().getTime();
  const say = (line: string) => d.progress?.(`${d.id} · ${item.id} · ${line}`);
  const dir = worktreeDir(d.workspace, d.id);
  const controller = new AbortController();
  const stopWork = () => controller.abort();
  d.signal.addEventListener('abort', stopWork, { once: true });
  let lost: string | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  const sessionId = `${d.runId}/${d.id}-${item.id}-${item.attempt}-${lease.claim}`;
  const session = openSession(d.workspace, sessionId, { clock, env: d.env ?? process.env });

  const quiet = () => {
    clearInterval(heartbeat);
    d.signal.removeEventListener('abort', stopWork);
    session.close();
  };
  /** Tells the queue how the item ended (`act`, given what the work cost), and the coordinator what it cost. */
  const end = async (outcome: WorkOutcome, detail: string, act: (figures: WorkFigures) => Promise<unknown>): Promise<WorkEnd> => {
    quiet();
    const figures = figuresOf(session.file, clock().getTime() - began);
    await act(figures);
    const e: WorkEnd = { workerId: d.id, itemId: item.id, attempt: item.attempt, phase: item.phase, outcome, detail, ...figures };
    d.onEnd?.(e);
    // Through the queue, so a coordinator on another machine hears of it too.
    await d.queue.note({ kind: SPENT_EVENT, workerId: d.id, itemId: item.id, attempt: item.attempt, detail: JSON.stringify(e) }).catch(() => undefined);
    say(`${outcome}: ${detail}`);
    return e;
  };

  // Where to start: the last work-in-progress of an earlier holder, else the item's base.
  let start = item.base;
  const resume = lease.resume?.commit;
  if (resume) {
    if (!(await hasCommit(d.workspace, resume)) && d.remote) await fetchBranch(d.workspace, d.remote, lease.resume!.branch);
    if (await hasCommit(d.workspace, resume)) start = resume;
  }
  if (!(await hasCommit(d.workspace, item.base)) && d.remote) await fetchBranch(d.workspace, d.remote, 'porter/green');
  let wws: string;
  try {
    wws = await prepareWorktree(d.workspace, dir, start);
    await startBranch(dir, workBranch(item.id));
  } catch (e) {
    return end('released', `could not prepare the worktree: ${(e as Error).message}`, () => d.queue.release(lease, 'the worker could not prepare its worktree'));
  }
  followNotes(d.agent.workspace, wws);
  say(`working on ${item.cases.length} case(s) of ${item.phase} from ${start.slice(0, 8)}${start !== item.base ? ' (continuing earlier work)' : ''}`);

  const config = rerootConfig(d.config, d.workspace, wws);
  const agent = rerootAgent(d.agent, d.workspace, wws);
  let lastWip: string | null = start;
  const beat = async () => {
    let wip: WipRef | undefined;
    const head = await headRev(dir);
    if (head && head !== lastWip) {
      const pushed = d.remote ? await pushBranch(dir, d.remote, head, `porter/wip/${item.id}`) : null;
      if (pushed === null) {
        wip = { branch: d.remote ? `porter/wip/${item.id}` : workBranch(item.id), commit: head };
        lastWip = head;
      }
    }
    const reply = await d.queue.heartbeat(lease, wip).catch((e: Error) => ({ held: true as const, error: e.message }));
    if (!reply.held) {
      lost = reply.reason;
      controller.abort();
    }
  };
  heartbeat = setInterval(() => void beat(), Math.max(50, Math.floor(lease.leaseMs / 3)));

  session.append({ type: 'run-start', run: sessionId, config: config.configPath, argv: ['worker', d.id, item.id], rev: start });
  // The seed carries what earlier phases built, as in a single agent's run.
  for (const s of item.summaries ?? []) session.append({ type: 'phase-summary', phase: s.phase, summary: s.summary });
  const { guard, entries } = harnessGuard(config, agent, d.inputs);
  const baseline = d.greenVerdict?.(start) ?? null;
  let result: Awaited<ReturnType<typeof runLoop>>;
  try {
    const backend = await d.createBackend(agent);
    result = await runLoop({
    config, agent, backend, guard, session, budget: d.budget, runSuite: d.runSuite, workspaceOps: gitWorkspaceOps,
    known: d.known, state: replay(readSession(session.file).entries, { resetAfter: agent.resetAfter }),
    protectedEntries: entries,
    goal: { phase: item.phase, cases: item.cases, label: item.label },
    claimIteration: d.claimIteration,
    wipPatch: (iteration) => itemWipPath(d.workspace, d.runId, item.id, `-iteration-${iteration}`),
    ...(item.note ? { flagNote: item.note } : {}),
    ...(baseline ? { baseline } : {}),
    signal: controller.signal,
    progress: say,
    });
  } catch (e) {
    // The worker's caller gives the item back; nothing of this item may keep running.
    quiet();
    throw e;
  }
  const logged = readSession(session.file).entries;
  const final = replay(logged, { resetAfter: agent.resetAfter });
  const firstRun = logged.find((e) => e.type === 'test-run');
  const before = new Set(firstRun?.type === 'test-run' ? firstRun.passingIds : []);
  const passing = final.greenPassing ?? [];
  const head = (await headRev(dir)) ?? start;
  // From the item's base, what this worker gained; continuing an earlier holder's work, the
  // base's verdict is not at hand, so its cases passing now count (the merge queue judges).
  const gained = start === item.base ? passing.filter((id) => !before.has(id)) : item.cases.filter((id) => passing.includes(id));

  if (lost !== null) return end('lost', lost, () => detach(dir));
  if (d.signal.aborted) {
    const file = itemWipPath(d.workspace, d.runId, item.id);
    const kept = await saveDiff(dir, item.base, file);
    const wip = head !== item.base ? { branch: workBranch(item.id), commit: head } : undefined;
    return end('released', `stopped${kept ? `; its work is kept in ${path.relative(d.workspace, file)}` : ''}`, async () => {
      await detach(dir);
      await d.queue.release(lease, 'the run was stopped', wip).catch(() => undefined);
    });
  }
  if (gained.length === 0 || head === item.base) {
    return end('failed', `no case gained: ${result.reason}: ${result.detail}`, async () => {
      await detach(dir);
      await d.queue.fail(lease, `${d.id} gained no case: ${result.reason}: ${result.detail}`);
    });
  }
  const branch = workBranch(item.id);
  if (d.remote) {
    const pushed = await pushBranch(dir, d.remote, head, branch);
    if (pushed !== null) {
      return end('released', `cannot push ${branch} to ${redactUrls(d.remote)}: ${pushed}`, async () => {
        await detach(dir);
        await d.queue.release(lease, `${d.id} cannot push its result: ${pushed}`);
      });
    }
  }
  const detail = `${gained.length} case(s) gained (${result.reason}: ${result.detail})`;
  return end('result', detail, async (figures) => {
    await detach(dir);
    const reply = await d.queue.complete(lease, {
      itemId: item.id, attempt: item.attempt, workerId: d.id, branch, commit: head,
      casesGained: gained.length, costUsd: figures.costUsd, iterations: figures.iterations, busyMs: figures.busyMs,
    });
    if (!reply.recorded) say(`result not recorded: ${reply.reason}`);
  });
}

