/**
 * The agent's side of following the source project upstream: with `--sync`, the drift since
 * the revision the port last passed at, shown in every task message so the agent sees which
 * behaviour changed, not only that cases fail; and after a run that ends with every case
 * passing, the source revision it passed at, recorded in porter.upstream.json and committed.
 */
import type { PorterConfig } from '../config/types.js';
import { isFailing } from '../judge/case-status.js';
import { recordAcceptedUpstream } from '../sync/accept.js';
import { computeDrift } from '../sync/drift.js';
import { renderDriftTask } from '../sync/drift-task.js';
import { resolveRevisions } from '../sync/source-repo.js';
import type { Drift } from '../sync/types.js';
import { commitFile } from '../sync/workspace-commit.js';
import { sourceRevision } from '../util/source-revision.js';
import type { SuiteVerdict } from './verdict.js';

export type SyncStart = { ok: true; drift: Drift; lines: string[] } | { ok: false; message: string };

/** The drift the run ports: from porter.upstream.json's revision to the source checkout's HEAD. */
export async function startSync(config: PorterConfig): Promise<SyncStart> {
  const found = await computeDrift(config, {
    noFromAdvice: 'record the source revision the port passes at with `porter sync --accept` (or `porter sync --from REV --accept`), then run `porter agent --sync` again',
  });
  if (!found.ok) return found;
  const d = found.drift;
  const lines = [
    ...found.warnings,
    `upstream ${d.from.short} → ${d.to.short}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed${d.metadata_only.length ? `, ${d.metadata_only.length} changed only in metadata` : ''}`,
  ];
  if (d.removed.length > 0) lines.push(`removed upstream (reported, not deleted): ${d.removed.map((c) => c.id).join(', ')}`);
  return { ok: true, drift: d, lines };
}

/** Ids the run works on first: added and changed upstream. */
export function driftIds(drift: Drift): Set<string> {
  return new Set([...drift.added, ...drift.changed].map((c) => c.id));
}

/** The drift section of a task message: the phase's drifted cases that still fail, or null when none do. */
export function driftSection(drift: Drift, phase: string, verdict: SuiteVerdict): string | null {
  const wanted = driftIds(drift);
  const ids = new Set(verdict.cases.filter((c) => c.phase === phase && wanted.has(c.id) && isFailing(c.status)).map((c) => c.id));
  if (ids.size === 0) return null;
  return `${renderDriftTask(drift, { ids })}\n\nWork on these cases first: the source project changed them, and the rest of the phase passed before.`;
}

export type UpstreamRecord = { recorded: true; short: string; rev: string | null } | { recorded: false; why: string };

/**
 * After a run in which every case passes: the source checkout's HEAD becomes the revision the
 * port matches. A checkout with uncommitted changes in the source folder is not a revision
 * the port can claim, so nothing is recorded then.
 */
export async function recordUpstreamOnGreen(config: PorterConfig, workspace: string, cases: number): Promise<UpstreamRecord> {
  const source = await sourceRevision(config.source);
  if (!source) return { recorded: false, why: 'the source is not in a git repository' };
  if (source.dirty) return { recorded: false, why: 'the source folder has uncommitted changes, so no revision can be recorded' };
  // The date of the commit the checkout is at; that it is a repository is known already.
  const resolved = await resolveRevisions(config.source, [{ name: source.rev, from: 'the source checkout' }]);
  if (!resolved.ok) return { recorded: false, why: resolved.message };
  const revision = resolved.revisions[0]!;
  const written = recordAcceptedUpstream(config, { rev: revision.rev, date: revision.date, cases });
  if (!written.ok) return { recorded: false, why: written.message };
  const commit = await commitFile(workspace, written.file, `porter: source at ${revision.short} passes (${cases} cases)`);
  if (!commit.ok) return { recorded: false, why: commit.message };
  return { recorded: true, short: revision.short, rev: commit.rev };
}
