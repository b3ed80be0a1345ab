/**
 * The work queue of one machine: plain memory in the coordinator's process, no server.
 * Workers on this machine share the object. Time comes from an injectable clock, so the
 * lease rules can be tested without waiting.
 */
import { DEFAULT_LEASE_MS, DEFAULT_MAX_CLAIMS, duplicateReason, EXPIRED_REASON, finishedReason, givenUpReason, QueueMisuse, refusal, type HeartbeatReply, type Lease, type MergeVerdict, type Outcome, type QueueEvent, type QueueSnapshot, type RunIdentity, type WipRef, type WorkerInfo, type WorkQueue } from './work-queue.js';
import type { WorkItem } from '../work-items.js';

export interface EmbeddedQueueOptions {
  identity: RunIdentity;
  leaseMs?: number;
  maxClaims?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  clock?: () => number;
}

interface ItemState {
  item: WorkItem;
  claims: number;
  holder?: { workerId: string; claim: number; until: number };
  /** Who claimed it last: named when the item is given up. */
  lastHolder?: string;
  wip?: WipRef & { workerId: string };
  done: boolean;
}

interface OutcomeState {
  outcome: Outcome;
  taken: boolean;
  verdict?: MergeVerdict;
}

interface WorkerState {
  info: WorkerInfo;
  lastSeen: number;
  /** The key of the item it holds, if any. */
  holding?: string;
}

