/**
 * `reports/drift.json`: what the reports know about the source project upstream. `porter sync`
 * writes it (the pending drift between the revision the port matches and the source's HEAD),
 * and so does every accepted revision; `latest.md` and `index.html` show it. One small file
 * rewritten in place, not a history: only the latest state matters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

export const DRIFT_FILE = 'drift.json';
export const DRIFT_VERSION = 1;

/** Ids kept per list; the counts stay exact. */
export const DRIFT_LIST_LIMIT = 500;

export interface DriftEntry {
  id: string;
  phase: string;
}

export interface DriftStatus {
  v: typeof DRIFT_VERSION;
  /** When it was written (ISO). */
  time: string;
  /** The source revision the port last passed at (`porter.upstream.json`), or null when none is recorded. */
  upstream: { rev: string; date: string } | null;
  /** The revision the pending drift runs up to: the source checkout's HEAD when `porter sync` ran, or its `--to`. */
  to: { rev: string; date: string };
  counts: { added: number; removed: number; changed: number; metadataOnly: number; commits: number };
  added: DriftEntry[];
  removed: DriftEntry[];
  /** With the reasons: `expected`, `input`, `files`. */
  changed: Array<DriftEntry & { reasons: string[] }>;
}

export function pendingDrift(status: DriftStatus): number {
  return status.counts.added + status.counts.removed + status.counts.changed;
}

export function driftFile(reportsDir: string): string {
  return path.join(reportsDir, DRIFT_FILE);
}

export function writeDriftStatus(reportsDir: string, status: DriftStatus): string {
  const file = driftFile(reportsDir);
  const bounded = { ...status, added: status.added.slice(0, DRIFT_LIST_LIMIT), removed: status.removed.slice(0, DRIFT_LIST_LIMIT), changed: status.changed.slice(0, DRIFT_LIST_LIMIT) };
  writeFileAtomic(file, `${JSON.stringify(bounded, null, 2)}\n`);
  return file;
}

/**
 * The status, or null when there is none or it cannot be used; a report is never lost over it,
 * so a broken file is a warning and the reports go on without the section.
 */
export function readDriftStatus(reportsDir: string, warn: (line: string) => void = () => {}): DriftStatus | null {
  const file = driftFile(reportsDir);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${file}: unreadable (${(err as Error).message}); the reports leave out upstream drift until \`porter sync\` rewrites it`);
    return null;
  }
  const o = raw as Partial<DriftStatus> | null;
  const isRev = (r: unknown): r is { rev: string; date: string } => typeof r === 'object' && r !== null && typeof (r as { rev?: unknown }).rev === 'string';
  if (!o || typeof o !== 'object' || !isRev(o.to) || typeof o.counts !== 'object' || o.counts === null) {
    warn(`${file}: not a drift status Porter wrote; the reports leave out upstream drift until \`porter sync\` rewrites it`);
    return null;
  }
  const entries = <T extends DriftEntry>(list: unknown): T[] =>
    Array.isArray(list) ? list.filter((e): e is T => typeof e === 'object' && e !== null && typeof (e as DriftEntry).id === 'string') : [];
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  const c = o.counts as Partial<DriftStatus['counts']>;
  return {
    v: DRIFT_VERSION,
    time: typeof o.time === 'string' ? o.time : '',
    upstream: isRev(o.upstream) ? { rev: o.upstream.rev, date: String(o.upstream.date ?? '') } : null,
    to: { rev: o.to.rev, date: String(o.to.date ?? '') },
    counts: { added: n(c.added), removed: n(c.removed), changed: n(c.changed), metadataOnly: n(c.metadataOnly), commits: n(c.commits) },
    added: entries(o.added),
    removed: entries(o.removed),
    changed: entries<DriftEntry & { reasons: string[] }>(o.changed).map((e) => ({ ...e, reasons: Array.isArray(e.reasons) ? e.reasons.filter((r) => typeof r === 'string') : [] })),
  };
}
