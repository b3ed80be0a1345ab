/**
 * What the coordinator and the workers of a parallel run exchange: items offered, claimed
 * under a lease, heartbeaten, and finished with a result or given back; outcomes the
 * coordinator merges once each; and an event log for status and reports. Code moves
 * through git, never through the queue.
 *
 * Engine-neutral: an embedded in-memory queue serves one machine, a PostgreSQL one serves
 * many (open-queue.ts picks). Both keep the same rules, and the same tests hold them to it:
 *
 * - An item is known by its id and attempt; offering the same pair again changes nothing.
 *   Waiting items are claimed in the order they were offered.
 * - A claim is a lease held by one worker for `leaseMs`, renewed by each heartbeat. A worker
 *   holds at most one item at a time. A lease whose time passed without a heartbeat is lost
 *   for good, even if nobody has claimed the item since: the item waits for the next
 *   claim, and the late holder's heartbeat, release or fail says so.
 * - The next holder of an item learns the last work-in-progress branch recorded for it
 *   (heartbeat or release with `wip`), so it can continue instead of starting over.
 * - Each item and attempt has at most one outcome: the first `complete` (even from a
 *   holder whose lease ran out: its work is done and the merge queue judges it) or the
 *   holder's `fail`. Later results for it are refused as duplicates, and a holder still
 *   working on it learns at its next heartbeat that the item is finished.
 * - An item claimed `maxClaims` times without an outcome is given up: a failed outcome
 *   says so, so an item that kills its workers cannot loop forever.
 * - `takeOutcome` hands each outcome to the coordinator once; `settle` records what the
 *   merge queue did with it. One taken but never settled (the coordinator died while
 *   merging) is listed by `inMerge`, for `--resume` to finish from what git shows.
 *
 * Expected failures are values (`open` and `register` answers, `held: false`, duplicates).
 * A connection lost in the middle of a run rejects with a one-line message and no
 * credentials; a call that breaks the rules above (claiming while holding, an unknown
 * worker) is a bug and throws.
 */
import type { WorkItem } from '../work-items.js';


/** Who is asking for work, and what it runs: a worker must run what the coordinator runs. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** `porterVersion()` of the worker's Porter. */
  porterVersion: string;
  /** Hash of the worker's configuration, compared with the coordinator's. */
  configHash: string;
}

/** What the coordinator runs; workers that differ are refused. */
export interface RunIdentity {
  porterVersion: string;
  configHash: string;
}

/** A pushed work-in-progress branch for an item. */
export interface WipRef {
  branch: string;
  commit?: string;
}

export interface Lease {
  item: WorkItem;
  workerId: string;
  /** 1 for the first claim of this item and attempt, one more each time it was claimed again. */
  claim: number;
  /** The lease lasts this long after the claim and after each heartbeat. */
  leaseMs: number;
  /** The last work-in-progress branch an earlier holder recorded, to continue from. */
  resume?: WipRef & { workerId: string };
}

export type HeartbeatReply = { held: true } | { held: false; reason: string };

/** A finished item: the worker's commit on its branch, and what it cost. */
export interface WorkResult {
  itemId: string;
  attempt: number;
  workerId: string;
  /** `porter/work/<item id>` in the coordinator's remote. */
  branch: string;
  commit: string;
  casesGained: number;
  costUsd: number;
  iterations?: number;
  busyMs?: number;
  /** Anything else the worker wants the coordinator to see (kept as JSON). */
  notes?: string;
}

export type Outcome =
  | { kind: 'result'; itemId: string; attempt: number; workerId: string; result: WorkResult }
  | { kind: 'failed'; itemId: string; attempt: number; workerId: string; reason: string };

export type CompleteReply = { recorded: true } | { recorded: false; reason: string };

/** What the merge queue did with an outcome. */
export interface MergeVerdict {
  status: 'accepted' | 'rejected' | 'conflict' | 'superseded' | 'dropped';
  detail?: string;
}

export interface QueueEvent {
  seq: number;
  /** ISO time. */
  at: string;
  /** One of EVENT_KINDS, or a kind passed to `note`. */
  kind: string;
  workerId?: string;
  itemId?: string;
  attempt?: number;
  detail?: string;
}

