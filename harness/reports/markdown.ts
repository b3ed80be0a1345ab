/**
 * `reports/latest.md`: the morning summary. Written to read well both as a GitHub PR
 * comment / step summary and as plain text on a terminal, so no HTML tags.
 */
import type { RunResult } from '../run/types.js';
import { matchingCount } from '../judge/case-status.js';
import type { AgentStats, AgentTotals, PhaseCounts, StatusChange } from './history-types.js';
import { code, fence, inlineList, table, text } from './md.js';
import { formatAge, formatCount, formatDuration, formatTime, formatUsd, mergeQueueLine, oneLine, passingNote, percent, plural, progressBar, shortRev, truncateText, WORKER_COLUMNS, workerCells } from './text.js';
import type { Cluster } from './cluster.js';
import { buildView, looksLikeDiff, type CaseView, type ReportInput, type ReportView } from './view.js';
import { caseAnchors, driftMarkdown } from './drift-section.js';
import type { DriftStatus } from './drift-status.js';

export interface MarkdownOptions {
  /** Clusters shown with a diff; the rest are listed by label only. */
  maxClusters?: number;
  /** Ids listed per change list or cluster. */
  maxIds?: number;
  maxDiffLines?: number;
  /** What `porter sync` last found upstream (reports/drift.json). */
  drift?: DriftStatus | null;
}

export function renderMarkdown(input: ReportInput, latestRun?: RunResult, options: MarkdownOptions = {}): string {
  return markdownFromView(buildView(input, latestRun), options);
}

export function markdownFromView(view: ReportView, options: MarkdownOptions = {}): string {
  const o = { maxClusters: 12, maxIds: 25, maxDiffLines: 25, drift: null, ...options };
  const parts = [
    '# Porter progress',
    headline(view),
    ...(view.phases.length ? [phaseTable(view.phases, view.total)] : []),
    driftMarkdown({ status: o.drift, tested: view.results?.source, anchors: caseAnchors(view.cases) }, o.maxIds),
    changes(view, o.maxIds),
    failures(view, o),
    skips(view),
    overrides(view),
    tamper(view),
    agent(view),
    notes(view),
  ];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}

function headline(v: ReportView): string {
  if (!v.results) {
    return v.latest ? `No test results yet (last record: ${v.latest.kind} run at ${formatTime(v.latest.time)}).` : 'No runs recorded yet.';
  }
  const r = v.results;
  const first = [
    `**${formatCount(v.passing)} / ${formatCount(v.total.total)} cases pass (${percent(v.passing, v.total.total)})**`,
    formatTime(r.time),
    `${r.kind} run${r.partial ? ' (partial)' : ''}`,
    `rev ${code(shortRev(r.rev))}`,
    formatDuration(r.durationMs),
  ].join(' · ');
  const c = v.changes;
  const second = [
    `▲ ${formatCount(c.newlyPassing.length)} newly passing`,
    `▼ ${formatCount(c.newlyFailing.length)} newly failing`,
    `${formatCount(v.failing)} failing in ${plural(v.clusters.length, 'cluster')}`,
    `${formatCount(v.total.skip + v.total.unexpectedPass)} on the skip-list`,
  ].join(' · ');
  const previous = v.history.filter((h) => h.phases.length > 0).length > 1 ? '' : ' (first recorded run)';
  const note = passingNote(v.total);
  return `${first}  \n${second}${previous}${note ? `  \n${note}` : ''}`;
}

