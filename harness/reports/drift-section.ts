/**
 * The "Upstream" part of `latest.md` and `index.html`: the source revision the port matches,
 * the one the latest run tested, and the drift `porter sync` found since, with each case linked
 * to its row in the dashboard when the dashboard has it.
 */
import type { SourceRevision } from '../util/source-revision.js';
import { pendingDrift, type DriftEntry, type DriftStatus } from './drift-status.js';
import { escapeHtml as e } from './html-escape.js';
import { code, text } from './md.js';
import { formatCount, formatTime, plural, shortRev } from './text.js';

export interface DriftSectionInput {
  status: DriftStatus | null;
  /** The source revision of the latest run with results, when it was in a git repository. */
  tested: SourceRevision | undefined;
  /** Case id → the dashboard's anchor for it (`case-12`). */
  anchors: ReadonlyMap<string, string>;
}

/** Case id → anchor, as the dashboard numbers its case rows. */
export function caseAnchors(cases: ReadonlyArray<{ id: string }>): Map<string, string> {
  return new Map(cases.map((c, i) => [c.id, `case-${i}`]));
}

type Bucket = { title: string; items: Array<DriftEntry & { reasons?: string[] }>; count: number };

function buckets(s: DriftStatus): Bucket[] {
  return [
    { title: 'Added', items: s.added, count: s.counts.added },
    { title: 'Changed', items: s.changed, count: s.counts.changed },
    { title: 'Removed', items: s.removed, count: s.counts.removed },
  ].filter((b) => b.count > 0);
}

function countsLine(s: DriftStatus): string {
  return `${formatCount(s.counts.added)} added, ${formatCount(s.counts.changed)} changed, ${formatCount(s.counts.removed)} removed`;
}

function aside(s: DriftStatus): string[] {
  return [
    plural(s.counts.commits, 'upstream commit'),
    ...(s.counts.metadataOnly > 0 ? [`${plural(s.counts.metadataOnly, 'metadata-only change')} (not drift)`] : []),
    `found by porter sync ${formatTime(s.time)}`,
  ];
}

const dateOf = (d: string) => (d ? ` (${formatTime(d)})` : '');
const testedNote = (t: SourceRevision) => (t.dirty ? ' with uncommitted changes' : '');

export function driftMarkdown(input: DriftSectionInput, maxIds = 25): string {
  const { status: s, tested } = input;
  if (!s && !tested) return '';
  const facts: string[] = [];
  if (s) facts.push(s.upstream ? `The port matches source ${code(shortRev(s.upstream.rev))}${dateOf(s.upstream.date)}` : 'No source revision accepted yet (`porter sync --accept` records one)');
  if (tested) facts.push(`latest run tested source ${code(shortRev(tested.rev))}${testedNote(tested)}`);
  const out = [`## Upstream`, `${facts.join(' · ')}.`];
  if (!s) return out.join('\n\n');
  if (pendingDrift(s) === 0) {
    out.push(`No pending drift up to ${code(shortRev(s.to.rev))}${dateOf(s.to.date)} · ${aside(s).join(' · ')}.`);
    return out.join('\n\n');
  }
  out.push(`**Pending drift: ${countsLine(s)}** up to ${code(shortRev(s.to.rev))}${dateOf(s.to.date)} · ${aside(s).join(' · ')}. \`porter sync\` shows the diffs; \`porter agent --sync\` ports them.`);
  const link = (id: string) => {
    const a = input.anchors.get(id);
    return a ? `[${code(id)}](index.html#${a})` : code(id);
  };
  const lines = buckets(s).map((b) => {
    const shown = b.items.slice(0, maxIds).map((c) => `${link(c.id)} (${text(c.reasons ? `${c.phase}: ${c.reasons.join(', ')}` : c.phase)})`);
    const more = b.count - shown.length;
    return `- ${b.title} (${formatCount(b.count)}): ${shown.join(', ')}${more > 0 ? `, … and ${formatCount(more)} more` : ''}`;
  });
  out.push(lines.join('\n'));
  return out.join('\n\n');
}

export function driftHtml(input: DriftSectionInput, maxIds = 200): string {
  const { status: s, tested } = input;
  if (!s && !tested) return '';
  const facts: string[] = [];
  if (s) facts.push(s.upstream ? `The port matches source <code>${e(shortRev(s.upstream.rev))}</code><span class="muted">${e(dateOf(s.upstream.date))}</span>` : 'No source revision accepted yet <span class="muted">(<code>porter sync --accept</code> records one)</span>');
  if (tested) facts.push(`latest run tested source <code>${e(shortRev(tested.rev))}</code>${e(testedNote(tested))}`);
  const parts = [`<p>${facts.join(' · ')}</p>`];
  const pending = s ? pendingDrift(s) : 0;
  if (s) {
    const upTo = `up to <code>${e(shortRev(s.to.rev))}</code><span class="muted">${e(dateOf(s.to.date))}</span>`;
    const muted = `<span class="muted"> · ${e(aside(s).join(' · '))}</span>`;
    parts.push(pending === 0 ? `<p>No pending drift ${upTo}${muted}</p>` : `<p><strong class="down">Pending drift: ${e(countsLine(s))}</strong> ${upTo}${muted}</p>`);
    const link = (id: string) => {
      const a = input.anchors.get(id);
      return a ? `<a href="#${a}"><code>${e(id)}</code></a>` : `<code>${e(id)}</code>`;
    };
    const lists = buckets(s).map((b) => {
      const li = b.items.slice(0, maxIds).map((c) => `<li>${link(c.id)} <span class="muted">${e(c.phase)}${c.reasons ? ` · ${e(c.reasons.join(', '))}` : ''}</span></li>`);
      const more = b.count - li.length;
      return `<div><h2>${e(b.title)}<span class="count">${formatCount(b.count)}</span></h2><ul class="plain">${li.join('')}</ul>${more > 0 ? `<p class="muted">… and ${formatCount(more)} more</p>` : ''}</div>`;
    });
    if (lists.length) parts.push(`<div class="cols">${lists.join('')}</div>`);
  }
  const count = pending > 0 ? `<span class="count">${formatCount(pending)} pending</span>` : '';
  return `<section class="card" id="upstream"><h2>Upstream${count}</h2>\n${parts.join('\n')}\n</section>`;
}