const keyOf = (itemId: string, attempt: number) => `${itemId}\u0000${attempt}`;

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): WorkQueue {
  const clock = opts.clock ?? Date.now;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const maxClaims = opts.maxClaims ?? DEFAULT_MAX_CLAIMS;
  const items = new Map<string, ItemState>();
  const outcomes = new Map<string, OutcomeState>();
  const workers = new Map<string, WorkerState>();
  const log: QueueEvent[] = [];

  const record = (e: Omit<QueueEvent, 'seq' | 'at'>): void => {
    log.push({ seq: log.length + 1, at: new Date(clock()).toISOString(), ...e });
  };

  const workerOf = (id: string): WorkerState => {
    const w = workers.get(id);
    if (!w) throw new QueueMisuse(`worker ${id} is not registered with the work queue`);
    return w;
  };

  /** Ends a lease whose time has passed: the item waits again and the event says whose it was. */
  const expire = (key: string, s: ItemState): void => {
    const h = s.holder;
    if (!h || h.until >= clock()) return;
    s.holder = undefined;
    const w = workers.get(h.workerId);
    if (w?.holding === key) w.holding = undefined;
    if (!s.done) record({ kind: 'lease-expired', workerId: h.workerId, itemId: s.item.id, attempt: s.item.attempt, detail: `claim ${h.claim}` });
  };

  /** The item state if this lease still holds it. */
  const held = (lease: Lease): ItemState | null => {
    const key = keyOf(lease.item.id, lease.item.attempt);
    const s = items.get(key);
    if (!s) return null;
    expire(key, s);
    const h = s.holder;
    return h && h.workerId === lease.workerId && h.claim === lease.claim ? s : null;
  };

  const lost = (lease: Lease): HeartbeatReply => {
    const o = outcomes.get(keyOf(lease.item.id, lease.item.attempt));
    return { held: false, reason: o ? finishedReason(o.outcome.workerId) : EXPIRED_REASON };
  };

  const letGo = (lease: Lease, s: ItemState): void => {
    s.holder = undefined;
    const w = workers.get(lease.workerId);
    if (w) w.holding = undefined;
  };

  const addOutcome = (o: Outcome): boolean => {
    const key = keyOf(o.itemId, o.attempt);
    if (outcomes.has(key)) return false;
    outcomes.set(key, { outcome: o, taken: false });
    const s = items.get(key);
    if (s) s.done = true;
    return true;
  };

  const touch = (workerId: string) => {
    const w = workers.get(workerId);
    if (w) w.lastSeen = clock();
  };

  return {
    location: 'embedded',

    async offer(list) {
      let added = 0;
      for (const item of list) {
        const key = keyOf(item.id, item.attempt);
        if (items.has(key)) continue;
        items.set(key, { item: structuredClone(item), claims: 0, done: false });
        record({ kind: 'item-offered', itemId: item.id, attempt: item.attempt, detail: item.label });
        added += 1;
      }
      return added;
    },

    async register(info) {
      const why = refusal(info, opts.identity);
      if (why) {
        record({ kind: 'worker-refused', workerId: info.id, detail: why });
        return { ok: false, error: why };
      }
      workers.set(info.id, { info: { ...info }, lastSeen: clock() });
      record({ kind: 'worker-registered', workerId: info.id, detail: `${info.host} pid ${info.pid}` });
      return { ok: true };
    },

    async claim(workerId) {
      const w = workerOf(workerId);
      w.lastSeen = clock();
      for (const [key, s] of items) expire(key, s);
      if (w.holding) throw new QueueMisuse(`worker ${workerId} claims an item while it holds ${w.holding.split('\u0000')[0]}`);
      for (const [key, s] of items) {
        if (s.done || s.holder) continue;
        const { id, attempt } = s.item;
        const claim = s.claims + 1;
        if (claim > maxClaims) {
          addOutcome({ kind: 'failed', itemId: id, attempt, workerId: s.lastHolder ?? workerId, reason: givenUpReason(s.claims) });
          record({ kind: 'item-given-up', workerId: s.lastHolder ?? workerId, itemId: id, attempt, detail: givenUpReason(s.claims) });
          continue;
        }
        s.claims = claim;
        s.lastHolder = workerId;
        s.holder = { workerId, claim, until: clock() + leaseMs };
        w.holding = key;
        record({ kind: 'item-claimed', workerId, itemId: id, attempt, detail: `claim ${claim}${s.wip ? `, resuming ${s.wip.branch}` : ''}` });
        return { item: structuredClone(s.item), workerId, claim, leaseMs, ...(s.wip ? { resume: { ...s.wip } } : {}) };
      }
      return null;
    },

    async heartbeat(lease, wip) {
      touch(lease.workerId);
      const s = held(lease);
      if (!s) return lost(lease);
      if (s.done) {
        letGo(lease, s);
        return lost(lease);
      }
      s.holder!.until = clock() + leaseMs;
      if (wip) {
        s.wip = { ...wip, workerId: lease.workerId };
        record({ kind: 'wip-recorded', workerId: lease.workerId, itemId: lease.item.id, attempt: lease.item.attempt, detail: wip.branch });
      }
      return { held: true };
    },

    async complete(lease, result) {
      touch(lease.workerId);
      const { id, attempt } = lease.item;
      const s = held(lease);
      if (s) letGo(lease, s);
      const first = addOutcome({ kind: 'result', itemId: id, attempt, workerId: lease.workerId, result: structuredClone(result) });
      if (!first) {
        const by = outcomes.get(keyOf(id, attempt))!.outcome.workerId;
        record({ kind: 'result-duplicate', workerId: lease.workerId, itemId: id, attempt, detail: `first from ${by}` });
        return { recorded: false, reason: duplicateReason(id, attempt, by) };
      }
      record({ kind: 'result-recorded', workerId: lease.workerId, itemId: id, attempt, detail: `${result.casesGained} case(s) gained on ${result.branch}` });
      return { recorded: true };
    },

    async release(lease, reason, wip) {
      touch(lease.workerId);
      const s = held(lease);
      if (!s) return lost(lease);
      letGo(lease, s);
      if (s.done) return lost(lease);
      if (wip) s.wip = { ...wip, workerId: lease.workerId };
      record({ kind: 'item-released', workerId: lease.workerId, itemId: lease.item.id, attempt: lease.item.attempt, detail: reason });
      return { held: true };
    },

    async fail(lease, reason) {
      touch(lease.workerId);
      const s = held(lease);
      if (!s) return lost(lease);
      letGo(lease, s);
      const { id, attempt } = lease.item;
      if (!addOutcome({ kind: 'failed', itemId: id, attempt, workerId: lease.workerId, reason })) return lost(lease);
      record({ kind: 'item-failed', workerId: lease.workerId, itemId: id, attempt, detail: reason });
      return { held: true };
    },

    async takeOutcome() {
      for (const o of outcomes.values()) {
        if (o.taken) continue;
        o.taken = true;
        record({ kind: 'outcome-taken', workerId: o.outcome.workerId, itemId: o.outcome.itemId, attempt: o.outcome.attempt });
        return structuredClone(o.outcome);
      }
      return null;
    },

    async settle(itemId, attempt, verdict) {
      const o = outcomes.get(keyOf(itemId, attempt));
      if (!o?.taken || o.verdict) return false;
      o.verdict = { ...verdict };
      record({ kind: 'outcome-settled', workerId: o.outcome.workerId, itemId, attempt, detail: verdict.detail ? `${verdict.status}: ${verdict.detail}` : verdict.status });
      return true;
    },

    async inMerge() {
      return [...outcomes.values()].filter((o) => o.taken && !o.verdict).map((o) => structuredClone(o.outcome));
    },

    async note(event) {
      record(event);
    },

    async events(afterSeq = 0) {
      return log.filter((e) => e.seq > afterSeq).map((e) => ({ ...e }));
    },

    async snapshot(): Promise<QueueSnapshot> {
      const now = clock();
      const live = (s: ItemState) => (s.holder && s.holder.until >= now && !s.done ? s.holder : undefined);
      return {
        workers: [...workers.values()].map((w) => {
          const s = w.holding ? items.get(w.holding) : undefined;
          const h = s ? live(s) : undefined;
          return {
            id: w.info.id,
            host: w.info.host,
            pid: w.info.pid,
            lastSeen: new Date(w.lastSeen).toISOString(),
            ...(s && h ? { holding: { itemId: s.item.id, attempt: s.item.attempt, claim: h.claim } } : {}),
          };
        }),
        items: [...items.values()].map((s) => {
          const h = live(s);
          return {
            id: s.item.id,
            attempt: s.item.attempt,
            phase: s.item.phase,
            label: s.item.label,
            cases: s.item.cases.length,
            state: s.done ? 'done' : h ? 'held' : 'waiting',
            ...(h ? { holder: h.workerId } : {}),
            claims: s.claims,
          };
        }),
        outcomes: [...outcomes.values()].map((o) => ({
          itemId: o.outcome.itemId,
          attempt: o.outcome.attempt,
          kind: o.outcome.kind,
          workerId: o.outcome.workerId,
          state: o.verdict ? 'settled' : o.taken ? 'merging' : 'waiting',
          ...(o.verdict ? { verdict: { ...o.verdict } } : {}),
        })),
      };
    },

    async close() {},
  };
}
