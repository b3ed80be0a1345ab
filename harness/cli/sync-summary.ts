import type { CaseResult } from '../run/types.js';
import type { Revision } from '../sync/source-repo.js';
import type { Drift } from '../sync/types.js';

/** What `porter sync` prints: plain text that reads the same on a terminal and in a nightly log. */

const at = (r: Revision) => `${r.short}${r.date ? ` (${r.date.slice(0, 10)})` : ''}`;

export function renderDrift(d: Drift, options: { maxDiffs?: number; maxDiffLines?: number; maxIds?: number } = {}): string {
  const o = { maxDiffs: 10, maxDiffLines: 40, maxIds: 50, ...options };
  const out = [`porter sync: ${d.source} ${at(d.from)} → ${at(d.to)}`];
  out.push(d.commits.length === 0 ? 'no commit in between touched the suite' : `${d.commits.length} commit${d.commits.length === 1 ? '' : 's'} touched the suite:`);
  for (const k of d.commits.slice(0, o.maxIds)) out.push(`  ${k.hash} ${k.subject}`);
  if (d.commits.length > o.maxIds) out.push(`  … and ${d.commits.length - o.maxIds} more`);

  const bucket = (title: string, rows: Array<{ id: string; phase: string; note?: string }>) => {
    if (rows.length === 0) return;
    out.push(`${title} (${rows.length}):`);
    for (const r of rows.slice(0, o.maxIds)) out.push(`  ${r.id}  [${r.phase}]${r.note ? `  ${r.note}` : ''}`);
    if (rows.length > o.maxIds) out.push(`  … and ${rows.length - o.maxIds} more (--json has them all)`);
  };
  bucket('added', d.added);
  bucket('changed', d.changed.map((c) => ({ ...c, note: c.reasons.join(', ') })));
  bucket('removed', d.removed);
  bucket('metadata only, not drift', d.metadata_only.map((c) => ({ ...c, note: c.fields.join(', ') })));

  for (const c of d.changed.slice(0, o.maxDiffs)) {
    const commits = c.commits.length ? ` (${c.commits.join(', ')})` : '';
    out.push('', `CHANGED ${c.id} [${c.phase}]: ${c.reasons.join(', ')}${commits}`);
    if (c.problem) out.push(`  cannot run at ${d.to.short}: ${c.problem}`);
    for (const diff of [c.diff, c.input_diff ?? '']) {
      if (!diff) continue;
      const lines = diff.split('\n');
      out.push(...lines.slice(0, o.maxDiffLines).map((l) => `  ${l}`));
      if (lines.length > o.maxDiffLines) out.push(`  … ${lines.length - o.maxDiffLines} more diff lines (--json has them)`);
    }
    if (c.changed_files?.length) out.push(`  changed files: ${c.changed_files.join(', ')}`);
  }
  if (d.changed.length > o.maxDiffs) out.push('', `… and ${d.changed.length - o.maxDiffs} more changed cases (--json has every diff)`);
  return `${out.join('\n')}\n`;
}

/** The closing line: drift counts, or that there is none. */
export function renderDriftClosing(d: Drift): string {
  const meta = d.metadata_only.length ? ` (${d.metadata_only.length} metadata-only change${d.metadata_only.length === 1 ? ' is' : 's are'} not drift)` : '';
  if (!d.drift) return `porter sync: no drift from ${d.from.short} to ${d.to.short}${meta}\n`;
  return `porter sync: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed from ${d.from.short} to ${d.to.short}${meta}\n`;
}

/** Why `--accept` refused: the failing cases, a few with their reasons. */
export function renderRefusal(revision: Revision, failing: readonly CaseResult[], max = 20): string {
  const lines = [`porter sync --accept: ${failing.length === 1 ? '1 case fails' : `${failing.length} cases fail`} at ${at(revision)}; not accepted:`];
  for (const c of failing.slice(0, max)) lines.push(`  ${c.status.toUpperCase()} ${c.id} [${c.phase}]${c.reason ? `: ${c.reason}` : ''}`);
  if (failing.length > max) lines.push(`  … and ${failing.length - max} more (--json has them all)`);
  return `${lines.join('\n')}\n`;
}
