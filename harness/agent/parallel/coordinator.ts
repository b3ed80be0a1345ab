import type { PorterConfig } from '../../config/types.js';
import { countsLine } from '../../judge/case-status.js';
import type { StopReason } from '../../reports/usage.js';
import type { AgentLimits } from '../agent-config.js';
import { spendingModel, type Budget } from '../budget.js';
import { headRev, tryGit } from '../git.js';
import type { LoopResult } from '../loop.js';
import type { SessionFile } from '../session-log.js';
import type { SessionEvent, WorkFigures } from '../types.js';
import { phaseDone, runVerdict, testRunEvent, type KnownCase, type SuiteRunner, type SuiteVerdict } from '../verdict.js';
import type { WorkspaceOps } from '../workspace-ops.js';
import { applyCoordinatorEntry, itemKey, openItems, type CoordinatorState } from './coordinator-state.js';
import { itemTrailer, mergeResult, type GreenLine, type MergeDecision } from './merge-queue.js';
import type { Outcome, WorkQueue } from './queue/work-queue.js';
import { planWorkItems, type WorkItem } from './work-items.js';
import { readSpent, SPENT_EVENT } from './worker.js';
import { abandonMerge, mergeInProgress, workBranch } from './worktree-git.js';

/**
 * The coordinator of a parallel run. It owns the green line: it cuts the failing clusters
 * of the current phase into work items, keeps as many in flight as there are workers, and
 * merges the results one at a time through the merge queue, which the harness judges.
 * Nothing else commits to the workspace's branch. Phases stay in order: items of a phase
 * are cut only when every earlier phase passes, and when one passes an agent writes its
 * summary for the workers of the next.
 */

