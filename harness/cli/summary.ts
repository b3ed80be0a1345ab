import type { CaseResult, RunResult } from '../run/types.js';
import { isFailing, totalSummary, type PhaseSummary } from '../judge/case-status.js';

const COLUMNS: Array<[keyof PhaseSummary, string]> = [
  ['total', 'cases'],
  ['pass', 'pass'],
  ['fail', 'fail'],
  ['skip', 'skip'],
  ['unexpectedPass', 'unexp.pass'],
  ['timeout', 'timeout'],
  ['crash', 'crash'],
  ['error', 'error'],
  ['overrides', 'override'],
  ['fuzzy', 'fuzzy'],
];

/** The per-phase table `porter test` prints; plain text so it reads the same in a log. */
export function renderSummaryTable(phases: readonly PhaseSummary[]): string {
  const rows = [...phases, ...(phases.length > 1 ? [totalSummary(phases)] : [])];
  const header = ['phase', ...COLUMNS.map(([, title]) => title)];
  const body = rows.map((r) => [r.phase, ...COLUMNS.map(([key]) => String(r[key]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [fmt(header), ...body.map(fmt)];
  if (phases.length > 1) lines.splice(lines.length - 1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n') + '\n';
}

/** The first few failures in full, so the first screen of output says what to fix. */
export function renderFirstFailures(result: RunResult, limit: number, maxDiffLines = 40): string {
  const failing = result.cases.filter((c) => isFailing(c.status));
  if (failing.length === 0) return '';
  const out: string[] = [];
  for (const c of failing.slice(0, limit)) out.push(renderFailure(c, maxDiffLines));
  if (failing.length > limit) out.push(`… and ${failing.length - limit} more failing cases (--json FILE has them all)\n`);
  return out.join('\n');
}

function renderFailure(c: CaseResult, maxDiffLines: number): string {
  const lines = [`${c.status.toUpperCase()} ${c.id} [${c.phase}]${c.reason ? `: ${c.reason}` : ''}`];
  if (c.diff) {
    const diff = c.diff.split('\n');
    lines.push(...diff.slice(0, maxDiffLines).map((l) => `  ${l}`));
    if (diff.length > maxDiffLines) lines.push(`  … ${diff.length - maxDiffLines} more diff lines`);
  }
  if (c.stderrTail) lines.push('  stderr (tail):', ...c.stderrTail.trimEnd().split('\n').slice(-10).map((l) => `  | ${l}`));
  return lines.join('\n') + '\n';
}

/** Unexpected passes, stale skip entries and warnings: things to tidy, not failures. */
export function renderNotices(result: RunResult): string {
  const out: string[] = [];
  const xpass = result.cases.filter((c) => c.status === 'unexpected-pass');
  if (xpass.length > 0) {
    out.push(`${xpass.length} skipped case${xpass.length === 1 ? '' : 's'} now pass${xpass.length === 1 ? 'es' : ''} (remove with \`porter test --update-skiplist\`):`);
    out.push(...xpass.slice(0, 20).map((c) => `  ${c.id}  # was: ${c.skipReason ?? ''}`.trimEnd()));
    if (xpass.length > 20) out.push(`  … and ${xpass.length - 20} more`);
  }
  if (result.staleSkips.length > 0) {
    out.push(`${result.staleSkips.length} skip-list entr${result.staleSkips.length === 1 ? 'y matches' : 'ies match'} no case:`);
    out.push(...result.staleSkips.map((s) => `  ${s.file}:${s.line}: ${s.pattern}`));
  }
  for (const w of result.warnings) out.push(`warning: ${w}`);
  return out.length ? out.join('\n') + '\n' : '';
}

/** The closing line, in the `N passed, N failed, N skipped` form CI log readers recognise. */
export function renderClosingLine(result: RunResult): string {
  const t = totalSummary(result.phases);
  const failed = t.fail + t.timeout + t.crash + t.error;
  const skipped = t.skip + t.unexpectedPass;
  const xpass = t.unexpectedPass ? ` (${t.unexpectedPass} of them now pass${t.unexpectedPass === 1 ? 'es' : ''})` : '';
  return `porter: ${t.pass} passed, ${failed} failed${skipped ? `, ${skipped} skipped${xpass}` : ''}\n`;
}
