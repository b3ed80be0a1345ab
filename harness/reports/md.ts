/**
 * Markdown building blocks that stay correct whatever the content (case ids with backticks
 * or pipes, diffs with fences or control characters) and read well on a plain terminal:
 * tables are padded so their columns line up without a renderer.
 */
import { visibleControls } from './text.js';

/** Inline code that survives backticks in the content. */
export function code(text: string): string {
  const s = visibleControls(text).replace(/\n/g, '␊');
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/** Prose on one line: markup characters escaped so a reason cannot turn into HTML or links. */
export function text(s: string): string {
  return visibleControls(s)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/([\\`*_[\]<>])/g, '\\$1');
}

/** A fenced block whose fence is longer than any backtick run inside. */
export function fence(body: string, lang = ''): string {
  const s = visibleControls(body).replace(/\n+$/, '');
  const longest = Math.max(0, ...(s.match(/`{3,}/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${lang}\n${s}\n${f}`;
}

const width = (s: string) => [...s].length;

/**
 * A GitHub table; `align` per column, `r` for numbers. Cells are Markdown already
 * (use `code`/`text`); pipes inside them are escaped here.
 */
export function table(head: string[], rows: string[][], align: Array<'l' | 'r'> = []): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const all = [head, ...rows].map((r) => r.map(cell));
  const widths = head.map((_, i) => Math.max(3, ...all.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - width(s));
    return align[i] === 'r' ? gap + s : s + gap;
  };
  const line = (r: string[]) => `| ${head.map((_, i) => pad(r[i] ?? '', i)).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : `:${'-'.repeat(w - 1)}`)).join(' | ')} |`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join('\n');
}

/** Items as a comma list, at most `max`, then "and N more". */
export function inlineList(items: string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … and ${items.length - max} more` : shown;
}