export interface CoordinatorDeps {
  config: PorterConfig;
  workspace: string;
  session: SessionFile;
  /** Replayed from the log, including this segment's `run-start`. */
  state: CoordinatorState;
  budget: Budget;
  runSuite: SuiteRunner;
  workspaceOps: WorkspaceOps;
  known: readonly KnownCase[];
  queue: WorkQueue;
  /** How many items to keep in flight: the workers there are. */
  capacity: () => Promise<number>;
  /** Workers in this process: their spending already went through the budget. */
  localWorkers: ReadonlySet<string>;
  /** Stops the workers of this process (they keep unfinished work as patches) and waits for them. */
  stopLocalWorkers: () => Promise<void>;
  /** Writes a finished phase's summary through an agent; null, or why the run must stop. */
  summarise: (phase: string, verdict: SuiteVerdict) => Promise<{ reason: StopReason; detail: string } | null>;
  /** Shared limits as the workers see them: null while another iteration may start. */
  limit: () => { reason: StopReason; detail: string } | null;
  /** The run's limits (config and flags), announced to workers on other machines. */
  limits?: AgentLimits;
  /** The maintainer's note for this run (`--note`), passed to every item. */
  flagNote?: string;
  /** Rounds of items without an accepted merge before the run stops. */
  stall: number;
  /** Attempts per item before its cases wait for the green line to move. */
  maxAttempts?: number;
  /** The coordinator's git remote: results of workers on other machines are fetched from it. */
  remote?: string;
  /** Told of each green commit and the verdict on it (workers on this machine start from it). */
  onGreen?: (rev: string, verdict: SuiteVerdict) => void;
  /** Publishes the green line for workers on other machines. */
  publish?: (rev: string) => Promise<void>;
  minItemSize?: number;
  maxClusterSize?: number;
  signal?: AbortSignal;
  progress?: (line: string) => void;
  pollMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Queue events that tell workers on other machines a run began (with its id and limits, as
 * JSON) or ended (they leave when it ends and nothing waits).
 */
export const RUN_STARTED = 'run-started';
export const RUN_STOPPED = 'run-stopped';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCoordinator(d: CoordinatorDeps): Promise<LoopResult> {
  const { state, session, queue } = d;
  const ws = d.workspace;
  const say = (line: string) => d.progress?.(line);
  const log = (event: SessionEvent) => applyCoordinatorEntry(state, session.append(event));
  const phases = d.config.phases.map((p) => p.name);
  const maxAttempts = d.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const notes = new Map<string, string>();
  // Cases of items tried maxAttempts times: left out until the green line moves.
  const heldOut = new Set<string>();
  let spentSeq = queue.location === 'embedded' ? 0 : state.spentSeq;
  let workedPhase: string | null = null;

  async function judgeGreen(baseline: boolean): Promise<SuiteVerdict> {
    const v = await runVerdict(d.runSuite, d.config, d.known);
    const phase = phases.find((p) => !phaseDone(v, p)) ?? phases[phases.length - 1]!;
    log(testRunEvent(v, state.iteration, phase, baseline));
    return v;
  }

  // A merge the last coordinator left half-done is undone; its outcome is judged again below.
  if (await mergeInProgress(ws)) {
    await abandonMerge(ws, (await headRev(ws))!);
    say('a merge left in progress by the last coordinator was undone; its result is judged again');
  }
  await queue.note({ kind: RUN_STARTED, detail: JSON.stringify({ run: session.runId, limits: d.limits ?? {} }) });
  const green: GreenLine = { rev: (await headRev(ws))!, verdict: await judgeGreen(true) };
  say(`green line at ${green.rev.slice(0, 8)}: ${countsLine(green.verdict.phases)}`);
  d.onGreen?.(green.rev, green.verdict);
  if (d.publish) await d.publish(green.rev);

  // Items of an earlier segment still out with workers on other machines keep running; an
  // embedded queue died with its coordinator, so its items are cut again.
  const open = new Map<string, WorkItem>();
  for (const item of openItems(state)) {
    if (queue.location !== 'embedded') open.set(itemKey(item.id, item.attempt), item);
    else log({ type: 'merge', itemId: item.id, attempt: item.attempt, workerId: '', phase: item.phase, status: 'dropped', detail: 'the coordinator stopped while it was out, and the embedded queue with it' });
  }

  async function drainSpent(): Promise<void> {
    for (const e of await queue.events(spentSeq)) {
      spentSeq = Math.max(spentSeq, e.seq);
      // A queue that outlives runs holds other runs' events too.
      if (e.kind !== SPENT_EVENT || !e.itemId || !state.items.has(itemKey(e.itemId, e.attempt ?? 0))) continue;
      const w = readSpent(e);
      if (!w) {
        say(`warning: unreadable spending record from ${e.workerId ?? 'a worker'} (queue event ${e.seq}) left out of the totals`);
        continue;
      }
      const local = d.localWorkers.has(w.workerId);
      const figures: WorkFigures = { iterations: w.iterations, messages: w.messages, toolCalls: w.toolCalls, requests: w.requests, usage: w.usage, costUsd: w.costUsd, models: w.models, busyMs: w.busyMs };
      log({ type: 'work', workerId: w.workerId, itemId: w.itemId, attempt: w.attempt, phase: w.phase, outcome: w.outcome, detail: w.detail, local, seq: e.seq, ...figures });
      if (!local) d.budget.addSpent(spendingModel(w.models), w.usage, w.costUsd);
    }
  }

  /** Whether the green line already holds this item's accepted merge (the last coordinator died before logging it). */
  async function mergedBefore(item: WorkItem): Promise<string | null> {
    const body = await tryGit(ws, ['log', '-1', '--format=%B', green.rev]);
    return body?.includes(itemTrailer(item.id, item.attempt)) ? green.rev : null;
  }

  /** Merges or settles an outcome; `recovered`: one the last coordinator took and never settled. */
  async function handle(o: Outcome, recovered = false): Promise<void> {
    const key = itemKey(o.itemId, o.attempt);
    const item = open.get(key) ?? state.items.get(key);
    open.delete(key);
    const done = state.settled.get(key);
    if (done) {
      // At most one merge per item: a second result for it changes nothing.
      await queue.settle(o.itemId, o.attempt, { status: done, detail: 'already settled' });
      return;
    }
    const record = (decision: MergeDecision, workerId: string) => {
      log({
        type: 'merge', itemId: o.itemId, attempt: o.attempt, workerId, phase: item?.phase ?? '', status: decision.status, detail: decision.detail,
        ...(decision.status === 'accepted' ? { rev: decision.rev, gained: decision.gained.length } : {}),
      });
      say(`merge ${o.itemId} from ${workerId}: ${decision.status}: ${decision.detail}`);
    };
    let decision: MergeDecision;
    if (!item) {
      decision = { status: 'dropped', detail: 'the coordinator has no record of this item' };
    } else if (o.kind === 'failed') {
      decision = { status: 'dropped', detail: o.reason };
    } else {
      // Only a coordinator that died mid-merge can have committed a merge it never logged.
      const before = recovered ? await mergedBefore(item) : null;
      decision = before
        ? { status: 'accepted', detail: 'merged before the coordinator restarted', rev: before, verdict: green.verdict, gained: [] }
        : await mergeResult({ workspace: ws, config: d.config, known: d.known, runSuite: d.runSuite, runId: session.runId, ...(d.remote ? { remote: d.remote } : {}) }, green, item, o.result);
    }
    record(decision, o.workerId);
    if (decision.status === 'accepted') {
      green.rev = decision.rev;
      if (decision.gained.length > 0) {
        green.verdict = decision.verdict;
        log(testRunEvent(decision.verdict, state.iteration, item!.phase, false));
      }
      heldOut.clear();
      d.onGreen?.(green.rev, green.verdict);
      if (d.publish) await d.publish(green.rev);
    } else if (item && (decision.status === 'rejected' || decision.status === 'conflict' || decision.status === 'dropped')) {
      notes.set(item.id, `An earlier attempt at this item (attempt ${item.attempt}, by ${o.workerId}) was not merged: ${decision.detail}. The green line has moved since; start from it and take another approach.`);
      if (item.attempt >= maxAttempts) for (const id of item.cases) heldOut.add(id);
    }
    if (decision.status === 'accepted' || decision.status === 'superseded') await tryGit(ws, ['branch', '-q', '-D', workBranch(o.itemId)]);
    await queue.settle(o.itemId, o.attempt, { status: decision.status, detail: decision.detail });
  }

  // Outcomes taken and not yet merged: their workers are free again, their cases not yet.
  const returned = new Set<string>();

  /** Cuts items for the free cases of the current phase, up to the workers there are. */
  async function offer(capacity: number): Promise<number> {
    const room = capacity - (open.size - returned.size);
    if (room <= 0) return 0;
    const inFlight = new Set([...open.values()].flatMap((i) => i.cases));
    for (const id of heldOut) inFlight.add(id);
    const plan = planWorkItems({
      phases, verdict: green.verdict, base: green.rev, inFlight, limit: room, run: session.runId.split('/')[0]!,
      attempts: (id) => state.attempts.get(id) ?? 0,
      ...(d.minItemSize !== undefined ? { minSize: d.minItemSize } : {}),
      ...(d.maxClusterSize !== undefined ? { maxClusterSize: d.maxClusterSize } : {}),
    });
    if (plan.items.length === 0) return 0;
    const items = plan.items.map((i) => {
      const note = [d.flagNote, notes.get(i.id)].filter(Boolean).join('\n\n');
      return { ...i, ...(note ? { note } : {}), ...(state.summaries.length > 0 ? { summaries: state.summaries } : {}) };
    });
    for (const i of items) {
      log({ type: 'item', itemId: i.id, attempt: i.attempt, phase: i.phase, label: i.label, cases: i.cases, base: i.base, ...(i.note ? { note: i.note } : {}) });
      open.set(itemKey(i.id, i.attempt), i);
      say(`item ${i.id} (attempt ${i.attempt}): ${i.cases.length} case(s) of ${i.phase}: ${i.label}`);
    }
    await queue.offer(items);
    return items.length;
  }

  // Outcomes the last coordinator took and never settled are judged first.
  for (const o of await queue.inMerge()) await handle(o, true);

  let stopping: { reason: StopReason; detail: string } | null = null;
  for (;;) {
    await drainSpent();
    if (!stopping && d.signal?.aborted) stopping = { reason: 'interrupted', detail: 'the run was interrupted' };
    if (stopping?.reason === 'interrupted') break;

    const phase = phases.find((p) => !phaseDone(green.verdict, p)) ?? null;
    if (workedPhase && workedPhase !== phase && phaseDone(green.verdict, workedPhase) && !state.summaries.some((s) => s.phase === workedPhase)) {
      const stop = await d.summarise(workedPhase, green.verdict);
      say(`phase ${workedPhase} done · summary written`);
      if (stop) stopping ??= stop;
    }
    workedPhase = phase;
    if (phase === null && open.size === 0) {
      stopping = { reason: 'all-pass', detail: `every phase passes: ${countsLine(green.verdict.phases)}` };
      break;
    }
    if (!stopping) stopping = d.limit();
    // Asked once per pass: on PostgreSQL it reads which workers keep in touch.
    const capacity = await d.capacity();
    if (!stopping && state.sinceAccept >= d.stall * Math.max(1, capacity)) {
      stopping = { reason: 'stall', detail: `no result was merged for ${state.sinceAccept} item outcomes in a row (${d.stall} rounds)` };
    }
    if (stopping) {
      // No new items; those in flight may still be merged, as long as someone works on them.
      if (open.size === 0 || !(await anyHeld(queue, open))) break;
    } else if (phase !== null) {
      await offer(capacity);
      if (open.size === 0) {
        stopping = { reason: 'stall', detail: `every failing case of ${phase} was tried ${maxAttempts} times without a merge` };
        break;
      }
    }
    const o = await queue.takeOutcome();
    if (!o) {
      await sleep(d.pollMs ?? 50);
      continue;
    }
    // The worker that sent it is free: give it the next item while the merge queue judges this one.
    const key = itemKey(o.itemId, o.attempt);
    returned.add(key);
    if (!stopping && phase !== null) await offer(capacity);
    await handle(o);
    returned.delete(key);
  }

  await d.stopLocalWorkers();
  await drainSpent();
  // The workspace ends on its green commit, whatever happened.
  if ((await d.workspaceOps.dirtyPaths(ws)).length > 0 || (await headRev(ws)) !== green.rev) await abandonMerge(ws, green.rev);
  const reason = stopping?.reason ?? 'interrupted';
  const detail = stopping?.detail ?? 'the run was interrupted';
  log({ type: 'stop', reason, detail });
  await queue.note({ kind: RUN_STOPPED, detail: `${reason}: ${detail}` });
  say(`stop: ${reason}: ${detail}`);
  return { reason, detail, verdict: green.verdict };
}

/** Whether a worker still holds any of these items (otherwise no outcome is coming while winding down). */
async function anyHeld(queue: WorkQueue, open: ReadonlyMap<string, WorkItem>): Promise<boolean> {
  const snap = await queue.snapshot();
  return snap.items.some((i) => i.state === 'held' && open.has(itemKey(i.id, i.attempt))) || snap.outcomes.some((o) => o.state === 'waiting');
}