function phaseTable(phases: PhaseCounts[], total: PhaseCounts): string {
  const row = (p: PhaseCounts, name: string) => [
    name,
    code(progressBar(matchingCount(p), p.total)),
    ...[p.pass, p.fail, p.skip, p.unexpectedPass, p.timeout, p.crash, p.error, p.overrides, p.fuzzy].map(formatCount),
  ];
  const rows = phases.map((p) => row(p, text(p.phase)));
  if (phases.length > 1) rows.push(row(total, '**all**'));
  return table(
    ['Phase', 'Passing', 'Pass', 'Fail', 'Skip', 'XPass', 'Timeout', 'Crash', 'Error', 'Override', 'Fuzzy'],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

const statusName = (s: StatusChange['from']) => s ?? 'new';

function changeList(title: string, list: StatusChange[], max: number): string {
  if (list.length === 0) return '';
  const lines = list.slice(0, max).map((c) => `- ${code(c.id)} · ${text(c.phase)} · ${statusName(c.from)} → ${c.to ?? 'removed'}`);
  if (list.length > max) lines.push(`- … and ${list.length - max} more (see index.html)`);
  return `## ${title} (${formatCount(list.length)})\n\n${lines.join('\n')}`;
}

function changes(v: ReportView, max: number): string {
  if (!v.results) return '';
  if (v.history.filter((h) => h.phases.length > 0).length < 2) return '';
  const c = v.changes;
  if (!c.newlyPassing.length && !c.newlyFailing.length && !c.other.length) return '## Changes since the last run\n\nNone: every case has the status it had.';
  return [changeList('Newly passing', c.newlyPassing, max), changeList('Newly failing', c.newlyFailing, max), changeList('Other changes', c.other, max)]
    .filter((s) => s)
    .join('\n\n');
}

function failures(v: ReportView, o: Required<Omit<MarkdownOptions, 'drift'>>): string {
  if (v.failing === 0) return v.results ? '## Failing cases\n\nNone.' : '';
  const out = [`## Failing cases: ${formatCount(v.failing)} in ${plural(v.clusters.length, 'cluster')}`];
  if (v.failuresOmitted) out.push(`The history kept details of the first ${formatCount(v.failing - v.failuresOmitted)}; ${formatCount(v.failuresOmitted)} more are counted but not shown.`);
  v.clusters.slice(0, o.maxClusters).forEach((cl, i) => {
    const first = cl.cases[0]!;
    const section = [
      `### ${i + 1}. ${clusterTitle(cl)} — ${plural(cl.cases.length, 'case')} (${cl.phases.map(text).join(', ')})`,
      inlineList(cl.cases.map((c) => code(c.id)), o.maxIds),
    ];
    if (first.reason || first.diff) section.push(`${code(first.id)}${first.reason ? `: ${text(first.reason)}` : ''}`);
    if (first.diff) section.push(fence(truncateText(first.diff, o.maxDiffLines, 4000).text, looksLikeDiff(first.diff) ? 'diff' : 'text'));
    out.push(section.join('\n\n'));
  });
  const rest = v.clusters.slice(o.maxClusters);
  if (rest.length) {
    out.push(
      `Further clusters (${rest.length}):\n\n${rest
        .slice(0, 50)
        .map((cl) => `- ${clusterTitle(cl)} — ${plural(cl.cases.length, 'case')}`)
        .join('\n')}${rest.length > 50 ? `\n- … and ${rest.length - 50} more` : ''}`,
    );
  }
  return out.join('\n\n');
}

function clusterTitle(cl: Cluster<CaseView>): string {
  return cl.sample !== undefined ? `${text(cl.label)}: ${code(oneLine(cl.sample, 100))}` : text(cl.label);
}

function skips(v: ReportView): string {
  if (v.skips.length === 0) return '';
  const asOf = v.results?.time ?? '';
  const rows = v.skips.map((s) => [
    code(s.id),
    text(s.phase),
    s.status === 'unexpected-pass' ? '**passes now: remove it**' : 'skip',
    text(s.reason || '(no reason given)'),
    s.since ? `${formatAge(s.since, asOf)} (${plural(s.runs, 'run')})` : '–',
  ]);
  const xpass = v.skips.filter((s) => s.status === 'unexpected-pass').length;
  const hint = xpass ? `\n\n${plural(xpass, 'entry', 'entries')} now ${xpass === 1 ? 'passes' : 'pass'}; \`porter test --update-skiplist\` removes ${xpass === 1 ? 'it' : 'them'}.` : '';
  return `## Skip-list (${formatCount(v.skips.length)})\n\n${table(['Case', 'Phase', 'Status', 'Reason', 'On the list for'], rows)}${hint}`;
}

function overrides(v: ReportView): string {
  if (v.overrides.length === 0) return '';
  const rows = v.overrides.map((o) => [code(o.id), text(o.phase), text(o.reason || '(no reason given)')]);
  return `## Overrides (${formatCount(v.overrides.length)})\n\n${table(['Case', 'Phase', 'Reason'], rows)}`;
}

function tamper(v: ReportView): string {
  const agentSkips = v.agentSkips;
  if (v.tamper.length === 0 && agentSkips.length === 0) {
    return v.tamperInHistory ? `## Tamper events\n\nNone in the latest run (${formatCount(v.tamperInHistory)} in earlier runs).` : '';
  }
  const out: string[] = [];
  if (v.tamper.length) {
    out.push(
      `## Tamper events (${formatCount(v.tamper.length)})\n\nWrites to the tests that the harness ${v.tamper.some((t) => t.action === 'restored') ? 'undid or ' : ''}refused:\n\n` +
        v.tamper.map((t) => `- ${t.iteration !== undefined ? `iteration ${t.iteration}: ` : ''}${t.action} ${code(t.path)}${t.detail ? ` — ${text(t.detail)}` : ''}`).join('\n'),
    );
  }
  if (agentSkips.length) {
    out.push(`## Cases the agent parked (${formatCount(agentSkips.length)})\n\n${agentSkips.map((s) => `- ${code(s.id)}: ${text(s.reason)}`).join('\n')}`);
  }
  return out.join('\n\n');
}

function agent(v: ReportView): string {
  const a = v.agent;
  if (!a) return '';
  const l = a.latest;
  const c = a.cumulative;
  const head = [
    `Latest agent run ${formatTime(a.latestTime)}`,
    `stopped: **${text(l.stopReason)}**${l.stopDetail ? ` (${text(l.stopDetail)})` : ''}`,
    ...(l.backend ? [`backend ${l.backend}`] : []),
    ...(l.models.length ? [`models ${l.models.map(code).join(', ')}`] : []),
  ].join(' · ');
  const both = (f: (t: AgentTotals) => string) => [f(l), f(c)];
  const rows = [
    ['Wall time', ...both((t) => formatDuration(t.wallMs))],
    ['Messages', ...both((t) => formatCount(t.messages))],
    ['Human prompts', ...both((t) => formatCount(t.humanPrompts))],
    ['Tool calls', ...both((t) => formatCount(t.toolCalls))],
    ['Input tokens', ...both((t) => formatCount(t.tokens.input))],
    ['Output tokens', ...both((t) => formatCount(t.tokens.output))],
    ['Cache read tokens', ...both((t) => formatCount(t.tokens.cacheRead))],
    ['Cache write tokens', ...both((t) => formatCount(t.tokens.cacheWrite))],
    ['Iterations', ...both((t) => formatCount(t.iterations))],
    ['Commits', ...both((t) => formatCount(t.commits))],
    ['Cost', ...both((t) => formatUsd(t.costUsd))],
    [
      'Cost per case gained (net)',
      a.costPerGained !== null ? `${formatUsd(a.costPerGained)} (${plural(a.gained ?? 0, 'case')})` : a.gained !== null ? `– (${plural(a.gained, 'case')} gained)` : '–',
      '',
    ],
    ['Cost per passing case', '', a.costPerPassing !== null ? `${formatUsd(a.costPerPassing)} (${plural(v.passing, 'case')})` : '–'],
  ];
  const out = [`## Agent\n\n${head}`, table(['', 'Latest run', `All agent runs (${a.runs})`], rows, ['l', 'r', 'r'])];
  if (l.phases.length > 0) {
    out.push(
      table(
        ['Phase (latest run)', 'Iterations', 'Messages', 'Tool calls', 'Tokens in (incl. cache) / out', 'Wall time', 'Cost'],
        l.phases.map((p) => [
          text(p.phase),
          formatCount(p.iterations),
          formatCount(p.messages),
          formatCount(p.toolCalls),
          `${formatCount(p.tokens.input + p.tokens.cacheRead + p.tokens.cacheWrite)} / ${formatCount(p.tokens.output)}`,
          formatDuration(p.wallMs),
          formatUsd(p.costUsd),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  if (l.workers?.length) out.push(workers(l));
  return out.join('\n\n');
}

/** Workers of a parallel run. */
function workers(l: AgentStats): string {
  const rows = (l.workers ?? []).map((w) => [text(w.id), ...workerCells(w, l.wallMs)]);
  const out = [table(['Worker (latest run)', ...WORKER_COLUMNS], rows, ['l', ...WORKER_COLUMNS.map(() => 'r' as const)])];
  if (l.merges) out.push(mergeQueueLine(l.merges));
  return out.join('\n\n');
}

function notes(v: ReportView): string {
  const out: string[] = [];
  if (v.staleSkips.length) {
    out.push(`## Skip-list entries that match no case (${v.staleSkips.length})\n\n${v.staleSkips.map((s) => `- ${code(s.pattern)} (${text(s.file)}:${s.line})`).join('\n')}`);
  }
  if (v.warnings.length) out.push(`## Warnings\n\n${v.warnings.map((w) => `- ${text(w)}`).join('\n')}`);
  return out.join('\n\n');
}
