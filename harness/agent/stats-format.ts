import type { MergeCounts, WorkerFigures } from '../reports/history-types.js';
import { WORKER_COLUMNS, workerCells } from '../reports/text.js';
import type { RunStats } from './stats.js';

/** The stats as people read them: `porter agent` at the end, `porter status` any time. */

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const n = (x: number): string => x.toLocaleString('en-US');
const usd = (x: number): string => `$${x.toFixed(2)}`;
const plural = (count: number, word: string): string => `${n(count)} ${word}${count === 1 ? '' : 's'}`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function formatStats(s: RunStats): string {
  const lines = [
    `Wall time ${duration(s.wallMs)} · ${plural(s.iterations, 'iteration')} (+${s.summaries} phase summaries) · ${plural(s.messages, 'message')} · ${plural(s.humanPrompts, 'human prompt')} · ${plural(s.toolCalls, 'tool call')}`,
    `Tokens: input ${n(s.usage.input)} · output ${n(s.usage.output)} · cache read ${n(s.usage.cacheRead)} · cache write ${n(s.usage.cacheWrite)} · cost ${usd(s.costUsd)}${s.models.length ? ` · ${s.models.join(', ')}` : ''}`,
    `Commits ${s.commits} · resets ${s.resets} · skips ${s.skips} · tampering undone or refused ${s.tampers} · compactions ${s.compactions} · API retries ${s.apiRetries} · run segments ${s.segments}`,
  ];
  if (s.phases.length > 0) {
    const rows = [['phase', 'passing', 'iterations', 'tool calls', 'input', 'output', 'cost', 'wall', 'summary']];
    for (const p of s.phases) {
      rows.push([
        p.phase, p.pass === null ? '-' : `${p.pass}/${p.total}`, n(p.iterations), n(p.toolCalls),
        n(p.usage.input + p.usage.cacheRead + p.usage.cacheWrite), n(p.usage.output), usd(p.costUsd), duration(p.wallMs), p.summary ? 'yes' : 'no',
      ]);
    }
    lines.push('', table(rows));
  }
  return `${lines.join('\n')}\n`;
}

/** A parallel run's workers and merge queue, as `porter agent` and `porter status` print them. */
export function formatWorkers(workers: readonly WorkerFigures[], merges: MergeCounts, wallMs: number): string {
  // The cells as the reports show them; the terminal's headers are lower case, as in the phase table.
  const rows = [['worker', ...WORKER_COLUMNS.map((c) => c.toLowerCase())], ...workers.map((w) => [w.id, ...workerCells(w, wallMs)])];
  const queue = `Merge queue: ${merges.accepted} accepted · ${merges.rejected} rejected · ${plural(merges.conflicts, 'conflict')} · ${merges.superseded} superseded`;
  return `${queue}\n${workers.length > 0 ? `\n${table(rows)}\n` : ''}`;
}