/** The events the queue records itself. */
export const EVENT_KINDS = [
  'worker-registered',
  'worker-refused',
  'item-offered',
  'item-claimed',
  'lease-expired',
  'wip-recorded',
  'item-released',
  'item-failed',
  'item-given-up',
  'result-recorded',
  'result-duplicate',
  'outcome-taken',
  'outcome-settled',
] as const;

export interface QueueSnapshot {
  workers: { id: string; host: string; pid: number; lastSeen: string; holding?: { itemId: string; attempt: number; claim: number } }[];
  items: { id: string; attempt: number; phase: string; label: string; cases: number; state: 'waiting' | 'held' | 'done'; holder?: string; claims: number }[];
  outcomes: { itemId: string; attempt: number; kind: Outcome['kind']; workerId: string; state: 'waiting' | 'merging' | 'settled'; verdict?: MergeVerdict }[];
}

export interface WorkQueue {
  /** Where it lives, fit for messages: `embedded`, or a Postgres URL without its password. */
  readonly location: string;

  // The coordinator's side.
  /** Offers items; returns how many were new. */
  offer(items: readonly WorkItem[]): Promise<number>;
  /** The oldest outcome not yet taken, now taken; null when there is none. */
  takeOutcome(): Promise<Outcome | null>;
  /** Records what the merge queue did with a taken outcome; false when it was not taken or is already settled. */
  settle(itemId: string, attempt: number, verdict: MergeVerdict): Promise<boolean>;
  /** Outcomes taken but not settled, oldest first. */
  inMerge(): Promise<Outcome[]>;

  // A worker's side.
  register(worker: WorkerInfo): Promise<{ ok: true } | { ok: false; error: string }>;
  /** The next waiting item under a lease for this worker, or null when none waits. */
  claim(workerId: string): Promise<Lease | null>;
  /** Renews the lease and records `wip` when given, if the lease is still held. */
  heartbeat(lease: Lease, wip?: WipRef): Promise<HeartbeatReply>;
  complete(lease: Lease, result: WorkResult): Promise<CompleteReply>;
  /** Gives the item back to be claimed again (the worker stops, or cannot push). */
  release(lease: Lease, reason: string, wip?: WipRef): Promise<HeartbeatReply>;
  /** Gives the item up for this attempt: a failed outcome for the coordinator. */
  fail(lease: Lease, reason: string): Promise<HeartbeatReply>;

  // Both.
  /** Records an event of the caller's own (a merge, a worker stopping). */
  note(event: Omit<QueueEvent, 'seq' | 'at'>): Promise<void>;
  /** Events after `afterSeq`, oldest first. */
  events(afterSeq?: number): Promise<QueueEvent[]>;
  snapshot(): Promise<QueueSnapshot>;
  close(): Promise<void>;
}

/** A call that breaks the queue's rules: a bug in the caller, never an environment problem. */
export class QueueMisuse extends Error {}

export type OpenResult = { ok: true; queue: WorkQueue } | { ok: false; error: string };

/** Why a worker may not join, naming what differs; null when it may. */
export function refusal(worker: WorkerInfo, run: RunIdentity): string | null {
  const diffs: string[] = [];
  if (worker.porterVersion !== run.porterVersion) diffs.push(`its Porter version ${worker.porterVersion} differs from the coordinator's ${run.porterVersion}`);
  if (worker.configHash !== run.configHash) diffs.push(`its config hash ${worker.configHash} differs from the coordinator's ${run.configHash}`);
  if (diffs.length === 0) return null;
  const fix = worker.porterVersion !== run.porterVersion ? 'install the same Porter version' : 'use the same porter.config.yaml';
  return `worker ${worker.id} refused: ${diffs.join(', and ')}; ${fix} on every machine`;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_CLAIMS = 5;

export function givenUpReason(claims: number): string {
  return `claimed ${claims} times without an outcome (its workers stopped or gave it back); given up`;
}

export function duplicateReason(itemId: string, attempt: number, by: string): string {
  return `item ${itemId} attempt ${attempt} already has an outcome from ${by}`;
}

export function finishedReason(by: string): string {
  return `the item is already finished by ${by}`;
}

export const EXPIRED_REASON = 'the lease expired without a heartbeat';
