import type { MergeCounts, WorkerFigures } from '../../reports/history-types.js';
import type { SessionEntry } from '../types.js';

/**
 * The per-worker figures and the merge queue's outcome of a parallel run, read from the
 * coordinator's session log alone (its `work` and `merge` entries), so the reports, the
 * final JSON and `porter status` agree, and workers on other machines are counted too.
 * Null for a single agent's run.
 */
export function parallelFigures(entries: readonly SessionEntry[]): { workers: WorkerFigures[]; merges: MergeCounts } | null {
  const workers = new Map<string, WorkerFigures>();
  const merges: MergeCounts = { accepted: 0, rejected: 0, conflicts: 0, superseded: 0 };
  let parallel = false;
  const of = (id: string): WorkerFigures => {
    let w = workers.get(id);
    if (!w) workers.set(id, (w = { id, items: 0, merged: 0, rejected: 0, conflicts: 0, costUsd: 0, busyMs: 0 }));
    return w;
  };
  for (const e of entries) {
    if (e.type === 'item') parallel = true;
    else if (e.type === 'work') {
      parallel = true;
      const w = of(e.workerId);
      w.items += 1;
      w.costUsd += e.costUsd;
      w.busyMs += e.busyMs;
    } else if (e.type === 'merge') {
      parallel = true;
      // An item dropped because its coordinator restarted was no worker's doing.
      if (e.workerId === '') continue;
      const w = of(e.workerId);
      if (e.status === 'accepted') {
        merges.accepted += 1;
        w.merged += 1;
      } else if (e.status === 'rejected') {
        merges.rejected += 1;
        w.rejected += 1;
      } else if (e.status === 'conflict') {
        merges.conflicts += 1;
        w.conflicts += 1;
      } else if (e.status === 'superseded') {
        merges.superseded += 1;
      }
    }
  }
  if (!parallel) return null;
  return { workers: [...workers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), merges };
}
