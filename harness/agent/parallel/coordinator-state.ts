import type { MergeStatus, SessionEntry } from '../types.js';
import type { StopReason } from '../../reports/usage.js';
import type { WorkItem } from './work-items.js';

/**
 * A parallel run's memory, derived from the coordinator's session log by one reducer, as
 * the single agent's loop state is: the green commit and what passes there, the items
 * offered and what the merge queue did with each, the phase summaries, and the counters
 * the shared limits read. `--resume` replays the log, so accepted merges are never redone.
 */

export interface CoordinatorState {
  greenRev: string | null;
  greenPassing: string[] | null;
  /** The last iteration number used (phase summaries are iterations of the coordinator's own). */
  iteration: number;
  summaries: Array<{ phase: string; summary: string }>;
  /** Items offered, by `itemKey`. */
  items: Map<string, WorkItem>;
  /** What the merge queue did with each item's outcome, by `itemKey`. */
  settled: Map<string, MergeStatus>;
  /** The highest attempt offered per item id. */
  attempts: Map<string, number>;
  /** Outcomes settled since the last accepted merge: the stall counter. */
  sinceAccept: number;
  /** Work iterations the workers finished (counted against --max-iterations). */
  workIterations: number;
  /** The queue's sequence number of the last worker spending logged. */
  spentSeq: number;
  stopped: { reason: StopReason; detail: string } | null;
}

export const itemKey = (itemId: string, attempt: number): string => `${itemId}#${attempt}`;

export function initialCoordinatorState(): CoordinatorState {
  return {
    greenRev: null, greenPassing: null, iteration: 0, summaries: [], items: new Map(), settled: new Map(),
    attempts: new Map(), sinceAccept: 0, workIterations: 0, spentSeq: 0, stopped: null,
  };
}

export function applyCoordinatorEntry(s: CoordinatorState, e: SessionEntry): CoordinatorState {
  switch (e.type) {
    case 'run-start':
      if (e.rev && e.rev !== s.greenRev) {
        s.greenRev = e.rev;
        s.greenPassing = null;
      }
      if (s.stopped?.reason === 'stall') s.sinceAccept = 0;
      s.stopped = null;
      break;
    case 'test-run':
      // The coordinator judges only green states: its baseline and each accepted merge.
      s.greenPassing = [...e.passingIds];
      break;
    case 'iteration-start':
      s.iteration = Math.max(s.iteration, e.iteration);
      break;
    case 'phase-summary':
      s.summaries = [...s.summaries.filter((x) => x.phase !== e.phase), { phase: e.phase, summary: e.summary }];
      break;
    case 'item': {
      const item: WorkItem = { id: e.itemId, phase: e.phase, label: e.label, cases: [...e.cases], base: e.base, attempt: e.attempt, ...(e.note ? { note: e.note } : {}) };
      s.items.set(itemKey(e.itemId, e.attempt), item);
      s.attempts.set(e.itemId, Math.max(s.attempts.get(e.itemId) ?? 0, e.attempt));
      break;
    }
    case 'merge':
      s.settled.set(itemKey(e.itemId, e.attempt), e.status);
      if (e.status === 'accepted') {
        s.sinceAccept = 0;
        if (e.rev) s.greenRev = e.rev;
      } else if (e.workerId !== '') {
        // An item dropped because its coordinator restarted says nothing about progress.
        s.sinceAccept += 1;
      }
      break;
    case 'work':
      s.workIterations += e.iterations;
      if (e.seq !== undefined) s.spentSeq = Math.max(s.spentSeq, e.seq);
      break;
    case 'stop':
      s.stopped = { reason: e.reason, detail: e.detail };
      break;
    default:
      break;
  }
  return s;
}

export function replayCoordinator(entries: readonly SessionEntry[]): CoordinatorState {
  const s = initialCoordinatorState();
  for (const e of entries) applyCoordinatorEntry(s, e);
  return s;
}

/** Items offered and not yet settled: in the queue or with a worker. */
export function openItems(s: CoordinatorState): WorkItem[] {
  return [...s.items.entries()].filter(([key]) => !s.settled.has(key)).map(([, item]) => item);
}
