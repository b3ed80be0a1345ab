import type { PorterConfig } from '../config/types.js';
import { writeDriftStatus, DRIFT_VERSION, type DriftStatus } from '../reports/drift-status.js';
import { regenerateReports } from '../reports/write.js';
import type { Revision } from './source-repo.js';
import type { Drift } from './types.js';
import type { Upstream } from './upstream-file.js';

/**
 * How drift reaches the reports: `reports/drift.json` holds the latest state (the revision the
 * port matches, the drift pending since), and latest.md and index.html are rebuilt to show it.
 */

/** The pending drift `porter sync` found, for the reports. */
export function driftStatusOf(drift: Drift, upstream: Upstream | null, time = new Date().toISOString()): DriftStatus {
  const entry = (c: { id: string; phase: string }) => ({ id: c.id, phase: c.phase });
  return {
    v: DRIFT_VERSION,
    time,
    upstream: upstream ? { rev: upstream.rev, date: upstream.date } : null,
    to: { rev: drift.to.rev, date: drift.to.date },
    counts: { added: drift.added.length, removed: drift.removed.length, changed: drift.changed.length, metadataOnly: drift.metadata_only.length, commits: drift.commits.length },
    added: drift.added.map(entry),
    removed: drift.removed.map(entry),
    changed: drift.changed.map((c) => ({ ...entry(c), reasons: c.reasons })),
  };
}

/** Just accepted: the port matches `upstream`, with nothing pending up to it. */
export function acceptedStatus(upstream: Upstream, time = new Date().toISOString()): DriftStatus {
  const at: Pick<Revision, 'rev' | 'date'> = { rev: upstream.rev, date: upstream.date };
  return {
    v: DRIFT_VERSION,
    time,
    upstream: { ...at },
    to: { ...at },
    counts: { added: 0, removed: 0, changed: 0, metadataOnly: 0, commits: 0 },
    added: [],
    removed: [],
    changed: [],
  };
}

export interface PublishedDrift {
  /** reports/drift.json, or null when it could not be written (see `warnings`). */
  file: string | null;
  /** latest.md and index.html were rebuilt (there is a history to build them from). */
  rebuilt: boolean;
  warnings: string[];
}

/** Never throws: the reports are a view, and trouble with them must not undo a sync or an acceptance. */
export function publishDriftStatus(config: PorterConfig, status: DriftStatus): PublishedDrift {
  try {
    const file = writeDriftStatus(config.reports.dir, status);
    const rebuilt = regenerateReports(config.reports.dir);
    return { file, rebuilt: rebuilt.ok, warnings: rebuilt.warnings };
  } catch (err) {
    return { file: null, rebuilt: false, warnings: [`could not write reports to ${config.reports.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
}
