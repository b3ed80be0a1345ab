/**
 * The dashboard's chart, rendered here as inline SVG (no charting library, no script):
 * passing cases per phase over the recorded runs, stacked, against the total case count.
 * Hovering a run shows its figures through SVG `<title>`, which needs no JavaScript.
 */
import { matchingCount } from '../judge/case-status.js';
import type { HistoryRecord } from './history-types.js';
import { escapeHtml } from './html-escape.js';
import { formatTime } from './text.js';

export const PHASE_COLORS = ['#2563eb', '#0d9488', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];

export function phaseColor(i: number): string {
  return PHASE_COLORS[i % PHASE_COLORS.length]!;
}

/** A round gridline step (1, 2, 2.5 or 5 × 10^k) giving 3–7 intervals, with the least headroom. */
export function niceScale(max: number): { step: number; top: number } {
  let best = { step: 1, top: Math.max(1, Math.ceil(max)) };
  let bestTop = Infinity;
  for (let k = 0; k <= 9; k++) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * 10 ** k;
      if (step === 2.5) continue;
      const intervals = Math.max(1, Math.ceil(max / step));
      if (intervals < 3 && step > 1) continue;
      if (intervals > 7) continue;
      const top = intervals * step;
      if (top < bestTop) {
        bestTop = top;
        best = { step, top };
      }
    }
  }
  return best;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** Runs to label on the x axis: evenly spaced, at most `max`, always the first and the last. */
export function labelIndexes(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = Math.ceil((n - 1) / (max - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += step) out.push(i);
  // The last run always gets its label; it replaces a regular one that would crowd it.
  if (n - 1 - out[out.length - 1]! < step / 2) out.pop();
  out.push(n - 1);
  return out;
}

/**
 * `records` should be those with results, oldest first; `phaseOrder` fixes colours and
 * stacking (first phase at the bottom). At most the last `maxRuns` are drawn.
 */
export function renderChart(records: readonly HistoryRecord[], phaseOrder: readonly string[], maxRuns = 200): string {
  const runs = records.slice(-maxRuns);
  if (runs.length === 0) return '<p class="muted">No test runs recorded yet.</p>';
  const W = 960;
  const H = 260;
  const m = { l: 52, r: 18, t: 14, b: 30 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;

  const totals = runs.map((r) => r.phases.reduce((n, p) => n + p.total, 0));
  const series = phaseOrder.map((phase) => runs.map((r) => matchingCount(r.phases.find((p) => p.phase === phase) ?? { pass: 0, unexpectedPass: 0 })));
  const top = Math.max(1, ...totals);
  const { step, top: yMax } = niceScale(top);
  // One run is drawn as a flat band across the plot, so the chart never collapses to a point.
  const xs = runs.length === 1 ? [m.l, m.l + pw] : runs.map((_, i) => m.l + (i * pw) / (runs.length - 1));
  const at = (i: number) => (runs.length === 1 ? 0 : i);
  const y = (v: number) => m.t + ph - (v / yMax) * ph;

  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="chart-title">Passing cases per phase over ${runs.length} run${runs.length === 1 ? '' : 's'}</title>`,
  );
  for (let v = 0; v <= yMax; v += step) {
    out.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${r1(y(v))}" y2="${r1(y(v))}"/>`);
    out.push(`<text class="axis" x="${m.l - 8}" y="${r1(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }

  // Stacked areas: each phase sits on the sum of the phases before it.
  const base = xs.map(() => 0);
  series.forEach((values, si) => {
    const lower = xs.map((_, i) => base[i]!);
    const upper = xs.map((_, i) => lower[i]! + values[at(i)]!);
    const topPath = xs.map((x, i) => `${r1(x)},${r1(y(upper[i]!))}`);
    const bottomPath = xs.map((x, i) => `${r1(x)},${r1(y(lower[i]!))}`).reverse();
    const color = phaseColor(si);
    out.push(`<polygon points="${[...topPath, ...bottomPath].join(' ')}" fill="${color}" fill-opacity="0.28"/>`);
    out.push(`<polyline points="${topPath.join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>`);
    if (runs.length > 1 && runs.length <= 60) {
      out.push(...xs.map((x, i) => `<circle cx="${r1(x)}" cy="${r1(y(upper[i]!))}" r="2.6" fill="${color}"/>`));
    }
    upper.forEach((u, i) => {
      base[i] = u;
    });
  });

  const totalLine = xs.map((x, i) => `${r1(x)},${r1(y(totals[at(i)]!))}`).join(' ');
  out.push(`<polyline class="total" points="${totalLine}" fill="none"/>`);

  for (const i of labelIndexes(runs.length, Math.floor(pw / 110) + 1)) {
    const x = runs.length === 1 ? m.l + pw / 2 : xs[i]!;
    const anchor = runs.length === 1 ? 'middle' : i === 0 ? 'start' : i === runs.length - 1 ? 'end' : 'middle';
    out.push(`<text class="axis" x="${r1(x)}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(formatTime(runs[i]!.time).slice(5, 16))}</text>`);
  }

  // Hover targets: one column per run, with its figures as a native tooltip.
  const colW = runs.length === 1 ? pw : pw / (runs.length - 1);
  runs.forEach((r, i) => {
    const x0 = runs.length === 1 ? m.l : Math.max(m.l, xs[i]! - colW / 2);
    const x1 = runs.length === 1 ? m.l + pw : Math.min(m.l + pw, xs[i]! + colW / 2);
    const lines = [
      `${formatTime(r.time)} · ${r.kind} run${r.rev ? ` · ${r.rev.slice(0, 10)}` : ''}`,
      ...phaseOrder.map((p, si) => `${p}: ${series[si]![i]} passing`),
      `total: ${series.reduce((n, s) => n + s[i]!, 0)} / ${totals[i]}`,
    ];
    out.push(`<rect class="hover" x="${r1(x0)}" y="${m.t}" width="${r1(x1 - x0)}" height="${ph}"><title>${escapeHtml(lines.join('\n'))}</title></rect>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
