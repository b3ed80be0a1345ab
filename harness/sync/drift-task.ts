import { fence } from '../reports/md.js';
import { truncateText } from '../reports/text.js';
import type { ChangedCase, Drift, UpstreamCommit } from './types.js';

/**
 * The drift part of an agent's task message (`porter agent --sync`): what changed upstream, so
 * the agent sees which behaviour the source project changed, not only that some cases now fail.
 * For each changed case: the upstream commits that touched it and its old → new expected output.
 */

export interface DriftTaskOptions {
  /** Only these cases (e.g. the phase being worked on); all when absent. */
  ids?: ReadonlySet<string>;
  /** Changed cases shown with their diffs; the rest are listed by id. */
  maxCases?: number;
  maxDiffLines?: number;
  /** Ids listed per list. */
  maxIds?: number;
}

export function renderDriftTask(drift: Drift, options: DriftTaskOptions = {}): string {
  const o = { maxCases: 10, maxDiffLines: 60, maxIds: 40, ...options };
  const keep = <T extends { id: string }>(list: T[]) => (o.ids ? list.filter((c) => o.ids!.has(c.id)) : list);
  const added = keep(drift.added);
  const changed = keep(drift.changed);
  const removed = keep(drift.removed);
  const subject = new Map(drift.commits.map((k) => [k.hash, k.subject]));

  const range = `${drift.from.short}${dateOf(drift.from.date)} → ${drift.to.short}${dateOf(drift.to.date)}`;
  const parts = [`## What changed upstream\n\nThe source project moved ${range}. The port passed at ${drift.from.short}; now it has to match ${drift.to.short}.`];
  if (drift.commits.length > 0) parts.push(`Upstream commits that touched the suite (newest first):\n${commitLines(drift.commits, o.maxIds)}`);
  if (added.length === 0 && changed.length === 0 && removed.length === 0) {
    parts.push('None of the cases in this task changed upstream.');
    return parts.join('\n\n');
  }
  if (added.length > 0) parts.push(`Added upstream (${added.length}): new cases to make pass: ${idList(added.map((c) => c.id), o.maxIds)}`);
  if (changed.length > 0) {
    parts.push(`Changed upstream (${changed.length}): cases whose expected behaviour changed. Change the port to the new behaviour:`);
    for (const c of changed.slice(0, o.maxCases)) parts.push(changedCase(c, subject, drift, o.maxDiffLines));
    if (changed.length > o.maxCases) parts.push(`… and ${changed.length - o.maxCases} more changed: ${idList(changed.slice(o.maxCases).map((c) => c.id), o.maxIds)}`);
  }
  if (removed.length > 0) parts.push(`Removed upstream (${removed.length}), reported only (nothing to do, nothing is deleted): ${idList(removed.map((c) => c.id), o.maxIds)}`);
  return parts.join('\n\n');
}

function changedCase(c: ChangedCase, subject: ReadonlyMap<string, string>, drift: Drift, maxDiffLines: number): string {
  const lines = [`### ${c.id} (${c.phase}): ${c.reasons.map(describeReason).join('; ')}`];
  if (c.commits.length > 0) lines.push(`Upstream commits: ${c.commits.map((h) => `${h} "${subject.get(h) ?? ''}"`).join(', ')}`);
  const cut = (d: string) => truncateText(d, maxDiffLines, 8000).text;
  if (c.diff) lines.push('', `Expected output at ${drift.from.short} (-) and at ${drift.to.short} (+):`, '', fence(cut(c.diff), 'diff'));
  if (c.input_diff) lines.push('', `Input file at ${drift.from.short} (-) and at ${drift.to.short} (+):`, '', fence(cut(c.input_diff), 'diff'));
  if (c.changed_files?.length) lines.push('', `Changed extra files of the phase: ${c.changed_files.join(', ')}`);
  return lines.join('\n');
}

function describeReason(r: ChangedCase['reasons'][number]): string {
  return r === 'expected' ? 'expected output changed' : r === 'input' ? 'input changed' : "the phase's extra files changed";
}

function commitLines(commits: readonly UpstreamCommit[], max: number): string {
  const lines = commits.slice(0, max).map((k) => `- ${k.hash} ${k.subject}`);
  if (commits.length > max) lines.push(`- … and ${commits.length - max} more`);
  return lines.join('\n');
}

function idList(ids: string[], max: number): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} … and ${ids.length - max} more`;
}

function dateOf(iso: string): string {
  return iso ? ` (${iso.slice(0, 10)})` : '';
}
