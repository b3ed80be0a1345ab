import fs from 'node:fs';
import path from 'node:path';
import { workerSessionsDir } from '../porter-dir.js';
import { readSession } from '../session-log.js';
import type { SessionEntry } from '../types.js';
import { itemKey, openItems, replayCoordinator } from './coordinator-state.js';

/**
 * What `porter status` says about a parallel run: the items still out (and which worker of
 * this machine is on each, read from the workers' own session logs), next to the figures
 * the reports show. Null for a single agent's run.
 */

export interface OpenItemStatus {
  id: string;
  attempt: number;
  phase: string;
  label: string;
  cases: number;
  /** The worker of this machine working on it, when one is (workers elsewhere are not seen here). */
  worker?: string;
  /** When that worker started on it. */
  since?: string;
}

export function openItemStatus(entries: readonly SessionEntry[], sessionFile: string): OpenItemStatus[] | null {
  if (!entries.some((e) => e.type === 'item')) return null;
  const state = replayCoordinator(entries);
  const dir = workerSessionsDir(sessionFile);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : [];
  // Only an item's latest claim can be in progress: an earlier holder's log may lack its stop
  // (the worker died, or failed and gave the item back), and file names do not sort by claim.
  const latest = new Map<string, { worker: string; claim: number; file: string }>();
  for (const f of files) {
    // <worker>-<item id>-<attempt>-<claim>.jsonl; item ids are w-<12 hex>.
    const m = /^(.+)-(w-[0-9a-f]{12})-(\d+)-(\d+)\.jsonl$/.exec(f);
    if (!m) continue;
    const key = itemKey(m[2]!, Number(m[3]));
    const claim = Number(m[4]);
    if ((latest.get(key)?.claim ?? -1) < claim) latest.set(key, { worker: m[1]!, claim, file: f });
  }
  const working = new Map<string, { worker: string; since: string }>();
  for (const [key, claim] of latest) {
    const log = readSession(path.join(dir, claim.file)).entries;
    if (log.some((e) => e.type === 'stop') || log.length === 0) continue;
    working.set(key, { worker: claim.worker, since: log[0]!.ts });
  }
  return openItems(state).map((i) => {
    const w = working.get(itemKey(i.id, i.attempt));
    return { id: i.id, attempt: i.attempt, phase: i.phase, label: i.label, cases: i.cases.length, ...(w ? { worker: w.worker, since: w.since } : {}) };
  });
}
